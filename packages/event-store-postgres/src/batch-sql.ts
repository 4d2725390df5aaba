import pg from 'pg';
import type { StoredIdempotencyClaim } from '@timebank/event-store';
import type { EventRow, QueuedAppend, StoredBatchState, StoredId, StreamHead } from './plan-batch.js';

/**
 * The two round trips of a group commit, as simple-protocol multi-statement queries. Round trips,
 * not CPU, bound the append rate (every append of every process waits behind the append lock), so
 * each batch costs exactly two: "begin, lock, read the state" and "insert, notify, commit".
 *
 * Values are inlined as literals, which the simple protocol requires. They are safe to inline:
 * numbers are bigints, stream names, types and ids passed the port's strict patterns, hashes are
 * hex, and every string still goes through `pg.escapeLiteral`.
 */

/**
 * Statement list 1. The lock must be a statement of its own before the reads: a statement's
 * snapshot is taken when it starts, so reading in the same statement that waits for the lock
 * would miss the commit of the writer we waited for.
 */
export function beginAndReadStateSql(
  schema: string,
  lockKey: bigint,
  appends: readonly QueuedAppend[],
): string {
  const streamNames = [...new Set(appends.map((append) => append.streamName))].map(literal);
  const ids = appends.flatMap((append) => append.events.map((event) => literal(event.id)));
  const keyHashes = appends.flatMap((append) => (append.claim === undefined ? [] : [append.claim.keyHash]));
  // Claims are read only for batches that carry one; a row reuses the columns: hash holds the
  // request hash, id the key hash.
  const claims =
    keyHashes.length === 0
      ? ''
      : `
    UNION ALL
    SELECT 'claim', stream_name, revision::text, encode(request_hash, 'hex'), encode(key_hash, 'hex'), position::text
      FROM ${schema}.idempotency_claims WHERE key_hash = ANY(ARRAY[${keyHashes.map(bytea).join(',')}])`;
  return `BEGIN;
    SELECT pg_advisory_xact_lock(${lockKey.toString()});
    SELECT 'head', head.stream_name, head.revision::text, head.hash, NULL, NULL
      FROM unnest(ARRAY[${streamNames.join(',')}]::text[]) AS wanted(stream_name)
      CROSS JOIN LATERAL (
        SELECT e.stream_name, e.revision, e.hash FROM ${schema}.events e
         WHERE e.stream_name = wanted.stream_name ORDER BY e.revision DESC LIMIT 1
      ) AS head
    UNION ALL
    SELECT 'id', stream_name, revision::text, NULL, id::text, position::text
      FROM ${schema}.events WHERE id = ANY(ARRAY[${ids.join(',')}]::uuid[])${claims}
    UNION ALL
    SELECT 'last', NULL, NULL, NULL, NULL, coalesce(max(position), 0)::text FROM ${schema}.events`;
}

type StateRow = [string, string | null, string | null, string | null, string | null, string | null];

/** Reads the rows of statement list 1's last result. */
export function parseState(results: unknown): StoredBatchState {
  const last = Array.isArray(results) ? (results.at(-1) as pg.QueryResult<StateRow> | undefined) : undefined;
  if (last === undefined) throw new Error('state query returned no result');
  const heads = new Map<string, StreamHead>();
  const ids = new Map<string, StoredId>();
  const claims = new Map<string, StoredIdempotencyClaim>();
  let lastPosition: bigint | undefined;
  for (const [kind, streamName, revision, hash, id, position] of last.rows) {
    if (kind === 'head' && streamName !== null && revision !== null && hash !== null) {
      heads.set(streamName, { revision: BigInt(revision), hash });
    } else if (
      kind === 'id' &&
      streamName !== null &&
      revision !== null &&
      id !== null &&
      position !== null
    ) {
      ids.set(id, { streamName, revision: BigInt(revision), position: BigInt(position) });
    } else if (kind === 'claim' && streamName !== null && revision !== null && hash !== null && id !== null) {
      const nextExpectedRevision = BigInt(revision);
      if (position === null) throw new Error(`claim ${id} has no position`);
      claims.set(id, {
        keyHash: id,
        requestHash: hash,
        streamName,
        nextExpectedRevision,
        position: BigInt(position),
      });
    } else if (kind === 'last' && position !== null) {
      lastPosition = BigInt(position);
    } else {
      throw new Error(`unexpected state row ${String(kind)}`);
    }
  }
  if (lastPosition === undefined) throw new Error('state query returned no last position');
  return { heads, ids, claims, lastPosition };
}

/**
 * Statement list 2 without its COMMIT: the rows and the notification. NOTIFY inside the
 * transaction is delivered by the server only if and when it commits.
 */
export function insertAndNotifySql(
  schema: string,
  channel: string,
  rows: readonly EventRow[],
  claims: readonly StoredIdempotencyClaim[] = [],
): string {
  const values = rows.map(
    (row) =>
      `(${row.position.toString()},${literal(row.streamName)},${row.revision.toString()},${literal(row.id)},` +
      `${literal(row.type)},${literal(row.data)},${literal(row.metadata)},${literal(row.hash)})`,
  );
  const lastPosition = rows.at(-1)?.position ?? 0n;
  const claimValues = claims.map(
    (claim) =>
      `(${bytea(claim.keyHash)},${bytea(claim.requestHash)},${literal(claim.streamName)},` +
      `${claim.nextExpectedRevision.toString()},${claim.position.toString()})`,
  );
  // After the events' INSERT, whose result `assertInserted` reads first.
  const insertClaims =
    claims.length === 0
      ? ''
      : `INSERT INTO ${schema}.idempotency_claims (key_hash, request_hash, stream_name, revision, position)
    VALUES ${claimValues.join(',')};
    `;
  return `INSERT INTO ${schema}.events (position, stream_name, revision, id, type, data, metadata, hash)
    VALUES ${values.join(',')};
    ${insertClaims}SELECT pg_notify(${literal(channel)}, ${literal(lastPosition.toString())})`;
}

/** Checks statement list 2's INSERT result: every planned row, no more, no fewer. */
export function assertInserted(results: unknown, expected: number): void {
  const insert = Array.isArray(results) ? (results[0] as pg.QueryResult | undefined) : undefined;
  if (insert?.command !== 'INSERT' || insert.rowCount !== expected) {
    throw new Error(`inserted ${String(insert?.rowCount)} of ${expected} rows`);
  }
}

/** A sha-256 in hex (checked by `assertValidClaim`) as a bytea literal. */
function bytea(hex: string): string {
  return `decode(${literal(hex)}, 'hex')`;
}

function literal(value: string): string {
  return pg.escapeLiteral(value);
}
