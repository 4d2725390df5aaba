/**
 * The API's store wrappers (metrics, catalogue check) pass every capability of the engine's store
 * through: a wrapper that dropped one (as the metrics wrapper once dropped `readAllPayloads`)
 * would silently turn the ledger's cache or a bulk replay into the slow path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { capabilitiesOf, payloadReaderOf, type EventStore } from '@timebank/event-store';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { ApiMetrics } from '../src/http/api-metrics.js';
import { catalogueCheckedStore } from '../src/http/catalogued-store.js';
import { instrumentStore } from '../src/http/instrumented-store.js';
import { portOnly } from '@timebank/event-store/testing';

function openSqlite(t: Test): EventStore {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-capabilities-'));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  t.teardown(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return store;
}

t.test('the wrapped store offers exactly the capabilities of the store it wraps', async (t) => {
  const sqlite = openSqlite(t);
  t.same(
    capabilitiesOf(sqlite),
    ['streamChangesSince', 'readAllPayloads', 'readIdempotencyClaim'],
    'SQLite offers all three',
  );
  for (const [name, store] of [
    ['sqlite', sqlite],
    ['no capabilities', portOnly(sqlite)],
  ] as const) {
    const wrapped = instrumentStore(catalogueCheckedStore(store), new ApiMetrics());
    t.same(capabilitiesOf(wrapped), capabilitiesOf(store), `${name}: the same capabilities`);
    t.equal(wrapped.engine, store.engine, `${name}: the same engine`);
  }
});

t.test('a capability called through the wrappers is the store’s own', async (t) => {
  const sqlite = openSqlite(t);
  const metrics = new ApiMetrics();
  const wrapped = instrumentStore(catalogueCheckedStore(sqlite), metrics);
  await wrapped.appendToStream(
    'volunteer-v1',
    [
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'VolunteerDeactivated',
        data: { volunteerId: 'v1', reason: 'moved away', deactivatedAt: '2026-01-01T00:00:00.000Z' },
        metadata: { schemaVersion: 1 },
      },
    ],
    { expectedRevision: 'any' },
  );
  const reader = payloadReaderOf(wrapped);
  t.ok(reader, 'the payload reader passes through');
  t.same(await reader?.readAllPayloads(), await payloadReaderOf(sqlite)?.readAllPayloads());
  t.same(
    wrapped.streamChangesSince?.(null).token,
    sqlite.streamChangesSince?.(null).token,
    'the change log is the store’s own',
  );
});
