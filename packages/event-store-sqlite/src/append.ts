/**
 * One append inside the group-commit transaction: idempotency, expected-revision check, hash
 * chaining and inserts. A multi-event append runs inside its own savepoint, so a rejected append
 * leaves its neighbours in the same transaction untouched; a one-event append has a single write
 * and needs none.
 */
import type Database from 'better-sqlite3';
import {
  eventHashFromEncoded,
  GENESIS_HASH,
  IdempotencyKeyClaimedError,
  StoreLimitError,
  WrongExpectedVersionError,
} from '@timebank/event-store';
import type {
  AppendResult,
  EncodedEvent,
  ExpectedRevision,
  IdempotencyClaim,
  StoredIdempotencyClaim,
} from '@timebank/event-store';
import { claimReader, claimWriter } from './claims.js';
import { packHash, packId, packTime, unpackHash } from './stored-forms.js';
import type { StoredValue } from './stored-forms.js';

/** One event of an append, validated and canonically encoded on arrival. */
export interface AppendEvent {
  readonly id: string;
  readonly type: string;
  readonly encoded: EncodedEvent;
}

export interface AppendRequest {
  readonly streamName: string;
  readonly events: readonly AppendEvent[];
  readonly expectedRevision: ExpectedRevision;
  /** Stored in the same transaction as the events, or the append is refused (see the port). */
  readonly claim?: IdempotencyClaim;
}

interface StoredPlace {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
}

interface StreamHead {
  /** The stream's row in `streams`, which its event rows name it by. */
  readonly streamId: bigint;
  readonly revision: bigint;
  readonly hash: string;
}

/**
 * Most stream heads kept in memory by default, in streams (`SQLITE_HEAD_CACHE_STREAMS_MAX`). A head
 * costs about 200 bytes; 10,000 of them are 2 MB and cover the streams a busy hour touches. Beyond
 * it the least recently used head is forgotten: a miss is one indexed lookup of `streams`.
 */
export const DEFAULT_HEAD_CACHE_STREAMS_MAX = 10_000;

export interface AppenderOptions {
  /** Most stream heads cached, in streams; 0 caches none beyond the current batch. */
  readonly headCacheStreamsMax: number;
}

/** The write path, bound to one connection. Every method runs inside the batch transaction. */
export interface Appender {
  /**
   * Starts a batch: drops cached heads if another connection committed since our last batch, and
   * says whether it did (true also for the first batch, when nothing is known yet).
   */
  readonly begin: () => boolean;
  /** Checks and writes one append; throws an `EventStoreError` for a rejection. */
  readonly write: (request: AppendRequest, recordedAt: string) => AppendResult;
  /** Stores the heads of the streams this batch appended to; the last step before COMMIT. */
  readonly finish: () => void;
  /** The transaction rolled back: cached heads may describe writes that never happened. */
  readonly abandon: () => void;
}

