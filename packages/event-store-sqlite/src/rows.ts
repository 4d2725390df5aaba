/**
 * Mapping between stored rows and RecordedEvent.
 */
import type { EventMetadata, EventPayload, JsonObject, RecordedEvent } from '@timebank/event-store';

/** Column order of every event read; statements use `.raw()` so rows arrive as arrays. */
export const EVENT_COLUMNS = 'position, stream_name, revision, id, type, data, metadata, recorded_at, hash';

export type EventRow = [
  position: bigint,
  streamName: string,
  revision: bigint,
  id: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
  hash: string,
];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: row[0],
    streamName: row[1],
    revision: row[2],
    id: row[3],
    type: row[4],
    data: JSON.parse(row[5]) as JsonObject,
    metadata: JSON.parse(row[6]) as EventMetadata,
    recordedAt: row[7],
    hash: row[8],
  };
}

/** Column order of a payload read (`readAllPayloads`): what a projection needs, nothing else. */
export const PAYLOAD_COLUMNS = 'position, stream_name, revision, type, data';

export type PayloadRow = [position: bigint, streamName: string, revision: bigint, type: string, data: string];

export function toEventPayload(row: PayloadRow): EventPayload {
  return {
    position: row[0],
    streamName: row[1],
    revision: row[2],
    type: row[3],
    data: JSON.parse(row[4]) as JsonObject,
  };
}
