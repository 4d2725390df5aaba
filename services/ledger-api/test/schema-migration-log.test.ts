/**
 * A server that opens a SQLite store an older release left (schema version 3) migrates it before
 * it listens, and logs the migration through its pino logger as it goes.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { toVersion3Layout } from '@timebank/event-store-sqlite/testing';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { startServer, stopServer } from './server-process.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-migration-log-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

t.test('a server opening a store an older release left logs the schema migration', async (t) => {
  const dataDir = join(directory, 'version-3');
  mkdirSync(dataDir);
  const store = createSqliteEventStore({ path: join(dataDir, EVENT_STORE_FILE) });
  for (let n = 0; n < 2000; n += 100) {
    const batch = Array.from({ length: 100 }, (_, index) => newEvent(n + index));
    await store.appendToStream(`load-${n}`, batch, { expectedRevision: 'no_stream' });
  }
  await store.close();
  toVersion3Layout(join(dataDir, EVENT_STORE_FILE));

  const server = await startServer({
    LEDGER_DATA_DIR: dataDir,
    LEDGER_SWEEP_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
  });
  t.teardown(() => stopServer(server.child));
  const records = server
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.migration !== undefined);
  t.match(records, [
    {
      migration: 'start',
      fromVersion: 3,
      toVersion: 4,
      events: 2000,
      streams: 20,
      msg: 'event store: migrating schema version 3 to 4: 2000 events in 20 streams, in one transaction',
    },
    {
      migration: 'finish',
      fromVersion: 3,
      toVersion: 4,
      events: 2000,
      msg: /^event store: migrated schema version 3 to 4: 2000 events in /,
    },
  ]);
  t.equal(records.length, 2, 'no progress line for 2,000 events (one every 100,000 or 2 s)');
});
