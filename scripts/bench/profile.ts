/**
 * `pnpm bench profile`: where a request's time goes. Starts the real ledger server
 * (services/ledger-api/src/server.ts, durable SQLite) under V8's sampling profiler (`--cpu-prof`,
 * every thread), drives one route with autocannon as the api-http benchmark does, and prints the
 * CPU time spent inside the measured window per request, by area, for the request thread and for
 * the other threads (writer, projector and tsx's loader, when there are any).
 *
 *   pnpm bench profile [--route writes|points] [--store sqlite|postgres] [--seconds 12] [--warmup-seconds 3] [--volunteers 500] [--interval-us 500] [--keep]
 *
 * `--route writes` (the default) drives record-service-hours (POST, a desk key, a fresh
 * Idempotency-Key each); `--route points` drives the partner's redeemable-points query (GET, a
 * partner key), the api-http benchmark's read half. `--store postgres` runs the server on the
 * PostgreSQL at POSTGRES_URL, in a fresh schema dropped afterwards (the default is durable SQLite).
 *
 * The window is marked with this process's monotonic clock, which is the clock V8 stamps samples
 * with on Linux, so set-up, warm-up and shutdown are left out. `--keep` keeps the .cpuprofile
 * files (open them in Chrome DevTools or speedscope) and prints where they are.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  CONNECTIONS,
  drive,
  setUp,
  startServer,
  stopServer,
  writeLoad,
  type Load,
  type World,
} from './api-http.js';
import { AREAS, samplesInWindow, type ThreadSamples } from './profile-areas.js';
import { LEDGER_MALLOC_ENV, LEDGER_NODE_FLAGS } from './support/allocator.js';

const USAGE =
  'usage: pnpm bench profile [--route writes|points] [--store sqlite|postgres] [--seconds 12] [--warmup-seconds 3] [--volunteers 500] [--interval-us 500] [--keep]';

const ROUTES = ['writes', 'points'] as const;
type Route = (typeof ROUTES)[number];

const serverPath = fileURLToPath(new URL('../../services/ledger-api/src/server.ts', import.meta.url));

/** Functions listed by self time under the table. */
const TOP_FUNCTIONS = 20;

const monotonicMicroseconds = (): number => Number(process.hrtime.bigint() / 1000n);

