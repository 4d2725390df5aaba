/**
 * Reading idempotency claims (`idempotency_claims`, written by the append path in the append's
 * transaction). Hashes are stored as 32-byte blobs and travel as lower-case hex.
 */
import type Database from 'better-sqlite3';
import type { IdempotencyClaim, StoredIdempotencyClaim } from '@timebank/event-store';

interface ClaimRow {
  readonly request_hash: Buffer;
  readonly stream_name: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/**
 * A lookup of one claim by its key hash, bound to `db` (which must use safe integers). The claim
 * row holds where the claiming append ended; its stream and revision are that event's.
 */
export function claimReader(db: Database.Database): (keyHash: string) => StoredIdempotencyClaim | undefined {
  const select = db.prepare<[Buffer, Buffer], ClaimRow>(
    `SELECT c.request_hash, s.stream_name, e.revision, c.position
       FROM idempotency_claims c JOIN events e ON e.position = c.position
       JOIN streams s ON s.stream_id = e.stream_id
      WHERE substr(c.key_hash, 1, 8) = ? AND c.key_hash = ?`,
  );
  return (keyHash) => {
    const key = Buffer.from(keyHash, 'hex');
    const row = select.get(key.subarray(0, 8), key);
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

/** Stores one claim: the append that claimed it ended at `position`. */
export function claimWriter(db: Database.Database): (claim: IdempotencyClaim, position: bigint) => void {
  const insert = db.prepare<[bigint, Buffer, Buffer]>(
    'INSERT INTO idempotency_claims (position, key_hash, request_hash) VALUES (?, ?, ?)',
  );
  return (claim, position) => {
    insert.run(position, Buffer.from(claim.keyHash, 'hex'), Buffer.from(claim.requestHash, 'hex'));
  };
}
