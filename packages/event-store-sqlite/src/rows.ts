/**
 * Mapping between stored rows and RecordedEvent.
 */
import type { EventMetadata, EventPayload, JsonObject, RecordedEvent } from '@timebank/event-store';

/**
 * Column order of every event read, from `events e` alone; statements use `.raw()` so rows arrive
 * as arrays. The stream comes as its `stream_id` and is named in JS (`StreamNames`): joining
 * `streams` for every row cost a B-tree lookup and a fresh name string per event. The dense forms are turned back into text by SQLite (`READ_ID`, `READ_TIME`,
 * `READ_HASH`): a blob would arrive as a Buffer, and allocating two per row made a full `readAll`
 * about 2.5 times slower than reading the text layout.
 */
export const EVENT_COLUMNS = `e.position, e.stream_id, e.revision, ${readId('e.id')}, e.type, e.data,
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

/**
 * Stream names by `stream_id`, for reads. An id names one stream for good: a `streams` row is never
 * deleted or renamed once committed, and reads only see committed rows. Bounded: past `max` names
 * the oldest learnt is forgotten, and a miss costs one primary-key lookup. Consecutive events of a
 * page mostly share a stream, so the last name is checked before the map.
 */
export class StreamNames {
  readonly #names = new Map<bigint, string>();
  #lastId = -1n;
  #lastName = '';

  constructor(
    private readonly lookup: (streamId: bigint) => string | undefined,
    private readonly max = 10_000,
  ) {}

  nameOf(streamId: bigint): string {
    if (streamId === this.#lastId) return this.#lastName;
    let name = this.#names.get(streamId);
    if (name === undefined) {
      name = this.lookup(streamId);
      if (name === undefined) throw new Error(`event store has an event of unknown stream id ${streamId}`);
      if (this.#names.size >= this.max) {
        const oldest = this.#names.keys().next();
        if (oldest.done !== true) this.#names.delete(oldest.value);
      }
      if (this.max > 0) this.#names.set(streamId, name);
    }
    this.#lastId = streamId;
    this.#lastName = name;
    return name;
  }
}

export type EventRow = [
  position: bigint,
  streamId: bigint,
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

export function toRecordedEvent(row: EventRow, streamName: string): RecordedEvent {
  const id = row[3];
  const recordedAt = row[7];
  return {
    position: row[0],
    streamName,
    revision: row[2],
    id: id.startsWith('=')
      ? id.slice(1)
      : `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    type: row[4],
    data: JSON.parse(row[5]) as JsonObject,
    metadata: JSON.parse(row[6]) as EventMetadata,
    recordedAt: typeof recordedAt === 'number' ? timeText(recordedAt) : recordedAt,
    hash: row[8],
  };
}

/** Column order of a payload read (`readAllPayloads`): what a projection needs, nothing else. */
export const PAYLOAD_COLUMNS = 'e.position, e.stream_id, e.revision, e.type, e.data';

export type PayloadRow = [position: bigint, streamId: bigint, revision: bigint, type: string, data: string];

export function toEventPayload(row: PayloadRow, streamName: string): EventPayload {
  return {
    position: row[0],
    streamName,
    revision: row[2],
    type: row[3],
    data: JSON.parse(row[4]) as JsonObject,
  };
}
