/**
 * The HTTP API against the real server: `services/ledger-api/src/server.ts` as its own
 * process on 127.0.0.1, durable SQLite (WAL, synchronous=FULL), driven by autocannon with 50
 * connections from this process. Beside each figure, a plain fastify process
 * (api-http-plain-server.ts) answers a route of the same shape in the same run, for the ratio;
 * for the query, in alternating windows beside the ledger's (`measureInterleaved`).
 *
 *  - record-service-hours: POST /v1/volunteers/<random>/service-records with a desk key, a fresh
 *    Idempotency-Key per request and non-overlapping one-minute records;
 *  - redeemable-points: GET /v1/partners/p1/volunteers/<random>/redeemable-points with a partner key.
 *
 * `API_HTTP_PART=reads` (or `writes`) in the environment runs only that half, with its own plain
 * baseline, for iterating on one path; a report for docs/benchmarks.md runs both (the default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';
import {
  LEDGER_LAUNCHER,
  LEDGER_MALLOC_ENV,
  LEDGER_NODE_FLAGS,
  startDefaultsChecked,
} from './support/allocator.js';

/** Connections held open at once; fixed so that reports from different runs compare. */
export const CONNECTIONS = 50;
const SIZES = {
  quick: { volunteers: 300, warmupSeconds: 1, seconds: 3, readWindows: 3 },
  full: { volunteers: 2_000, warmupSeconds: 3, seconds: 10, readWindows: 5 },
};
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** One-minute records two minutes apart fill 800 minutes of a local day, below the 16 h daily cap. */
const RECORDS_PER_DAY = 400;

const serverPath = fileURLToPath(new URL('../../services/ledger-api/src/server.ts', import.meta.url));
const plainPath = fileURLToPath(new URL('./api-http-plain-server.ts', import.meta.url));
const floorPath = fileURLToPath(new URL('./api-http-floor-server.ts', import.meta.url));

export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: string;
}

/**
 * Starts a TypeScript server as a child process and waits for its "listening on <url>" line;
 * `nodeOptions` go before the script (the profile harness passes `--cpu-prof` there). It runs
 * through the launcher `pnpm start` uses, or under tsx (`loader`): the profile harness tells areas
 * apart by source file, which a bundle's frames do not name.
 */
