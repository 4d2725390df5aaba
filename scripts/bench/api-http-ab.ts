/**
 * `tsx scripts/bench/api-http-ab.ts`: one route of two working trees (say main and a branch) and
 * the plain fastify route of the same shape, side by side in one run, as server CPU per request.
 * Each tree's ledger server runs as its own process; the three are driven in alternating windows
 * (A B P, P B A, …) so that all see the machine as it was over the same minutes, and each
 * process's CPU (user and system, from /proc/<pid>/task/<tid>/stat) is divided by the requests it
 * answered, for the request thread and for every other thread. On shared cores whose speed moves
 * ±15 % from run to run, that compares two versions of the code more steadily than two
 * `pnpm bench` runs: two identical trees read within about 1 µs of each other (issue #15).
 *
 * `AB_ROUTE=points` (the default) is the redeemable-points query; `AB_ROUTE=writes` is durable
 * record-service-hours, where the writer and projector threads and V8's GC helper threads work
 * too, and on two cores what they all spend bounds the rate. The line also gives the load
 * generator's own CPU per request (autocannon runs in this process). Linux only.
 *
 *   AB_TREES=base:/work/wt/main,branch:/work/wt/mine [AB_ROUTE=points|writes] [AB_ROUNDS=8] [AB_WINDOW_SECONDS=3] tsx scripts/bench/api-http-ab.ts
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  drive,
  serviceRecords,
  setUp,
  startLedgerServer,
  startServer,
  stopServer,
  writeLoad,
  type Load,
} from './api-http.js';

/** Volunteers each ledger registers; each request picks one at random. */
const VOLUNTEERS = 500;

type Route = 'points' | 'writes';
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

const plainPath = fileURLToPath(new URL('./api-http-plain-server.ts', import.meta.url));
const floorPath = fileURLToPath(new URL('./api-http-floor-server.ts', import.meta.url));

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly load: Load;
  readonly directory?: string;
  requests: number;
  seconds: number;
  userMicroseconds: number;
  systemMicroseconds: number;
  /** CPU of the process's threads other than the request thread, in µs, by thread id. */
  readonly otherThreadMicroseconds: Map<string, number>;
  /** This process's own CPU (the load generator) while it drove the server, in µs. */
  loadGeneratorMicroseconds: number;
}

interface ThreadCpu {
  readonly user: number;
  readonly system: number;
}

/** User and system CPU of each thread of a process so far, in µs, by thread id. */
function threadsCpuOf(pid: number): Map<string, ThreadCpu> {
  const microseconds = (ticks: string | undefined): number => (Number(ticks) * 1e6) / TICKS_PER_SECOND;
  const threads = new Map<string, ThreadCpu>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    threads.set(tid, { user: microseconds(fields[11]), system: microseconds(fields[12]) });
  }
  return threads;
}

/** Adds what each thread spent between two readings to `server`. */
function account(server: Server, before: Map<string, ThreadCpu>, after: Map<string, ThreadCpu>): void {
  const requestThread = String(server.child.pid);
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { user: 0, system: 0 };
    if (tid === requestThread) {
      server.userMicroseconds += now.user - then.user;
      server.systemMicroseconds += now.system - then.system;
    } else {
      const spent = now.user - then.user + now.system - then.system;
      server.otherThreadMicroseconds.set(tid, (server.otherThreadMicroseconds.get(tid) ?? 0) + spent);
    }
  }
}

