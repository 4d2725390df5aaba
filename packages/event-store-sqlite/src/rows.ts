/**
 * Mapping between stored rows and RecordedEvent.
 */
import { StoredEventUnreadableError } from '@timebank/event-store';
import type { EventMetadata, EventPayload, JsonObject, RecordedEvent } from '@timebank/event-store';

/**
 * Column order of every event read, from `EVENTS_WITH_NAMES`; statements use `.raw()` so rows
 * arrive as arrays. The dense forms are turned back into text by SQLite (`READ_ID`, `READ_TIME`,
 * `READ_HASH`): a blob would arrive as a Buffer, and allocating two per row made a full `readAll`
 * about 2.5 times slower than reading the text layout.
 */
export const EVENT_COLUMNS = `e.position, s.stream_name, e.revision, ${readId('e.id')}, e.type, e.data,
  e.metadata, ${readTime('e.recorded_at')}, ${readHash('e.hash')}`;

/**
 * A stored id as text: a 16-byte id as its 32 hex digits (dashes are added in JS, cheaper than in
 * SQL), an id stored as text behind a `=` so that it is never taken for hex digits.
 */
function readId(column: string): string {
  return `iif(typeof(${column}) = 'blob', lower(hex(${column})), '=' || ${column})`;
}

/** Milliseconds as a REAL (a JS number where an INTEGER would be a BigInt), text as it is. */
function readTime(column: string): string {
  return `iif(typeof(${column}) = 'integer', ${column} * 1.0, ${column})`;
}

/** A 32-byte hash as its lower-case hex, which is the port's form; text as it is. */
function readHash(column: string): string {
  return `iif(typeof(${column}) = 'blob', lower(hex(${column})), ${column})`;
}

/** Events with their stream's name (`streams` is keyed by the `stream_id` an event row holds). */
export const EVENTS_WITH_NAMES = 'events e JOIN streams s ON s.stream_id = e.stream_id';

export type EventRow = [
  position: bigint,
  streamName: string,
  revision: bigint,
  id: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: number | string,
  hash: string,
];

/**
 * The last recorded time turned into text: the events of one commit share their time, so a page
 * of `readAll` formats each commit's time once.
 */
let lastTime = Number.NaN;
let lastTimeText = '';
const timeText = (milliseconds: number): string => {
  if (milliseconds !== lastTime) {
    lastTimeText = new Date(milliseconds).toISOString();
    lastTime = milliseconds;
  }
  return lastTimeText;
};

/**
 * Why a row's JSON columns did not parse (a row edited outside the store), as an error that names
 * the event instead of a bare SyntaxError. Called only after a parse failed, off the hot path.
 */
function unreadable(
  row: EventRow | PayloadRow,
  columns: readonly (readonly ['data' | 'metadata', string])[],
  hash: string | undefined,
): StoredEventUnreadableError {
  let detail = 'its JSON does not parse';
  for (const [column, text] of columns) {
    try {
      JSON.parse(text);
    } catch (error) {
      detail = `its ${column} is not JSON (${error instanceof Error ? error.message : String(error)})`;
      break;
    }
  }
  return new StoredEventUnreadableError(
    { position: row[0], streamName: row[1], revision: row[2], hash },
    detail,
  );
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  const id = row[3];
  const recordedAt = row[7];
  let data: JsonObject;
  let metadata: EventMetadata;
  try {
    data = JSON.parse(row[5]) as JsonObject;
    metadata = JSON.parse(row[6]) as EventMetadata;
  } catch {
    throw unreadable(
      row,
      [
        ['data', row[5]],
        ['metadata', row[6]],
      ],
      row[8],
    );
  }
  return {
    position: row[0],
    streamName: row[1],
    revision: row[2],
    id: id.startsWith('=')
      ? id.slice(1)
      : `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    type: row[4],
    data,
    metadata,
    recordedAt: typeof recordedAt === 'number' ? timeText(recordedAt) : recordedAt,
    hash: row[8],
  };
}

/** Column order of a payload read (`readAllPayloads`): what a projection needs, nothing else. */
export const PAYLOAD_COLUMNS = 'e.position, s.stream_name, e.revision, e.type, e.data';

export type PayloadRow = [position: bigint, streamName: string, revision: bigint, type: string, data: string];

export function toEventPayload(row: PayloadRow): EventPayload {
  let data: JsonObject;
  try {
    data = JSON.parse(row[4]) as JsonObject;
  } catch {
    throw unreadable(row, [['data', row[4]]], undefined);
  }
  return {
    position: row[0],
    streamName: row[1],
    revision: row[2],
    type: row[3],
    data,
  };
}
