/**
 * Pure decisions behind an append: which revision the batch starts at, which hash it chains
 * from, and which expected revision goes to the server.
 *
 * EventStoreDB checks the expected revision and gives idempotency by event id, but it knows
 * nothing of the hash chain, so the adapter must know the previous event's hash before it
 * writes. For `any` and `stream_exists` the adapter therefore reads the stream's head and
 * appends with that head's exact revision: if another writer got there first, the server
 * rejects the append and the adapter re-plans from the new head. The chain can thus never fork.
 */
import { GENESIS_HASH, eventHash } from '@timebank/event-store';
import type { AppendResult, ExpectedRevision, NewEvent } from '@timebank/event-store';

/** The last event of a stream as the adapter needs it. */
export interface StreamHead {
  readonly id: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly hash: string;
}

export type AppendPlan =
  /** Write the batch at `firstRevision`, chaining from `previousHash`, with this server-side check. */
  | {
      readonly kind: 'write';
      readonly firstRevision: bigint;
      readonly previousHash: string;
      readonly esdbExpectedRevision: 'no_stream' | bigint;
      /** True when the caller did not ask for this exact revision, so a conflict means re-plan. */
      readonly replanOnConflict: boolean;
    }
  /** The batch chains from an event behind the head: fetch that event's hash, then write. */
  | { readonly kind: 'read-previous'; readonly revision: bigint }
  /** The expectation already fails; no write is needed to know it. */
  | { readonly kind: 'conflict'; readonly actualRevision: bigint | 'no_stream' }
  /** The same ids already end the stream: the original append succeeded (`any` / `stream_exists`). */
  | { readonly kind: 'already-appended'; readonly result: AppendResult };

/** How many head events to read: enough to recognise a repeated `any` / `stream_exists` batch. */
export function headReadCount(expected: ExpectedRevision, batchSize: number): number {
  return expected === 'any' || expected === 'stream_exists' ? batchSize : 1;
}

/**
 * Plans an append from the caller's expectation and the stream's tail (oldest first, at most
 * `headReadCount` events; empty when the stream does not exist).
 */
export function planAppend(
  expected: ExpectedRevision,
  tail: readonly StreamHead[],
  batch: readonly NewEvent[],
): AppendPlan {
  const head = tail.at(-1);
  if (expected === 'no_stream') {
    // The server checks this itself, and recognises a repeated batch by its ids.
    return write(0n, GENESIS_HASH, 'no_stream', false);
  }
  if (typeof expected === 'bigint') {
    if (head === undefined) return { kind: 'conflict', actualRevision: 'no_stream' };
    if (head.revision < expected) return { kind: 'conflict', actualRevision: head.revision };
    if (head.revision === expected) return write(expected + 1n, head.hash, expected, false);
    // The stream moved on: either this very batch was stored by an earlier attempt (the server
    // then answers idempotently) or another writer won (the server reports the conflict).
    return { kind: 'read-previous', revision: expected };
  }
  if (head === undefined) {
    if (expected === 'stream_exists') return { kind: 'conflict', actualRevision: 'no_stream' };
    return write(0n, GENESIS_HASH, 'no_stream', true);
  }
  const repeated = repeatedBatch(tail, batch);
  if (repeated === 'same') {
    return {
      kind: 'already-appended',
      result: { nextExpectedRevision: head.revision, position: head.position },
    };
  }
  if (repeated === 'different') return { kind: 'conflict', actualRevision: head.revision };
  return write(head.revision + 1n, head.hash, head.revision, true);
}

/**
 * Whether the stream already ends with this batch. The server's own id check only applies at an
 * exact expected revision; for `any` / `stream_exists` the adapter recognises a retry of a batch
 * that is still the stream's tail (the ledger never uses `any` for its own events).
 */
export function repeatedBatch(
  tail: readonly StreamHead[],
  batch: readonly NewEvent[],
): 'same' | 'different' | 'none' {
  const lastId = batch.at(-1)?.id;
  if (lastId === undefined || tail.at(-1)?.id !== lastId) return 'none';
  if (tail.length < batch.length) return 'different';
  const stored = tail.slice(tail.length - batch.length);
  return stored.every((event, index) => event.id === batch[index]?.id) ? 'same' : 'different';
}

/** The hash of each event of the batch, in order, starting from `plan`'s previous hash. */
export function chainHashes(
  streamName: string,
  firstRevision: bigint,
  previousHash: string,
  batch: readonly NewEvent[],
): string[] {
  let previous = previousHash;
  return batch.map((event, index) => {
    previous = eventHash(previous, { ...event, streamName, revision: firstRevision + BigInt(index) });
    return previous;
  });
}

function write(
  firstRevision: bigint,
  previousHash: string,
  esdbExpectedRevision: 'no_stream' | bigint,
  replanOnConflict: boolean,
): AppendPlan {
  return { kind: 'write', firstRevision, previousHash, esdbExpectedRevision, replanOnConflict };
}
