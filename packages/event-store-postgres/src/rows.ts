import type { EventMetadata, JsonObject, RecordedEvent } from '@timebank/event-store';

/**
 * The columns every read selects, in this order, from `events AS e`. Positions and revisions leave
 * as text (exact; converted to bigint here), which is why queries must sort by the qualified
 * `e.position`: a bare `position` in ORDER BY would name the text output column. `recorded_at` is formatted by the server as
 * ISO-8601 UTC with milliseconds, the same text `Date.prototype.toISOString` produces, so no reader
 * depends on its session's time zone.
 */
export const EVENT_COLUMNS = `e.position::text, e.stream_name, e.revision::text, e.id::text, e.type, e.data,
  e.metadata, to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), e.hash`;

/** One row as node-postgres returns it in array mode; `json` columns arrive parsed. */
export type EventRowValues = [
  string,
  string,
  string,
  string,
  string,
  JsonObject,
  EventMetadata,
  string,
  string,
];

export function toRecordedEvent(row: EventRowValues): RecordedEvent {
  const [position, streamName, revision, id, type, data, metadata, recordedAt, hash] = row;
  return {
    id,
    type,
    data,
    metadata,
    streamName,
    revision: BigInt(revision),
    position: BigInt(position),
    recordedAt,
    hash,
  };
}
