/**
 * The store's `StreamChangeFeed`: which streams changed after a position, asked of the server in
 * one statement, so it covers the appends of every process. Positions become visible in position
 * order (appends hold the store's advisory lock until they commit), so an answer that saw up to p
 * saw everything up to p.
 */
import type pg from 'pg';
import type { StreamChange, StreamChangesAfter } from '@timebank/event-store';

/** Streams one answer lists at most; more changed streams answer `unknown` (the cache re-reads). */
export const CHANGED_STREAMS_MAX = 1000;

/** `head` is the store's `headPosition`, for the answers that start afresh. */
export async function streamChangesAfter(
  pool: pg.Pool,
  schema: string,
  position: bigint | null,
  head: () => Promise<bigint>,
): Promise<StreamChangesAfter> {
  if (position === null) return { position: await head(), changes: 'unknown' };
  const result = await pool.query<[string, string, string]>({
    text: `SELECT stream_name, max(revision)::text, max(position)::text FROM ${schema}.events
            WHERE position > $1 GROUP BY stream_name LIMIT ${CHANGED_STREAMS_MAX + 1}`,
    values: [position.toString()],
    rowMode: 'array',
  });
  // Asked again after the listing: its head covers every change the listing left out.
  if (result.rows.length > CHANGED_STREAMS_MAX) return { position: await head(), changes: 'unknown' };
  let seen = position;
  const changes: StreamChange[] = [];
  for (const [streamName, revision, last] of result.rows) {
    changes.push({ streamName, revision: BigInt(revision) });
    const lastPosition = BigInt(last);
    if (lastPosition > seen) seen = lastPosition;
  }
  return { position: seen, changes };
}
