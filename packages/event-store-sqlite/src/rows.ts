/**
 * Mapping between stored rows and RecordedEvent.
 */
import type { EventMetadata, EventPayload, JsonObject, RecordedEvent } from '@timebank/event-store';
import { unpackHash, unpackId, unpackTime } from './stored-forms.js';
import type { StoredValue } from './stored-forms.js';

/**
 * Column order of every event read, from `EVENTS_WITH_NAMES`; statements use `.raw()` so rows
 * arrive as arrays.
 */
export const EVENT_COLUMNS =
  'e.position, s.stream_name, e.revision, e.id, e.type, e.data, e.metadata, e.recorded_at, e.hash';

/** Events with their stream's name (`streams` is keyed by the `stream_id` an event row holds). */
export const EVENTS_WITH_NAMES = 'events e JOIN streams s ON s.stream_id = e.stream_id';

export type EventRow = [
  position: bigint,
  streamName: string,
  revision: bigint,
  id: StoredValue,
  type: string,
  data: string,
  metadata: string,
  recordedAt: StoredValue,
  hash: StoredValue,
];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: row[0],
    streamName: row[1],
    revision: row[2],
    id: unpackId(row[3]),
    type: row[4],
    data: JSON.parse(row[5]) as JsonObject,
    metadata: JSON.parse(row[6]) as EventMetadata,
    recordedAt: unpackTime(row[7]),
    hash: unpackHash(row[8]),
  };
}

/** Column order of a payload read (`readAllPayloads`): what a projection needs, nothing else. */
export const PAYLOAD_COLUMNS = 'e.position, s.stream_name, e.revision, e.type, e.data';

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
