import type { EventStoreError, IdempotencyClaim, StoredIdempotencyClaim } from '@timebank/event-store';
import {
  IdempotencyKeyClaimedError,
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
  /** Stored with the events, in the same transaction, or the append is refused (see the port). */
  readonly claim?: IdempotencyClaim;
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
  /** Claims to insert beside `rows`: each came with an append that wrote rows. */
  readonly claims: StoredIdempotencyClaim[];
  /** One outcome per queued append, in queue order. */
  readonly outcomes: AppendOutcome[];
}

/** What a batch is planned against: the state read under the append lock. */
export interface StoredBatchState {
  readonly heads: ReadonlyMap<string, StreamHead>;
  readonly ids: ReadonlyMap<string, StoredId>;
  readonly lastPosition: bigint;
  /** Claims of the batch's idempotency keys, by key hash; absent when no append carries one. */
  readonly claims?: ReadonlyMap<string, StoredIdempotencyClaim>;
}

/**
 * Decides every append of a batch against the stream heads, stored ids and claims read under the
 * append lock, in queue order, as if each were committed alone: each append has its own
 * expected-revision, idempotency and claim check and sees what the earlier appends of the same
 * batch left, so one conflicting append never fails its neighbours. Pure; mutates only its own copies.
 */
export function planBatch(appends: readonly QueuedAppend[], stored: StoredBatchState): BatchPlan {
  const events = new EventPlanner(stored);
  const claimsByKey = new Map(stored.claims);
  const claims: StoredIdempotencyClaim[] = [];
  const outcomes = appends.map((append): AppendOutcome => {
    const { claim } = append;
    if (claim === undefined) return events.plan(append);
    const claimed = claimsByKey.get(claim.keyHash);
    if (claimed !== undefined) {
      // Only a retry of the append that claimed the key gets past: the event path answers it.
      const retry =
        claimed.requestHash === claim.requestHash &&
        events.placeOf(append.events[0]?.id ?? '')?.streamName === claimed.streamName;
      if (!retry) return { ok: false, error: new IdempotencyKeyClaimedError(claimed, claim.requestHash) };
      return events.plan(append);
    }
    const rowsBefore = events.rows.length;
    const outcome = events.plan(append);
    if (outcome.ok && events.rows.length > rowsBefore) {
      const made = { ...claim, streamName: append.streamName, ...outcome.result };
      claimsByKey.set(claim.keyHash, made);
      claims.push(made);
    }
    return outcome;
  });
  return { rows: events.rows, claims, outcomes };
}

/** Plans appends' events one after another, each seeing the heads and ids the earlier ones left. */
class EventPlanner {
  readonly rows: EventRow[] = [];
  readonly #heads: Map<string, StreamHead>;
  readonly #ids: Map<string, StoredId>;
  #position: bigint;

  constructor(stored: StoredBatchState) {
    this.#heads = new Map(stored.heads);
    this.#ids = new Map(stored.ids);
    this.#position = stored.lastPosition;
  }

  placeOf(id: string): StoredId | undefined {
    return this.#ids.get(id);
  }

  plan(append: QueuedAppend): AppendOutcome {
    const head = this.#heads.get(append.streamName);
    const firstStored = this.#ids.get(append.events[0]?.id ?? '');
    if (firstStored !== undefined) return retried(append, firstStored, this.#ids, head);
    const conflict = checkExpected(append, head);
    if (conflict !== undefined) return { ok: false, error: conflict };
    const repeated = append.events.findIndex((event) => this.#ids.has(event.id));
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
      this.#position += 1n;
      const position = this.#position;
      const hash = eventHash(previousHash, { streamName: append.streamName, revision, ...event });
      this.rows.push({
        position,
        streamName: append.streamName,
        revision,
        id: event.id,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        hash,
      });
      this.#ids.set(event.id, { streamName: append.streamName, revision, position });
      previousHash = hash;
    }
    this.#heads.set(append.streamName, { revision, hash: previousHash });
    return { ok: true, result: { nextExpectedRevision: revision, position: this.#position } };
  }
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
