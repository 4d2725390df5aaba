/**
 * One append inside the group-commit transaction: idempotency, expected-revision check, hash
 * chaining and inserts. Runs inside its own savepoint, so a rejected append leaves its
 * neighbours in the same transaction untouched.
 */
import type Database from 'better-sqlite3';
import { eventHash, GENESIS_HASH, StoreLimitError, WrongExpectedVersionError } from '@timebank/event-store';
import type { AppendResult, ExpectedRevision, NewEvent } from '@timebank/event-store';

export interface AppendRequest {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

interface StoredPlace {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/** Prepared statements for the write path, bound to one connection. */
export function createAppender(
  db: Database.Database,
): (request: AppendRequest, recordedAt: string) => AppendResult {
  const selectHead = db.prepare<[string], { head_revision: bigint; head_hash: string }>(
    'SELECT head_revision, head_hash FROM streams WHERE stream_name = ?',
  );
  const selectPlace = db.prepare<[string], { stream_name: string; revision: bigint; position: bigint }>(
    'SELECT stream_name, revision, position FROM events WHERE id = ?',
  );
  const insertEvent = db.prepare<[string, bigint, string, string, string, string, string, string]>(
    `INSERT INTO events (stream_name, revision, id, type, data, metadata, recorded_at, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsertHead = db.prepare<[string, bigint, string]>(
    `INSERT INTO streams (stream_name, head_revision, head_hash) VALUES (?, ?, ?)
     ON CONFLICT (stream_name) DO UPDATE SET head_revision = excluded.head_revision, head_hash = excluded.head_hash`,
  );

  const placeOf = (id: string): StoredPlace | undefined => {
    const row = selectPlace.get(id);
    return row && { streamName: row.stream_name, revision: row.revision, position: row.position };
  };

  const write = (request: AppendRequest, recordedAt: string): AppendResult => {
    const { streamName, events, expectedRevision } = request;
    const head = selectHead.get(streamName);
    // One indexed lookup decides whether this is a retry; any other repeated id is caught below.
    const firstId = events[0]?.id ?? '';
    const firstPlace = placeOf(firstId);
    if (firstPlace !== undefined) return retried(request, firstPlace, head?.head_revision);
    assertExpected(streamName, expectedRevision, head?.head_revision);

    let previousHash = head?.head_hash ?? GENESIS_HASH;
    let revision = head === undefined ? 0n : head.head_revision + 1n;
    let position = 0n;
    for (const event of events) {
      const hash = eventHash(previousHash, { streamName, revision, ...event });
      try {
        const info = insertEvent.run(
          streamName,
          revision,
          event.id,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          recordedAt,
          hash,
        );
        position = BigInt(info.lastInsertRowid);
      } catch (error) {
        if (isUniqueViolation(error, 'events.id')) {
          throw new StoreLimitError('DUPLICATE_EVENT_ID', `event id ${event.id} is already stored`);
        }
        throw error;
      }
      previousHash = hash;
      revision += 1n;
    }
    upsertHead.run(streamName, revision - 1n, previousHash);
    return { nextExpectedRevision: revision - 1n, position };
  };

  /**
   * The first id is already stored. If every id of the request sits, in order, in this stream right
   * after the expected revision, this is a retry of a committed append: answer as the original did.
   */
  const retried = (
    request: AppendRequest,
    first: StoredPlace,
    headRevision: bigint | undefined,
  ): AppendResult => {
    const places = request.events.map((event) => placeOf(event.id));
    const sameAppend = places.every(
      (place, index) =>
        place !== undefined &&
        place.streamName === request.streamName &&
        place.revision === first.revision + BigInt(index),
    );
    const last = places.at(-1);
    if (!sameAppend || last === undefined) {
      throw new StoreLimitError('DUPLICATE_EVENT_ID', `event id ${request.events[0]?.id} is already stored`);
    }
    const expected = request.expectedRevision;
    const matches =
      expected === 'any' ||
      expected === 'stream_exists' ||
      (expected === 'no_stream' && first.revision === 0n) ||
      (typeof expected === 'bigint' && first.revision === expected + 1n);
    if (!matches)
      throw new WrongExpectedVersionError(request.streamName, expected, headRevision ?? 'no_stream');
    return { nextExpectedRevision: last.revision, position: last.position };
  };

  return write;
}

function assertExpected(streamName: string, expected: ExpectedRevision, head: bigint | undefined): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && head === undefined) ||
    (expected === 'stream_exists' && head !== undefined) ||
    (typeof expected === 'bigint' && head === expected);
  if (!ok) throw new WrongExpectedVersionError(streamName, expected, head ?? 'no_stream');
}

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  );
}