export function startServer(
  path: string,
  environment: Record<string, string>,
  nodeOptions: readonly string[] = [],
  loader: 'launcher' | 'tsx' = 'launcher',
): Promise<Started> {
  const entry = loader === 'launcher' ? [LEDGER_LAUNCHER, path] : ['--import', 'tsx', path];
  const child = spawn(process.execPath, [...nodeOptions, ...entry], {
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/[^\s/]+)/.exec(stdout);
      if (match !== null) resolve({ child, url: match[1]!, stdout });
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${path} exited with ${code}: ${stderr}`)));
  });
}

/**
 * The ledger server at `serverPath` on a free port over `directory`, as `pnpm start` runs it
 * (allocator settings and node flags), with warnings-only logs and the rate limit out of the way.
 */
export function startLedgerServer(serverPath: string, directory: string): Promise<Started> {
  return startServer(
    serverPath,
    {
      ...LEDGER_MALLOC_ENV,
      LEDGER_DATA_DIR: directory,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_REQUESTS_MAX: '10000000',
    },
    LEDGER_NODE_FLAGS,
  );
}

export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A valid resident ID number (GB 11643 check character) from a seed below 10^7, with a real adult birth date (1960 + seed ÷ 1000 days); never a real person's. */
function nationalIdNumber(seed: number): string {
  const birthDate = new Date(Date.UTC(1960, 0, 1 + Math.floor(seed / 1000)));
  const yyyymmdd = birthDate.toISOString().slice(0, 10).replaceAll('-', '');
  const body = `130102${yyyymmdd}${String(seed % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

// eslint-disable-next-line max-params -- a fetch wrapper whose last two arguments are optional, as fetch's own options are
async function call(url: string, key: string, method: string, body?: unknown, idempotencyKey?: string) {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface World {
  readonly deskKey: string;
  readonly partnerKey: string;
  readonly volunteerIds: readonly string[];
}

/**
 * Keys, a partner and registered volunteers of community c1, through the API itself.
 * `keysIssued`, if given, runs before the keys are first used (several processes: until each knows them).
 */
export async function setUp(
  url: string,
  adminKey: string,
  volunteers: number,
  keysIssued?: () => Promise<void>,
): Promise<World> {
  const issue = async (role: string, scope: object) =>
    (
      await call(
        `${url}/v1/admin/api-keys`,
        adminKey,
        'POST',
        { role, scope, label: `bench ${role}` },
        `key-${role}`,
      )
    ).key as string;
  const deskKey = await issue('desk', { kind: 'community', id: 'c1' });
  // A partner key can only be issued for a registered partner.
  await call(
    `${url}/v1/admin/partners`,
    adminKey,
    'POST',
    { partnerId: 'p1', name: 'Canteen', community: 'c1' },
    'p1',
  );
  const partnerKey = await issue('partner', { kind: 'partner', id: 'p1' });
  await keysIssued?.();
  const volunteerIds: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < volunteers) {
        const seed = next++;
        const registered = await call(
          `${url}/v1/volunteers`,
          deskKey,
          'POST',
          {
            name: `Volunteer ${seed}`,
            nationalIdNumber: nationalIdNumber(seed),
            phone: '13800000000',
            community: 'c1',
          },
          `register-${seed}`,
        );
        const volunteerId = registered.volunteerId as string;
        // The partner's redeemable-points query needs the volunteer's standing consent.
        await call(
          `${url}/v1/volunteers/${volunteerId}/mandates`,
          deskKey,
          'POST',
          { partnerId: 'p1', monthlyCapCentipoints: 100_000 },
          `mandate-${seed}`,
        );
        volunteerIds.push(volunteerId);
      }
    }),
  );
  return { deskKey, partnerKey, volunteerIds };
}

/** Bodies of one-minute records that never overlap per volunteer and stay within every intake rule. */
export function serviceRecords(volunteerCount: number): (volunteer: number) => string {
  const counters = new Array<number>(volunteerCount).fill(0);
  // Local (UTC+8) midnight 80 days ago: inside the 90-day back-dating window, never in the future.
  const firstDayMs = Math.floor((Date.now() - 80 * DAY_MS) / DAY_MS) * DAY_MS - 8 * 60 * MINUTE_MS;
  return (volunteer) => {
    const k = counters[volunteer]!++;
    const startMs =
      firstDayMs + Math.floor(k / RECORDS_PER_DAY) * DAY_MS + (k % RECORDS_PER_DAY) * 2 * MINUTE_MS;
    return JSON.stringify({
      activity: 'Reading to elders',
      organisationId: 'c1',
      startAt: new Date(startMs).toISOString(),
      endAt: new Date(startMs + MINUTE_MS).toISOString(),
    });
  };
}

export interface Load {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** Path, body and extra headers of the next request. */
  readonly next: () => { path: string; body?: string; headers?: Record<string, string> };
}

/** A record-service-hours load, and how many requests it has made so far. */
export interface WriteLoad extends Load {
  readonly requestsMade: () => number;
}

/**
 * record-service-hours on random volunteers: a desk key, a fresh Idempotency-Key
 * (`<idempotencyKeyPrefix>-<n>`) and a non-overlapping one-minute record each. `nextRecord` may be
 * shared with another load that must not reuse the same records.
 */
export function writeLoad(
  url: string,
  world: World,
  idempotencyKeyPrefix: string,
  nextRecord = serviceRecords(world.volunteerIds.length),
): WriteLoad {
  const count = world.volunteerIds.length;
  let requestCounter = 0;
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${world.deskKey}` },
    next: () => {
      const volunteer = Math.floor(Math.random() * count);
      requestCounter += 1;
      return {
        path: `/v1/volunteers/${world.volunteerIds[volunteer]}/service-records`,
        body: nextRecord(volunteer),
        headers: { 'idempotency-key': `${idempotencyKeyPrefix}-${requestCounter}` },
      };
    },
    requestsMade: () => requestCounter,
  };
}

export interface Measured {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly total: number;
}

export async function drive(load: Load, seconds: number): Promise<Measured> {
  const result = await autocannon({
    url: load.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: load.method,
        headers: load.headers,
        setupRequest: (request) => {
          const { path, body, headers } = load.next();
          return {
            ...request,
            path,
            ...(body === undefined ? {} : { body }),
            ...(headers === undefined ? {} : { headers: { ...request.headers, ...headers } }),
          };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${load.method} ${load.url}: ${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors`,
    );
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    total: result.requests.total,
  };
}

/** Warm up (JIT, caches), then measure. */
async function measure(load: Load, sizes: { warmupSeconds: number; seconds: number }): Promise<Measured> {
  await drive(load, sizes.warmupSeconds);
  return drive(load, sizes.seconds);
}

/**
 * Warms both up, then measures `first` and `second` in `windows` alternating windows (A B, B A,
 * A B, …) that together last `sizes.seconds` each, so that both see the machine as it was over
 * the same minute: on shared cores a load that comes or goes between two back-to-back windows
 * moved the ratio of the read figures between 0.58× and 1.78× with the same code (issue #15). Each
 * figure is its requests over its seconds; p50 is the windows' median, p99 their worst.
 */
