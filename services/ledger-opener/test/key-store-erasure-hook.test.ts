/**
 * Re-applying an erasure list to a restored key store (`pnpm ledger restore --erasure-list`) says
 * what it did for each line: a data key destroyed, one erased already, or, for an id with no key
 * in the restored store (registered after the backup, or never this ledger's), a tombstone only.
 * Until this release that last case read "data key and index entries destroyed".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { keyStoreErasureHook } from '../src/key-store-erasure-hook.js';
import { PERSONAL_KEYS_FILE } from '../src/file-names.js';
import { openSqliteKeyStore } from '../src/sqlite-key-store.js';

t.test('each re-applied erasure says whether a key was destroyed', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timebank-erasure-hook-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = openSqliteKeyStore(join(dataDir, PERSONAL_KEYS_FILE));
  await store.insertDataKey('v-known', Buffer.alloc(60, 1));
  await store.close();
  const record = (volunteerId: string) => ({
    volunteerId,
    erasedAt: '2026-12-01T00:00:00.000Z',
    reason: 'consent_withdrawn',
  });

  const known = await keyStoreErasureHook.reapply(record('v-known'), dataDir);
  t.match(known, { outcome: 'erased', detail: /data key and index entries destroyed$/ });
  const again = await keyStoreErasureHook.reapply(record('v-known'), dataDir);
  t.match(again, { outcome: 'already-erased' });
  const unknown = await keyStoreErasureHook.reapply(record('v-never-here'), dataDir);
  t.match(unknown, { outcome: 'erased', detail: /has no data key for this id/ });
  t.notMatch(unknown.detail, /destroyed/);
  const reopened = openSqliteKeyStore(join(dataDir, PERSONAL_KEYS_FILE));
  t.teardown(() => reopened.close());
  t.match(
    await reopened.dataKey('v-never-here'),
    { state: 'erased' },
    'a tombstone keeps a key from being made',
  );
});
