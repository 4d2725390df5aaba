/**
 * One server process against two (`LEDGER_PROCESSES=2`, node:cluster) over PostgreSQL, for
 * record-service-hours over HTTP: the same load as api-http (autocannon, 50 connections, a fresh
 * Idempotency-Key per request, non-overlapping one-minute records on random volunteers), each
 * setting on its own fresh schema. Skipped with the reason printed when POSTGRES_URL is unset.
 *
 * Read the ratio with the machine in mind: the second process only adds throughput where a core
 * is free for it, and here PostgreSQL, autocannon and the server processes all share the cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CONNECTIONS, drive, setUp, stopServer, writeLoad, type Measured } from './api-http.js';
import { LEDGER_LAUNCHER } from './support/allocator.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

const SIZES = {
  quick: { volunteers: 200, warmupSeconds: 1, seconds: 3 },
  full: { volunteers: 2_000, warmupSeconds: 3, seconds: 10 },
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const serverPath = fileURLToPath(new URL('../../services/ledger-api/src/server.ts', import.meta.url));

/** Starts `server.ts` with `processes` processes; resolves once all of them listen. */
function startProcesses(environment: Record<string, string>, processes: number) {
  const child = spawn(process.execPath, [LEDGER_LAUNCHER, serverPath], {
    env: { PATH: process.env.PATH ?? '', ...environment, LEDGER_PROCESSES: String(processes) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // One process prints "listening on <url>"; the cluster's primary prints "<n> processes listening on <url>" once all do.
  const ready =
    processes === 1 ? /listening on (http:\/\/[^\s/]+)/ : /processes listening on (http:\/\/[^\s/]+)/;
  let stdout = '';
  let stderr = '';
  return new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = ready.exec(stdout);
      if (match !== null) resolve({ child, url: match[1]! });
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server.ts exited with ${code}: ${stderr}`)));
  });
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  await client.end();
}

/** Record-service-hours against `processes` server processes on a fresh schema. */
async function measureWrites(
  postgresUrl: string,
  processes: number,
  sizes: (typeof SIZES)['full'],
): Promise<Measured> {
  const schema = `bench_processes_${randomBytes(6).toString('hex')}`;
  const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-processes-'));
  let child: ChildProcess | undefined;
  try {
    const started = await startProcesses(
      {
        LEDGER_STORE: 'postgres',
        POSTGRES_URL: postgresUrl,
        POSTGRES_SCHEMA: schema,
        LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
        LEDGER_DATA_DIR: directory,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_REQUESTS_MAX: '10000000',
      },
      processes,
    );
    child = started.child;
    const adminKey = readFileSync(join(directory, 'bootstrap-admin.key'), 'utf8').trim();
    // Keys issued through one process count in the others within API_KEY_REFRESH_MS (1,000 ms by default).
    const world = await setUp(started.url, adminKey, sizes.volunteers, () => sleep(processes > 1 ? 1500 : 0));
    const load = writeLoad(started.url, world, `bench-${processes}`);
    await drive(load, sizes.warmupSeconds);
    return await drive(load, sizes.seconds);
  } finally {
    if (child !== undefined) await stopServer(child);
    await dropSchema(postgresUrl, schema);
    rmSync(directory, { recursive: true, force: true });
  }
}

const format = (value: number): string => Math.round(value).toLocaleString('en-US');

export const apiHttpProcessesBenchmark: Benchmark = {
  name: 'api-http-processes',
  describe: ({ quick }) => {
    const sizes = quick ? SIZES.quick : SIZES.full;
    return (
      `record-service-hours over HTTP against the ledger API on PostgreSQL, first as one process, then as ` +
      `LEDGER_PROCESSES=2 (node:cluster: one process projects, sweeps and serves, the other serves; both append ` +
      `through the store's expected-revision check), each on a fresh schema with ${format(sizes.volunteers)} ` +
      `volunteers; autocannon with ${CONNECTIONS} connections for ${sizes.seconds} s after a ${sizes.warmupSeconds} s ` +
      `warm-up. PostgreSQL, the load generator and the server processes share the machine's cores, so the ratio ` +
      `shows what a second process adds on this machine, not on a larger one.`
    );
  },
  async run({ quick, skip }): Promise<Figure[]> {
    const postgresUrl = process.env.POSTGRES_URL;
    if (postgresUrl === undefined || postgresUrl === '') {
      skip('POSTGRES_URL is not set, so there is no PostgreSQL server to measure');
      return [];
    }
    const sizes = quick ? SIZES.quick : SIZES.full;
    const one = await measureWrites(postgresUrl, 1, sizes);
    console.log(
      `1 process: ${format(one.requestsPerSecond)} req/s, p50 ${one.p50Ms} ms, p99 ${one.p99Ms} ms`,
    );
    const two = await measureWrites(postgresUrl, 2, sizes);
    console.log(
      `2 processes: ${format(two.requestsPerSecond)} req/s, p50 ${two.p50Ms} ms, p99 ${two.p99Ms} ms`,
    );
    return [
      figure({
        name: `record-service-hours over HTTP on PostgreSQL, 2 processes, ${CONNECTIONS} connections`,
        value: two.requestsPerSecond,
        unit: 'requests/s',
        baseline: { name: '1 process', value: one.requestsPerSecond },
        note: `p50 ${two.p50Ms} ms with 2 processes, ${one.p50Ms} ms with 1; machine cores: see the machine line.`,
      }),
      figure({
        name: 'record-service-hours p99 latency, 2 processes',
        value: two.p99Ms,
        unit: 'ms',
        baseline: { name: '1 process p99', value: one.p99Ms },
      }),
    ];
  },
};
