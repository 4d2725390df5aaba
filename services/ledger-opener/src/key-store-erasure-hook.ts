/**
 * The ErasureHook that `pnpm ledger restore` uses: re-applies one recorded erasure to the key
 * store of a restored data directory, destroying the volunteer's data key (leaving the tombstone
 * that stops a new key being minted) and the duplicate-index entries that name the volunteer.
 * Read models hold no personal data (docs/projections.md), so the key store is all there is.
 */
import { join } from 'node:path';
import type { ErasureHook } from './erasure-list.js';
import { PERSONAL_KEYS_FILE } from './file-names.js';
import { openSqliteKeyStore } from './sqlite-key-store.js';

export const keyStoreErasureHook: ErasureHook = {
  async reapply(record, dataDir) {
    // Opening creates the file when the backup had none: the tombstone still guards against minting.
    const store = openSqliteKeyStore(join(dataDir, PERSONAL_KEYS_FILE));
    try {
      const before = await store.dataKey(record.volunteerId);
      // Erasing again is harmless and also removes an index entry a restored backup might hold.
      await store.erase(record.volunteerId, record.erasedAt);
      if (before?.state === 'erased') {
        return {
          volunteerId: record.volunteerId,
          outcome: 'already-erased',
          detail: `the restored key store had erased the key at ${before.erasedAt}`,
        };
      }
      // No key to destroy: registered after the backup was taken, or an id this ledger never had.
      // Said so: "data key destroyed" for an id with none misled the operator checking the list.
      if (before === null) {
        return {
          volunteerId: record.volunteerId,
          outcome: 'erased',
          detail:
            `erased ${record.erasedAt} (${record.reason}); the restored key store has no data key for this id ` +
            '(registered after the backup, or an id this ledger never had): a tombstone keeps one from being made',
        };
      }
      return {
        volunteerId: record.volunteerId,
        outcome: 'erased',
        detail: `erased ${record.erasedAt} (${record.reason}); data key and index entries destroyed`,
      };
    } finally {
      await store.close();
    }
  },
};