function newServer(name: string, child: ChildProcess, load: Load, directory?: string): Server {
  return {
    name,
    child,
    load,
    ...(directory === undefined ? {} : { directory }),
    requests: 0,
    seconds: 0,
    userMicroseconds: 0,
    systemMicroseconds: 0,
    otherThreadMicroseconds: new Map(),
    loadGeneratorMicroseconds: 0,
  };
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

async function startLedger(name: string, tree: string, route: Route): Promise<Server> {
  const directory = mkdtempSync(join(tmpdir(), `timebank-ab-${name}-`));
  const started = await startLedgerServer(join(tree, 'services/ledger-api/src/server.ts'), directory);
  const adminKey = readFileSync(join(directory, 'bootstrap-admin.key'), 'utf8').trim();
  const world = await setUp(started.url, adminKey, VOLUNTEERS);
  const ids = world.volunteerIds;
  const load: Load =
    route === 'writes'
      ? writeLoad(started.url, world, `ab-${name}`)
      : {
          url: started.url,
          method: 'GET',
          headers: { authorization: `Bearer ${world.partnerKey}` },
          next: () => ({
            path: `/v1/partners/p1/volunteers/${ids[Math.floor(Math.random() * ids.length)]}/redeemable-points`,
          }),
        };
  return newServer(name, started.child, load, directory);
}

async function startPlain(route: Route): Promise<Server> {
  const started = await startServer(plainPath, {});
  const ids = Array.from({ length: VOLUNTEERS }, (_, index) => `v${index.toString(16).padStart(31, '0')}`);
  const pick = (): number => Math.floor(Math.random() * ids.length);
  const nextRecord = serviceRecords(ids.length);
  const load: Load =
    route === 'writes'
      ? {
          url: started.url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          next: () => {
            const volunteer = pick();
            return { path: `/plain/${ids[volunteer]}/service-records`, body: nextRecord(volunteer) };
          },
        }
      : {
          url: started.url,
          method: 'GET',
          headers: { authorization: 'Bearer tbk_plain' },
          next: () => ({ path: `/plain/p1/volunteers/${ids[pick()]}/redeemable-points` }),
        };
  return newServer('plain', started.child, load);
}

/** The floor: a durable append, its claim and one read-model row in one thread (floor-server.ts). */
async function startFloor(): Promise<Server> {
  const started = await startServer(
    floorPath,
    Object.fromEntries(
      ['FLOOR_SYNCHRONOUS', 'FLOOR_WRITER'].flatMap((name) =>
        process.env[name] === undefined ? [] : [[name, process.env[name]]],
      ),
    ),
  );
  const ids = Array.from({ length: VOLUNTEERS }, (_, index) => `v${index.toString(16).padStart(31, '0')}`);
  const nextRecord = serviceRecords(ids.length);
  let counter = 0;
  const load: Load = {
    url: started.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer tbk_floor' },
    next: () => {
      const volunteer = Math.floor(Math.random() * ids.length);
      counter += 1;
      return {
        path: `/v1/volunteers/${ids[volunteer]}/service-records`,
        body: nextRecord(volunteer),
        headers: { 'idempotency-key': `floor-${counter}` },
      };
    },
  };
  return newServer('floor', started.child, load);
}

/** One server's line: rate, ratio, request thread's CPU, other threads' CPU, load generator's CPU. */
function report(server: Server, plainRate: number): string {
  const rate = server.requests / server.seconds;
  const perRequest = (microseconds: number): number => microseconds / server.requests;
  const user = perRequest(server.userMicroseconds);
  const system = perRequest(server.systemMicroseconds);
  const others = [...server.otherThreadMicroseconds.values()].map(perRequest).sort((a, b) => b - a);
  const othersTotal = others.reduce((sum, value) => sum + value, 0);
  const busiest = others.filter((value) => value >= 1).map((value) => value.toFixed(0));
  return (
    `${server.name.padEnd(8)} ${rate.toFixed(0).padStart(7)} req/s  ratio ${(rate / plainRate).toFixed(3)}  ` +
    `cpu ${(user + system).toFixed(2)} µs/req (user ${user.toFixed(2)}, system ${system.toFixed(2)})  ` +
    `other threads ${othersTotal.toFixed(1)} µs/req${busiest.length > 0 ? ` (${busiest.join(', ')})` : ''}  ` +
    `process ${(user + system + othersTotal).toFixed(1)}  load generator ${perRequest(server.loadGeneratorMicroseconds).toFixed(1)}`
  );
}

/** CPU of this process (the load generator) so far, in µs. */
function ownCpu(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

async function main(): Promise<void> {
  const trees = (process.env.AB_TREES ?? '').split(',').filter((entry) => entry !== '');
  if (trees.length === 0) throw new Error('AB_TREES must name the trees: name:/path,name:/path');
  const route = process.env.AB_ROUTE ?? 'points';
  if (route !== 'points' && route !== 'writes') throw new Error('AB_ROUTE must be points or writes');
  const rounds = positive('AB_ROUNDS', 8);
  const windowSeconds = positive('AB_WINDOW_SECONDS', 3);
  const servers: Server[] = [];
  try {
    for (const entry of trees) {
      const [name, tree] = entry.split(':');
      if (name === undefined || tree === undefined)
        throw new Error(`AB_TREES entry ${entry} is not name:/path`);
      servers.push(await startLedger(name, tree, route));
    }
    if (process.env.AB_FLOOR === '1' && route === 'writes') servers.push(await startFloor());
    servers.push(await startPlain(route));
    for (const server of servers) await drive(server.load, 3);
    for (let round = 0; round < rounds; round += 1) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const pid = server.child.pid!;
        const before = threadsCpuOf(pid);
        const ownBefore = ownCpu();
        const measured = await drive(server.load, windowSeconds);
        server.loadGeneratorMicroseconds += ownCpu() - ownBefore;
        account(server, before, threadsCpuOf(pid));
        server.requests += measured.total;
        server.seconds += measured.total / measured.requestsPerSecond;
      }
    }
    const plain = servers.at(-1)!;
    const plainRate = plain.requests / plain.seconds;
    console.log(`AB_ROUTE=${route}, ${rounds} rounds of ${windowSeconds} s windows`);
    for (const server of servers) console.log(report(server, plainRate));
  } finally {
    for (const server of servers) {
      await stopServer(server.child);
      if (server.directory !== undefined) rmSync(server.directory, { recursive: true, force: true });
    }
  }
}

await main();
