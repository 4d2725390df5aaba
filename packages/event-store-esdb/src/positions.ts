/**
 * Mapping between the port's single `bigint` global position and EventStoreDB's
 * `{ commit, prepare }` log position.
 *
 * Every event this adapter writes is an *implicitly committed* prepare record: the gRPC append
 * API writes one prepare per event, each flagged as committed, so the server reports
 * `commit === prepare === the record's own log position` for each of them (KurrentDB's
 * `AllReader` returns `CommitEventRecord(event, prepare.LogPosition)` for such records). The
 * port's position is therefore the commit position, and the way back is `{ commit: p, prepare: p }`.
 *
 * Only the legacy TCP API's explicit transactions produce events whose commit and prepare
 * differ (several events share one commit position). They cannot be written through gRPC, and
 * their positions would not be unique in the port's terms, so `portPosition` refuses them.
 */
import type { Position } from '@eventstore/db-client';

/** The largest log position EventStoreDB can report: positions are unsigned 64-bit on the wire. */
const POSITION_MAX = 2n ** 64n - 1n;

/** The port's position of an event read from `$all` or a stream. */
export function portPosition(position: Position): bigint {
  if (position.commit !== position.prepare) {
    throw new Error(
      `event at commit ${position.commit} / prepare ${position.prepare} was written in an explicit ` +
        'transaction (legacy TCP API); the ledger cannot give it a unique position',
    );
  }
  if (position.commit < 0n || position.commit > POSITION_MAX) {
    throw new Error(`log position ${position.commit} is outside EventStoreDB's unsigned 64-bit range`);
  }
  return position.commit;
}

/**
 * The ESDB position to start a read or subscription at, for a port position. ESDB's forward
 * `readAll` is inclusive of this position and its subscriptions are exclusive; callers drop
 * every event at or below the port position either way, so both behave as "strictly after".
 */
export function esdbPosition(position: bigint): Position {
  if (position < 0n || position > POSITION_MAX) {
    throw new RangeError(`position ${position} is outside EventStoreDB's unsigned 64-bit range`);
  }
  return { commit: position, prepare: position };
}

/** The event's ESDB position, which the server sends on `$all` reads and, from 22.6, on stream reads. */
export function requirePosition(position: Position | undefined, where: string): bigint {
  if (position === undefined) {
    throw new Error(
      `${where}: the server sent no log position; KurrentDB/EventStoreDB 22.6 or later is required`,
    );
  }
  return portPosition(position);
}
