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
    const known = append.events.map((event) => ids.get(event.id));
    if (known.some((stored) => stored !== undefined)) {
      return replayOrReject(append, known, head);
    }
    const conflict = checkExpected(append, head);
    if (conflict !== undefined) return { ok: false, error: conflict };
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
 * Some ids of the append are stored already. It is a retry of an append that succeeded when all
 * its ids sit, in order, at consecutive revisions of this stream starting right after the expected
 * revision: then the original result is returned and nothing is stored. Otherwise an id stored in another stream is DUPLICATE_EVENT_ID, a stale
 * expected revision is WRONG_EXPECTED_VERSION, and any other partial overlap is DUPLICATE_EVENT_ID.
 */
function replayOrReject(
  append: QueuedAppend,
  known: readonly (StoredId | undefined)[],
  head: StreamHead | undefined,
): AppendOutcome {
  const elsewhere = known.findIndex(
    (stored) => stored !== undefined && stored.streamName !== append.streamName,
  );
  if (elsewhere !== -1) {
    const stored = known[elsewhere];
    return {
      ok: false,
      error: new StoreLimitError(
        'DUPLICATE_EVENT_ID',
        `events[${elsewhere}].id ${append.events[elsewhere]?.id} is already stored in stream ${stored?.streamName}`,
      ),
    };
  }
  const first = known[0];
  const last = known[known.length - 1];
  const inOrder =
    first !== undefined &&
    last !== undefined &&
    known.every(
      (stored, index) => stored !== undefined && stored.revision === first.revision + BigInt(index),
    );
  if (inOrder && replayMatchesExpected(append.expectedRevision, first.revision)) {
    return { ok: true, result: { nextExpectedRevision: last.revision, position: last.position } };
  }
  const conflict = checkExpected(append, head);
  if (conflict !== undefined) return { ok: false, error: conflict };
  const index = known.findIndex((stored) => stored !== undefined);
  return {
    ok: false,
    error: new StoreLimitError(
      'DUPLICATE_EVENT_ID',
      `events[${index}].id ${append.events[index]?.id} is already stored in stream ${append.streamName} ` +
        'but the append is not a retry of the one that stored it',
    ),
  };
}

function replayMatchesExpected(expected: ExpectedRevision, firstRevision: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return firstRevision === 0n;
  if (expected === 'stream_exists') return firstRevision > 0n;
  return firstRevision === expected + 1n;
}
