import type { EventStoreError } from '@timebank/event-store';
import {
  StoreLimitError,
  WrongExpectedVersionError,
  eventHash,
  GENESIS_HASH,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
} from '@timebank/event-store';

/** One caller's append waiting in the group-commit queue. */
export interface QueuedAppend {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
  /** Bytes of canonical encoding, from validation; used to size batches. */
  readonly sizeBytes: number;
}

export interface StreamHead {
  readonly revision: bigint;
  readonly hash: string;
}

/** Where an event id is already stored (or will be, by an earlier append of the same batch). */
export interface StoredId {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/** Column values of one row to insert; arrays of these become one multi-row INSERT. */
export interface EventRow {
  readonly position: bigint;
  readonly streamName: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly hash: string;
}

export type AppendOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: EventStoreError };

export interface BatchPlan {
  readonly rows: EventRow[];
  /** One outcome per queued append, in queue order. */
  readonly outcomes: AppendOutcome[];
}

/**
 * Decides every append of a batch against the stream heads and stored ids read under the append
 * lock, in queue order, as if each were committed alone: each append has its own expected-revision
 * and idempotency check and sees the heads left by the earlier appends of the same batch, so one
 * conflicting append never fails its neighbours. Pure; mutates only its own copies.
 */
export function planBatch(
  appends: readonly QueuedAppend[],
  storedHeads: ReadonlyMap<string, StreamHead>,
  storedIds: ReadonlyMap<string, StoredId>,
  lastPosition: bigint,
): BatchPlan {
  const heads = new Map(storedHeads);
  const ids = new Map(storedIds);
  const rows: EventRow[] = [];
  let position = lastPosition;
  const outcomes = appends.map((append): AppendOutcome => {
    const head = heads.get(append.streamName);
    const firstStored = ids.get(append.events[0]?.id ?? '');
    if (firstStored !== undefined) return retried(append, firstStored, ids, head);
    const conflict = checkExpected(append, head);
    if (conflict !== undefined) return { ok: false, error: conflict };
    const repeated = append.events.findIndex((event) => ids.has(event.id));
    if (repeated !== -1) {
      return {
        ok: false,
        error: new StoreLimitError(
          'DUPLICATE_EVENT_ID',
          `events[${repeated}].id ${append.events[repeated]?.id} is already stored`,
        ),
      };
    }
    let revision = head === undefined ? -1n : head.revision;
    let previousHash = head === undefined ? GENESIS_HASH : head.hash;
    for (const event of append.events) {
      revision += 1n;
      position += 1n;
      const hash = eventHash(previousHash, { streamName: append.streamName, revision, ...event });
      rows.push({
        position,
        streamName: append.streamName,
        revision,
        id: event.id,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        hash,
      });
      ids.set(event.id, { streamName: append.streamName, revision, position });
      previousHash = hash;
    }
    heads.set(append.streamName, { revision, hash: previousHash });
    return { ok: true, result: { nextExpectedRevision: revision, position } };
  });
  return { rows, outcomes };
}

function checkExpected(append: QueuedAppend, head: StreamHead | undefined): EventStoreError | undefined {
  const expected = append.expectedRevision;
  const matches =
    expected === 'any' ||
    (expected === 'no_stream' && head === undefined) ||
    (expected === 'stream_exists' && head !== undefined) ||
    (typeof expected === 'bigint' && head !== undefined && head.revision === expected);
  if (matches) return undefined;
  return new WrongExpectedVersionError(append.streamName, expected, head?.revision ?? 'no_stream');
}

/**
 * The append's first id is stored already. If every id sits, in order, at consecutive revisions of
 * this stream, this is a retry of an append that committed: when its expected revision matches
 * where the events were stored, the original result is returned and nothing is stored; otherwise
 * it is WRONG_EXPECTED_VERSION. Ids stored anywhere else are DUPLICATE_EVENT_ID. These are the
 * SQLite adapter's rules, in the same order.
 */
function retried(
  append: QueuedAppend,
  first: StoredId,
  ids: ReadonlyMap<string, StoredId>,
  head: StreamHead | undefined,
): AppendOutcome {
  const places = append.events.map((event) => ids.get(event.id));
  const sameAppend = places.every(
    (place, index) =>
      place !== undefined &&
      place.streamName === append.streamName &&
      place.revision === first.revision + BigInt(index),
  );
  const last = places.at(-1);
  if (!sameAppend || last === undefined) {
    return {
      ok: false,
      error: new StoreLimitError('DUPLICATE_EVENT_ID', `event id ${append.events[0]?.id} is already stored`),
    };
  }
  if (!replayMatchesExpected(append.expectedRevision, first.revision)) {
    return {
      ok: false,
      error: new WrongExpectedVersionError(
        append.streamName,
        append.expectedRevision,
        head?.revision ?? 'no_stream',
      ),
    };
  }
  return { ok: true, result: { nextExpectedRevision: last.revision, position: last.position } };
}

function replayMatchesExpected(expected: ExpectedRevision, firstRevision: bigint): boolean {
  if (expected === 'any' || expected === 'stream_exists') return true;
  if (expected === 'no_stream') return firstRevision === 0n;
  return firstRevision === expected + 1n;
}