function positiveNumber(text: string | undefined, fallback: number, name: string): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number\n${USAGE}`);
  return value;
}

/** `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`: thread 0 is the main (request) thread. */
const isMainThread = (file: string): boolean => file.split('.')[4] === '0';

function printTable(threads: readonly ThreadSamples[], writes: number, unit: string): void {
  const main = threads.filter((thread) => isMainThread(thread.file));
  const others = threads.filter((thread) => !isMainThread(thread.file));
  const sum = (group: readonly ThreadSamples[], area: (typeof AREAS)[number]): number =>
    group.reduce((total, thread) => total + (thread.microsecondsByArea.get(area) ?? 0), 0);
  const perWrite = (microseconds: number): string => (microseconds / writes).toFixed(0).padStart(8);
  const requestHeading = `request thread µs/${unit}`.padEnd(23);
  const otherHeading = `other threads µs/${unit}`.padEnd(22);
  console.log(`\n| area                         | ${requestHeading} | ${otherHeading} |`);
  console.log(
    `| ---------------------------- | ${'-'.repeat(requestHeading.length)} | ${'-'.repeat(otherHeading.length)} |`,
  );
  let busyMain = 0;
  let busyOthers = 0;
  for (const area of AREAS) {
    const onMain = sum(main, area);
    const onOthers = sum(others, area);
    if (onMain === 0 && onOthers === 0) continue;
    if (area !== 'idle') {
      busyMain += onMain;
      busyOthers += onOthers;
    }
    console.log(
      `| ${area.padEnd(28)} | ${perWrite(onMain).padStart(23)} | ${perWrite(onOthers).padStart(22)} |`,
    );
  }
  console.log(
    `| ${'busy (all but idle)'.padEnd(28)} | ${perWrite(busyMain).padStart(23)} | ${perWrite(busyOthers).padStart(22)} |`,
  );
  const top = [...(main[0]?.microsecondsByFunction ?? [])]
    .filter(([label]) => label !== '(idle)')
    .sort((left, right) => right[1] - left[1])
    .slice(0, TOP_FUNCTIONS);
  console.log(`\nrequest thread, most self time (µs/${unit}):`);
  for (const [label, microseconds] of top) console.log(`${perWrite(microseconds)}  ${label}`);
  console.log('');
  for (const thread of threads) {
    const idle = thread.microsecondsByArea.get('idle') ?? 0;
    const busy = thread.windowMicroseconds === 0 ? 0 : 1 - idle / thread.windowMicroseconds;
    console.log(`${thread.file}: busy ${(busy * 100).toFixed(1)} % of the sampled window`);
  }
}

/** The partner's redeemable-points query for a random volunteer, as the api-http benchmark reads. */
function pointsLoad(url: string, world: World): Load {
  const count = world.volunteerIds.length;
  return {
    url,
    method: 'GET',
    headers: { authorization: `Bearer ${world.partnerKey}` },
    next: () => ({
      path: `/v1/partners/p1/volunteers/${world.volunteerIds[Math.floor(Math.random() * count)]}/redeemable-points`,
    }),
  };
}

/** The server's store settings for `--store`, and how to remove what the run left in it. */
function storeEnvironment(store: string): { environment: Record<string, string>; drop: () => Promise<void> } {
  if (store === 'sqlite') return { environment: {}, drop: async () => {} };
  if (store !== 'postgres') throw new Error(`--store must be sqlite or postgres\n${USAGE}`);
  const url = process.env.POSTGRES_URL;
  if (url === undefined || url === '')
    throw new Error('--store postgres needs POSTGRES_URL in the environment');
  const schema = `bench_profile_${randomBytes(6).toString('hex')}`;
  return {
    environment: {
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: url,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
    },
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      await client.end();
    },
  };
}

/** The command line of `pnpm bench profile`, checked. */
function profileOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      route: { type: 'string', default: 'writes' },
      store: { type: 'string', default: 'sqlite' },
      seconds: { type: 'string' },
      'warmup-seconds': { type: 'string' },
      volunteers: { type: 'string' },
      'interval-us': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const route = values.route as Route;
  if (!ROUTES.includes(route)) throw new Error(`--route must be one of ${ROUTES.join(', ')}\n${USAGE}`);
  return {
    route,
    store: storeEnvironment(values.store),
    seconds: positiveNumber(values.seconds, 12, 'seconds'),
    warmupSeconds: positiveNumber(values['warmup-seconds'], 3, 'warmup-seconds'),
    volunteers: positiveNumber(values.volunteers, 500, 'volunteers'),
    intervalMicroseconds: positiveNumber(values['interval-us'], 500, 'interval-us'),
    keep: values.keep,
  };
}

export async function runProfile(argv: readonly string[]): Promise<void> {
  const { route, store, seconds, warmupSeconds, volunteers, intervalMicroseconds, keep } =
    profileOptions(argv);
  const dataDirectory = mkdtempSync(join(tmpdir(), 'timebank-profile-data-'));
  const profileDirectory = mkdtempSync(join(tmpdir(), 'timebank-profile-'));
  try {
    const ledger = await startServer(
      serverPath,
      {
        ...LEDGER_MALLOC_ENV,
        LEDGER_DATA_DIR: dataDirectory,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_REQUESTS_MAX: '10000000',
        ...store.environment,
      },
      [
        ...LEDGER_NODE_FLAGS,
        '--cpu-prof',
        '--cpu-prof-dir',
        profileDirectory,
        '--cpu-prof-interval',
        String(intervalMicroseconds),
      ],
      // Under tsx, not the launcher: the areas are told apart by each frame's source file.
      'tsx',
    );
    let window: { from: number; to: number; writes: number };
    try {
      const adminKey = readFileSync(join(dataDirectory, 'bootstrap-admin.key'), 'utf8').trim();
      const world = await setUp(ledger.url, adminKey, volunteers);
      const load =
        route === 'writes' ? writeLoad(ledger.url, world, 'profile') : pointsLoad(ledger.url, world);
      await drive(load, warmupSeconds);
      const from = monotonicMicroseconds();
      const measured = await drive(load, seconds);
      window = { from, to: monotonicMicroseconds(), writes: measured.total };
      console.log(
        `${route === 'writes' ? 'record-service-hours' : 'redeemable-points'}, ${CONNECTIONS} connections, ${seconds} s: ${measured.total} requests, ${Math.round(measured.requestsPerSecond)} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms`,
      );
    } finally {
      // The profiles are written when the server exits.
      await stopServer(ledger.child);
    }
    const files = readdirSync(profileDirectory).filter((file) => file.endsWith('.cpuprofile'));
    if (files.length === 0) throw new Error(`the server wrote no profile to ${profileDirectory}`);
    const threads = files.map((file) =>
      samplesInWindow(join(profileDirectory, file), window.from, window.to),
    );
    printTable(threads, window.writes, route === 'writes' ? 'write' : 'read');
    if (keep) console.log(`\nprofiles kept in ${profileDirectory}`);
  } finally {
    await store.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
    if (!keep) rmSync(profileDirectory, { recursive: true, force: true });
  }
}
