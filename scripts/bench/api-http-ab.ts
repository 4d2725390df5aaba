/**
 * `tsx scripts/bench/api-http-ab.ts`: the redeemable-points query of two working trees (say main
 * and a branch) and the plain fastify GET, side by side in one run, as server CPU per request.
 * Each tree's ledger server runs as its own process; the three are driven in alternating windows
 * (A B P, P B A, …) so that all see the machine as it was over the same minutes, and each
 * process's CPU (user and system, from /proc/<pid>/stat) is divided by the requests it answered.
 * On shared cores whose speed moves ±15 % from run to run, that compares two versions of the code
 * more steadily than two `pnpm bench` runs: two identical trees read within about 1 µs of each
 * other (issue #15). Linux only.
 *
 *   AB_TREES=base:/work/wt/main,branch:/work/wt/mine [AB_ROUNDS=8] [AB_WINDOW_SECONDS=3] tsx scripts/bench/api-http-ab.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drive, setUp, startLedgerServer, startServer, stopServer, type Load } from './api-http.js';

/** Volunteers each ledger registers; reads pick one at random. */
const VOLUNTEERS = 500;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

const plainPath = fileURLToPath(new URL('./api-http-plain-server.ts', import.meta.url));

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly load: Load;
  readonly directory?: string;
  requests: number;
  seconds: number;
  userMicroseconds: number;
  systemMicroseconds: number;
}

/** User and system CPU of a process so far, in µs. */
function cpuOf(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const microseconds = (ticks: string | undefined): number => (Number(ticks) * 1e6) / TICKS_PER_SECOND;
  return { user: microseconds(fields[11]), system: microseconds(fields[12]) };
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

async function startLedger(name: string, tree: string): Promise<Server> {
  const directory = mkdtempSync(join(tmpdir(), `timebank-ab-${name}-`));
  const started = await startLedgerServer(join(tree, 'services/ledger-api/src/server.ts'), directory);
  const adminKey = readFileSync(join(directory, 'bootstrap-admin.key'), 'utf8').trim();
  const world = await setUp(started.url, adminKey, VOLUNTEERS);
  const ids = world.volunteerIds;
  const load: Load = {
    url: started.url,
    method: 'GET',
    headers: { authorization: `Bearer ${world.partnerKey}` },
    next: () => ({
      path: `/v1/partners/p1/volunteers/${ids[Math.floor(Math.random() * ids.length)]}/redeemable-points`,
    }),
  };
  return {
    name,
    child: started.child,
    load,
    directory,
    requests: 0,
    seconds: 0,
    userMicroseconds: 0,
    systemMicroseconds: 0,
  };
}

async function startPlain(): Promise<Server> {
  const started = await startServer(plainPath, {});
  const ids = Array.from({ length: VOLUNTEERS }, (_, index) => `v${index.toString(16).padStart(31, '0')}`);
  const load: Load = {
    url: started.url,
    method: 'GET',
    headers: { authorization: 'Bearer tbk_plain' },
    next: () => ({
      path: `/plain/p1/volunteers/${ids[Math.floor(Math.random() * ids.length)]}/redeemable-points`,
    }),
  };
  return {
    name: 'plain',
    child: started.child,
    load,
    requests: 0,
    seconds: 0,
    userMicroseconds: 0,
    systemMicroseconds: 0,
  };
}

async function main(): Promise<void> {
  const trees = (process.env.AB_TREES ?? '').split(',').filter((entry) => entry !== '');
  if (trees.length === 0) throw new Error('AB_TREES must name the trees: name:/path,name:/path');
  const rounds = positive('AB_ROUNDS', 8);
  const windowSeconds = positive('AB_WINDOW_SECONDS', 3);
  const servers: Server[] = [];
  try {
    for (const entry of trees) {
      const [name, tree] = entry.split(':');
      if (name === undefined || tree === undefined)
        throw new Error(`AB_TREES entry ${entry} is not name:/path`);
      servers.push(await startLedger(name, tree));
    }
    servers.push(await startPlain());
    for (const server of servers) await drive(server.load, 3);
    for (let round = 0; round < rounds; round += 1) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const pid = server.child.pid!;
        const before = cpuOf(pid);
        const measured = await drive(server.load, windowSeconds);
        const after = cpuOf(pid);
        server.requests += measured.total;
        server.seconds += measured.total / measured.requestsPerSecond;
        server.userMicroseconds += after.user - before.user;
        server.systemMicroseconds += after.system - before.system;
      }
    }
    const plain = servers.at(-1)!;
    for (const server of servers) {
      const rate = server.requests / server.seconds;
      const user = server.userMicroseconds / server.requests;
      const system = server.systemMicroseconds / server.requests;
      console.log(
        `${server.name.padEnd(8)} ${rate.toFixed(0).padStart(7)} req/s  ratio ${(rate / (plain.requests / plain.seconds)).toFixed(3)}  ` +
          `cpu ${(user + system).toFixed(2)} µs/req (user ${user.toFixed(2)}, system ${system.toFixed(2)})`,
      );
    }
  } finally {
    for (const server of servers) {
      await stopServer(server.child);
      if (server.directory !== undefined) rmSync(server.directory, { recursive: true, force: true });
    }
  }
}

await main();
