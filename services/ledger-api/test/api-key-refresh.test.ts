/**
 * The key registry's freshness bound, on a clock the test moves: a registry sees keys another
 * registry (another process) issued or revoked once its fold is older than the refresh interval,
 * and not before; concurrent requests share one catch-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { ApiKeyRegistry } from '../src/auth/api-keys.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

const INTERVAL_MS = 1000;

t.test('a registry follows keys issued and revoked elsewhere within its refresh interval', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-key-refresh-'));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  t.teardown(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });
  let nowMs = 0;
  const options = { refreshIntervalMs: INTERVAL_MS, monotonicMs: () => nowMs };
  const here = await ApiKeyRegistry.load(store, options);
  const elsewhere = await ApiKeyRegistry.load(store, options);

  const { key, record } = await elsewhere.issue({
    role: 'auditor',
    scope: { kind: 'all' },
    label: 'issued elsewhere',
    issuedBy: 'test',
    idempotencyKey: 'issue-1',
  });
  nowMs = INTERVAL_MS;
  await here.refresh();
  t.equal(here.authenticate(key), undefined, 'within the interval the fold may be stale');
  nowMs = INTERVAL_MS + 1;
  await here.refresh();
  t.equal(here.authenticate(key)?.keyId, record.keyId, 'past the interval the new key counts');

  await elsewhere.revoke({
    keyId: record.keyId,
    reason: 'left',
    revokedBy: 'test',
    idempotencyKey: 'revoke-1',
  });
  t.ok(here.authenticate(key), 'not yet refreshed');
  nowMs += INTERVAL_MS + 1;
  let reads = 0;
  const counted = store.readStream.bind(store);
  store.readStream = async (...parameters) => {
    reads += 1;
    return counted(...parameters);
  };
  await Promise.all([here.refresh(), here.refresh(), here.refresh()]);
  t.equal(here.authenticate(key), undefined, 'past the interval the revocation counts');
  t.equal(reads, 2, 'three concurrent requests shared one catch-up (a page and the empty page after it)');
});
