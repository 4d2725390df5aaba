import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';
import { toVersion3Layout } from '../src/testing/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-migration-crash-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

const EVENTS = 3000;

/** What the file holds, read without migrating it. */
function contents(path: string): { version: unknown; rows: unknown[]; tables: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }),
      rows: db.prepare('SELECT position, id, hash, recorded_at FROM events ORDER BY position').raw().all(),
      tables: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all(),
    };
  } finally {
    db.close();
  }
}

t.test('SIGKILL in the middle of the migration leaves the version-3 store as it was', async (t) => {
  const path = join(directory, 'version-3.db');
  const store = createSqliteEventStore({ path });
  for (let n = 0; n < EVENTS; n += 50) {
    const batch = Array.from({ length: 50 }, (_, index) => newEvent(n + index));
    await store.appendToStream(`volunteer-${n}`, batch, { expectedRevision: 'no_stream' });
  }
  await store.close();
  toVersion3Layout(path);
  const before = contents(path);
  t.equal(before.version, 3);
  t.equal(before.rows.length, EVENTS);

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures', 'migrating-child.ts'), path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const phases: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const { phase } = JSON.parse(line) as { phase: string };
    phases.push(phase);
    if (phase === 'progress') child.kill('SIGKILL');
  }
  t.equal(await exited, 'SIGKILL', 'killed');
  t.same(phases, ['start', 'progress'], 'killed after the first 500 events were copied, before the finish');

  const integrity = new Database(path);
  t.equal(integrity.pragma('integrity_check', { simple: true }), 'ok', 'the file is intact');
  integrity.close();
  t.same(contents(path), before, 'version 3, every row as it was, no half-built table');

  const migrated = createSqliteEventStore({ path });
  t.teardown(() => migrated.close());
  t.equal(
    (await migrated.readAll({ maxCount: EVENTS + 1 })).length,
    EVENTS,
    'the next open migrates it whole',
  );
  t.equal(contents(path).version, 4);
});
