/**
 * Reading idempotency claims (`idempotency_claims`, written by the append path in the append's
 * transaction). Hashes are stored as 32-byte blobs and travel as lower-case hex.
 */
import type Database from 'better-sqlite3';
import type { StoredIdempotencyClaim } from '@timebank/event-store';

interface ClaimRow {
  readonly request_hash: Buffer;
  readonly stream_name: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/** A lookup of one claim by its key hash, bound to `db` (which must use safe integers). */
export function claimReader(db: Database.Database): (keyHash: string) => StoredIdempotencyClaim | undefined {
  const select = db.prepare<[Buffer], ClaimRow>(
    'SELECT request_hash, stream_name, revision, position FROM idempotency_claims WHERE key_hash = ?',
  );
  return (keyHash) => {
    const row = select.get(Buffer.from(keyHash, 'hex'));
    return (
      row && {
        keyHash,
        requestHash: row.request_hash.toString('hex'),
        streamName: row.stream_name,
        nextExpectedRevision: row.revision,
        position: row.position,
      }
    );
  };
}