/** Prepared statements for the write path, bound to one connection. */
// eslint-disable-next-line max-lines-per-function -- not yet split: a factory closing over one open connection and its prepared statements; its seam is a class per concern, a follow-up
export function createAppender(
  db: Database.Database,
  options: AppenderOptions = { headCacheStreamsMax: DEFAULT_HEAD_CACHE_STREAMS_MAX },
): Appender {
  const { headCacheStreamsMax } = options;
  if (!Number.isSafeInteger(headCacheStreamsMax) || headCacheStreamsMax < 0) {
    throw new RangeError(
      `headCacheStreamsMax must be a whole number ≥ 0, got ${String(headCacheStreamsMax)}`,
    );
  }
  const dataVersion = db.prepare<[], bigint>('PRAGMA data_version').pluck();
  const selectHead = db.prepare<
    [string],
    { stream_id: bigint; head_revision: bigint; head_hash: StoredValue }
  >('SELECT stream_id, head_revision, head_hash FROM streams WHERE stream_name = ?');
  const selectPlace = db.prepare<
    [Buffer | string],
    { stream_name: string; revision: bigint; position: bigint }
  >(
    `SELECT s.stream_name, e.revision, e.position
       FROM events e JOIN streams s ON s.stream_id = e.stream_id WHERE e.id = ?`,
  );
  const insertEvent = db.prepare<
    [bigint, bigint, Buffer | string, string, string, string, bigint | string, Buffer | string]
  >(
    `INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // A new stream's row is written before its first event (which names it by id); its head is
  // filled in by `finish`, like every appended stream's, before COMMIT.
  const insertStream = db.prepare<[string]>(
    "INSERT INTO streams (stream_name, head_revision, head_hash) VALUES (?, -1, '')",
  );
  const claimOf = claimReader(db);
  const insertClaim = claimWriter(db);
  const updateHead = db.prepare<[bigint, Buffer | string, bigint]>(
    'UPDATE streams SET head_revision = ?, head_hash = ? WHERE stream_id = ?',
  );
  // One recorded time per batch: packed once.
  let packedFor: string | undefined;
  let packedTime: bigint | string = '';
  const packedRecordedAt = (recordedAt: string): bigint | string => {
    if (recordedAt !== packedFor) {
      packedFor = recordedAt;
      packedTime = packTime(recordedAt);
    }
    return packedTime;
  };

  // Heads are cached across batches. Only this connection writes between two of our batches
  // unless `PRAGMA data_version` changed, which SQLite guarantees for any other connection's commit.
  // The Map's insertion order is its recency order (least recently used first): bounded by
  // configuration, not by how many streams were ever written.
  const heads = new Map<string, StreamHead>();
  const dirty = new Set<string>();
  let knownDataVersion: bigint | undefined;

  const headOf = (streamName: string): StreamHead | undefined => {
    const cached = heads.get(streamName);
    if (cached !== undefined) {
      heads.delete(streamName);
      heads.set(streamName, cached);
      return cached;
    }
    const row = selectHead.get(streamName);
    if (row === undefined) return undefined;
    const head = { streamId: row.stream_id, revision: row.head_revision, hash: unpackHash(row.head_hash) };
    cacheHead(streamName, head);
    return head;
  };

  /**
   * Marks `head` as the most recently used and forgets the least recently used clean heads beyond
   * the bound. A dirty head (appended in this batch, not yet in `streams`) is the only record of
   * the batch's writes until `finish`, so it stays: the cache may exceed the bound by at most one
   * batch's streams until then.
   */
  const cacheHead = (streamName: string, head: StreamHead): void => {
    heads.delete(streamName);
    heads.set(streamName, head);
    if (heads.size <= headCacheStreamsMax) return;
    for (const cachedName of heads.keys()) {
      if (heads.size <= headCacheStreamsMax) break;
      if (!dirty.has(cachedName)) heads.delete(cachedName);
    }
  };

  const placeOf = (id: string): StoredPlace | undefined => {
    const row = selectPlace.get(packId(id));
    return row && { streamName: row.stream_name, revision: row.revision, position: row.position };
  };

  /**
   * An append with a claim: a key claimed already refuses it, unless it is a retry of the append
   * that claimed it (same request, its first event stored in the claimed stream), which the event
   * path answers with the original result. Otherwise the claim is stored after the events, in the
   * same savepoint (or, for one event, right after its only insert, which nothing can undo).
   */
  const write = (request: AppendRequest, recordedAt: string): AppendResult => {
    const { claim } = request;
    if (claim === undefined) return writeEvents(request, recordedAt);
    const stored = claimOf(claim.keyHash);
    if (stored !== undefined) {
      if (!retriesClaim(request, claim, stored))
        throw new IdempotencyKeyClaimedError(stored, claim.requestHash);
      return writeEvents(request, recordedAt);
    }
    const result = writeEvents(request, recordedAt);
    insertClaim(claim, result.position);
    return result;
  };

  const retriesClaim = (
    request: AppendRequest,
    claim: IdempotencyClaim,
    stored: StoredIdempotencyClaim,
  ): boolean =>
    stored.requestHash === claim.requestHash &&
    placeOf(request.events[0]?.id ?? '')?.streamName === stored.streamName;

  const writeEvents = (request: AppendRequest, recordedAt: string): AppendResult => {
    const { streamName, events, expectedRevision } = request;
    const head = headOf(streamName);
    if (!matchesHead(expectedRevision, head)) {
      // A retry of a committed append arrives with the revision the stream had back then.
      const firstPlace = placeOf(events[0]?.id ?? '');
      if (firstPlace !== undefined) return retried(request, firstPlace, head?.revision);
      throw new WrongExpectedVersionError(streamName, expectedRevision, head?.revision ?? 'no_stream');
    }
    let streamId: bigint;
    if (head === undefined) {
      // Nothing else checks a new stream's first id before its row is written: a retry is
      // recognised here, and a one-event append (no savepoint) never leaves a stream without events.
      const firstPlace = placeOf(events[0]?.id ?? '');
      if (firstPlace !== undefined) return retried(request, firstPlace, undefined);
      streamId = BigInt(insertStream.run(streamName).lastInsertRowid);
    } else {
      streamId = head.streamId;
    }
    const recordedTime = packedRecordedAt(recordedAt);
    let previousHash = head?.hash ?? GENESIS_HASH;
    let revision = head === undefined ? 0n : head.revision + 1n;
    let position = 0n;
    for (const [index, event] of events.entries()) {
      const hash = eventHashFromEncoded(previousHash, {
        streamName,
        revision,
        id: event.id,
        type: event.type,
        dataJson: event.encoded.dataJson,
        metadataJson: event.encoded.metadataJson,
      });
      try {
        const info = insertEvent.run(
          streamId,
          revision,
          packId(event.id),
          event.type,
          event.encoded.dataJson,
          event.encoded.metadataJson,
          recordedTime,
          packHash(hash),
        );
        position = BigInt(info.lastInsertRowid);
      } catch (error) {
        if (!isUniqueViolation(error, 'events.id')) throw error;
        // The first id already stored means a retry (or a misuse of ids), and nothing is written
        // yet; a later one means a reused id, and the savepoint undoes the events before it.
        const firstPlace = index === 0 ? placeOf(event.id) : undefined;
        if (firstPlace !== undefined) return retried(request, firstPlace, head?.revision);
        throw new StoreLimitError('DUPLICATE_EVENT_ID', `event id ${event.id} is already stored`);
      }
      previousHash = hash;
      revision += 1n;
    }
    // Cached only now: a throw above leaves the head as it was, like the savepoint's rollback.
    dirty.add(streamName);
    cacheHead(streamName, { streamId, revision: revision - 1n, hash: previousHash });
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

  return {
    begin: () => {
      const version = dataVersion.get();
      const changed = version !== knownDataVersion;
      if (changed) heads.clear();
      knownDataVersion = version;
      dirty.clear();
      return changed;
    },
    write,
    finish: () => {
      for (const streamName of dirty) {
        const head = heads.get(streamName);
        if (head === undefined) throw new Error(`stream ${streamName} was appended to but has no head`);
        updateHead.run(head.revision, packHash(head.hash), head.streamId);
      }
      dirty.clear();
      // Heads of this batch beyond the bound were kept only until they were stored.
      for (const streamName of heads.keys()) {
        if (heads.size <= headCacheStreamsMax) break;
        heads.delete(streamName);
      }
    },
    abandon: () => {
      heads.clear();
      dirty.clear();
      knownDataVersion = undefined;
    },
  };
}

function matchesHead(expected: ExpectedRevision, head: StreamHead | undefined): boolean {
  return (
    expected === 'any' ||
    (expected === 'no_stream' && head === undefined) ||
    (expected === 'stream_exists' && head !== undefined) ||
    (typeof expected === 'bigint' && head?.revision === expected)
  );
}

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  );
}
