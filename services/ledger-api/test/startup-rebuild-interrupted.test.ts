/**
 * The server's start-up rebuild (read models of an older build) interrupted by SIGTERM or SIGINT,
 * as a real process: it stops between two pages, drops its half-built `rb_` tables, logs why,
 * and exits 0 as a shutdown after listening does, the read models as they were; the next start
 * rebuilds them and serves. Until 2026-12 the signal met Node's default (exit 143, no line said
 * what happened) and the `rb_` tables stayed in projections.sqlite until the next start.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { openLedger, READ_MODELS_FILE } from '@timebank/ledger-opener';
import { READ_MODEL_SCHEMA_FINGERPRINT, rebuildReadModels } from '@timebank/projections';
import { generateLedger } from '@timebank/projections/testing';
import { startServer, stopServer } from './server-process.js';

const serverPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'server.ts');
const tsxLoader = import.meta.resolve('tsx');

/** The read-model file's rebuild tables, and the live set's fingerprint (undefined: none stored). */
function readModelState(dataDir: string): { rebuildTables: number; fingerprint: string | undefined } {
  const db = new Database(join(dataDir, READ_MODELS_FILE), { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rb\\_%' ESCAPE '\\'")
      .all();
    const stored = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'rm_schema'").get() !== undefined;
    const fingerprint = stored
      ? (db.prepare('SELECT fingerprint FROM rm_schema').get() as { fingerprint: string }).fingerprint
      : undefined;
    return { rebuildTables: tables.length, fingerprint };
  } finally {
    db.close();
  }
}

/** Starts the server and sends `signal` once it logs that it is rebuilding; resolves with its exit and output. */
function startAndSignal(dataDir: string, signal: NodeJS.Signals) {
  const child = spawn(process.execPath, ['--import', tsxLoader, serverPath], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', LEDGER_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && stdout.includes('rebuilding the read models from the event store')) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
    sent: boolean;
  }>((resolve) =>
    child.on('exit', (code, killed) => resolve({ code, signal: killed, stdout, stderr, sent })),
  );
}

t.test('SIGTERM or SIGINT during the start-up rebuild stops cleanly; the next start rebuilds', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-startup-rebuild-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  // Enough events that the rebuild still folds when the signal arrives (~100,000 events/s).
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  try {
    await generateLedger(opened.store, { volunteers: 20_000, eventsTarget: 300_000 });
    await rebuildReadModels({ store: opened.store, db: opened.readModels });
  } finally {
    await opened.close();
  }
  // Read models of a build from before fingerprints: the server must rebuild them before serving.
  const old = new Database(join(dataDir, READ_MODELS_FILE));
  old.exec('DROP TABLE rm_schema');
  old.close();

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const run = await startAndSignal(dataDir, signal);
    t.ok(run.sent, `${signal} was sent while the server rebuilt`);
    t.equal(run.code, 0, `exit 0 (signal ${run.signal}): ${run.stderr.slice(-300)}`);
    t.match(
      run.stdout,
      new RegExp(`"signal":"${signal}","msg":"signal during start-up: stopping before listening`),
    );
    t.match(run.stdout, /rebuild interrupted at position \d+ of \d+; the half-built tables were dropped/);
    t.match(run.stdout, /"msg":"stopped before listening"/);
    t.notMatch(run.stdout, /listening on/, 'it never listened');
    t.equal(run.stderr, '', 'no stack trace');
    t.same(
      readModelState(dataDir),
      { rebuildTables: 0, fingerprint: undefined },
      'no rb_ table left; the old read models are as they were',
    );
  }

  const server = await startServer({ LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  t.teardown(() => stopServer(server.child));
  t.match(server.stdout(), /read-model rebuild finished/);
  t.equal((await fetch(`${server.url}/readyz`)).status, 200, 'the next start serves');
  t.same(readModelState(dataDir), { rebuildTables: 0, fingerprint: READ_MODEL_SCHEMA_FINGERPRINT });
});