export async function measureInterleaved(
  first: Load,
  second: Load,
  sizes: { warmupSeconds: number; seconds: number },
  windows: number,
): Promise<[Measured, Measured]> {
  await drive(first, sizes.warmupSeconds);
  await drive(second, sizes.warmupSeconds);
  const seconds = sizes.seconds / windows;
  const results: [Measured[], Measured[]] = [[], []];
  for (let window = 0; window < windows; window += 1) {
    const order = window % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const which of order) results[which].push(await drive(which === 0 ? first : second, seconds));
  }
  const combine = (measured: Measured[]): Measured => {
    const total = measured.reduce((sum, one) => sum + one.total, 0);
    const duration = measured.reduce((sum, one) => sum + one.total / one.requestsPerSecond, 0);
    const p50s = measured.map((one) => one.p50Ms).sort((left, right) => left - right);
    return {
      requestsPerSecond: total / duration,
      p50Ms: p50s[Math.floor(p50s.length / 2)]!,
      p99Ms: Math.max(...measured.map((one) => one.p99Ms)),
      total,
    };
  };
  return [combine(results[0]), combine(results[1])];
}

/** Appends the server counted, from its own /metrics. */
async function appendsSoFar(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^ledger_store_appends_total\{outcome="ok"\} (\d+)/m.exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

/** Which halves to run: `API_HTTP_PART=reads|writes`; unset runs both. */
function parts(): { writes: boolean; reads: boolean } {
  const part = process.env.API_HTTP_PART;
  if (part === undefined || part === '') return { writes: true, reads: true };
  if (part !== 'reads' && part !== 'writes')
    throw new Error(`API_HTTP_PART must be reads or writes, got ${part}`);
  return { writes: part === 'writes', reads: part === 'reads' };
}

const format = (value: number): string => Math.round(value).toLocaleString('en-US');

export const apiHttpBenchmark: Benchmark = {
  name: 'api-http',
  describe: ({ quick }) => {
    const sizes = quick ? SIZES.quick : SIZES.full;
    return (
      `The ledger API server (services/ledger-api/src/server.ts) runs as its own process on 127.0.0.1 over durable SQLite ` +
      `(WAL, synchronous=FULL), LOG_LEVEL=warn, rate limit raised out of the way; autocannon drives it from the benchmark ` +
      `process with ${CONNECTIONS} connections for ${sizes.seconds} s after a ${sizes.warmupSeconds} s warm-up, over ` +
      `${format(sizes.volunteers)} registered volunteers picked at random. The baseline is a plain fastify process ` +
      `(no plugins) answering a route of the same shape, measured in the same run (for the query, in ${sizes.readWindows} ` +
      `alternating windows beside the ledger's, so that both see the same load on the machine). Both servers and the load generator ` +
      `share the machine's cores.`
    );
  },
  // eslint-disable-next-line max-lines-per-function -- not yet split: one benchmark's set-up, measurement and teardown in one try/finally
  async run({ quick }): Promise<Figure[]> {
    const sizes = quick ? SIZES.quick : SIZES.full;
    const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-api-'));
    const children: ChildProcess[] = [];
    try {
      // The server with the memory settings of `pnpm start`.
      startDefaultsChecked();
      const ledger = await startLedgerServer(serverPath, directory);
      children.push(ledger.child);
      const plain = await startServer(plainPath, {});
      children.push(plain.child);
      // The first run writes its administrator key to a 0600 file in the data directory.
      const adminKey = readFileSync(join(directory, 'bootstrap-admin.key'), 'utf8').trim();
      const world = await setUp(ledger.url, adminKey, sizes.volunteers);
      console.log(`${world.volunteerIds.length} volunteers registered`);
      const count = world.volunteerIds.length;
      const pick = (): number => Math.floor(Math.random() * count);
      const nextRecord = serviceRecords(count);

      const figures: Figure[] = [];
      const part = parts();
      if (part.writes) {
        const plainWrite = await measure(
          {
            url: plain.url,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            next: () => {
              const volunteer = pick();
              return {
                path: `/plain/${world.volunteerIds[volunteer]}/service-records`,
                body: nextRecord(volunteer),
              };
            },
          },
          sizes,
        );
        console.log(
          `plain fastify POST: ${format(plainWrite.requestsPerSecond)} req/s, p99 ${plainWrite.p99Ms} ms`,
        );
        const appendsBefore = await appendsSoFar(ledger.url);
        const load = writeLoad(ledger.url, world, 'bench', nextRecord);
        const writes = await measure(load, sizes);
        const appendsPerWrite = ((await appendsSoFar(ledger.url)) - appendsBefore) / load.requestsMade();
        console.log(
          `record-service-hours: ${format(writes.requestsPerSecond)} req/s, p50 ${writes.p50Ms} ms, p99 ${writes.p99Ms} ms, ${appendsPerWrite.toFixed(2)} appends per request`,
        );

        // The floor: what a server that does nothing but the durable minimum reaches here (issue #15).
        const floor = await startServer(floorPath, { FLOOR_WRITER: 'thread' });
        children.push(floor.child);
        let floorRequests = 0;
        const floorWrites = await measure(
          {
            url: floor.url,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            next: () => {
              const volunteer = pick();
              floorRequests += 1;
              return {
                path: `/v1/volunteers/${world.volunteerIds[volunteer]}/service-records`,
                body: nextRecord(volunteer),
                headers: { 'idempotency-key': `floor-${floorRequests}` },
              };
            },
          },
          sizes,
        );
        await stopServer(floor.child);
        console.log(
          `durable floor: ${format(floorWrites.requestsPerSecond)} req/s, p50 ${floorWrites.p50Ms} ms, p99 ${floorWrites.p99Ms} ms`,
        );

        figures.push(
          figure({
            name: `record-service-hours over HTTP, ${CONNECTIONS} connections, durable`,
            value: writes.requestsPerSecond,
            unit: 'requests/s',
            baseline: { name: 'plain fastify POST', value: plainWrite.requestsPerSecond },
            // Issue #15: at least 0.30x the plain POST measured in the same run.
            target: { comparison: '>=', value: 0.3, of: 'ratio' },
            note:
              `${appendsPerWrite.toFixed(2)} appends per request (the command's events and the claim of its ` +
              `Idempotency-Key, submitted together so that one group commit, one fsync, makes both durable); ` +
              `p50 ${writes.p50Ms} ms.`,
          }),
          figure({
            name: 'record-service-hours p99 latency',
            value: writes.p99Ms,
            unit: 'ms',
            baseline: { name: 'plain fastify POST p99', value: plainWrite.p99Ms },
            // Issue #15: p99 at most 3x the plain POST's.
            target: { comparison: '<=', value: 3, of: 'ratio' },
          }),
          figure({
            name: 'durable floor: the same POST doing only the durable minimum',
            value: floorWrites.requestsPerSecond,
            unit: 'requests/s',
            baseline: { name: 'plain fastify POST', value: plainWrite.requestsPerSecond },
            note:
              'scripts/bench/api-http-floor-server.ts: plain fastify parses the body and a writer thread commits ' +
              'one SQLite transaction per batch (WAL, synchronous=FULL, one batch in flight) inserting the event ' +
              '(sha-256 id, hash chain), the Idempotency-Key claim and one read-model row, then it answers 201. ' +
              'No authentication, validation, domain decision, idempotency lookup, canonical encoding, projector, ' +
              `metrics or logging: what the durable minimum alone reaches on this machine. p50 ${floorWrites.p50Ms} ms.`,
          }),
          figure({
            name: 'durable floor p99 latency',
            value: floorWrites.p99Ms,
            unit: 'ms',
            baseline: { name: 'plain fastify POST p99', value: plainWrite.p99Ms },
          }),
        );
      }
      if (part.reads) {
        const [plainRead, reads] = await measureInterleaved(
          {
            url: plain.url,
            method: 'GET',
            headers: {},
            next: () => ({ path: `/plain/p1/volunteers/${world.volunteerIds[pick()]}/redeemable-points` }),
          },
          {
            url: ledger.url,
            method: 'GET',
            headers: { authorization: `Bearer ${world.partnerKey}` },
            next: () => ({
              path: `/v1/partners/p1/volunteers/${world.volunteerIds[pick()]}/redeemable-points`,
            }),
          },
          sizes,
          sizes.readWindows,
        );
        console.log(
          `plain fastify GET: ${format(plainRead.requestsPerSecond)} req/s, p99 ${plainRead.p99Ms} ms`,
        );
        console.log(`redeemable-points: ${format(reads.requestsPerSecond)} req/s, p99 ${reads.p99Ms} ms`);

        figures.push(
          figure({
            name: `redeemable-points query over HTTP, ${CONNECTIONS} connections`,
            value: reads.requestsPerSecond,
            unit: 'requests/s',
            baseline: { name: 'plain fastify GET', value: plainRead.requestsPerSecond },
            // Issue #15: at least 0.80x the plain GET measured beside it.
            target: { comparison: '>=', value: 0.8, of: 'ratio' },
            note: `p50 ${reads.p50Ms} ms, p99 ${reads.p99Ms} ms.`,
          }),
        );
      }
      return figures;
    } finally {
      for (const child of children) await stopServer(child);
      rmSync(directory, { recursive: true, force: true });
    }
  },
};
