/**
 * The messages between the store and its writer thread (writer-thread.ts, writer-worker.ts), and
 * how a rejected append's typed error crosses the thread boundary: structured clone keeps only
 * plain data, so each error travels as its constructor's arguments and is rebuilt on arrival.
 */
import {
  EventStoreError,
  IdempotencyKeyClaimedError,
  StoreLimitError,
  WrongExpectedVersionError,
} from '@timebank/event-store';
import type { AppendResult, StoredIdempotencyClaim, StoreErrorCode } from '@timebank/event-store';
import type { AppendRequest } from './append.js';
import type { Outcome } from './group-commit.js';
import type { OpenOptions } from './database.js';

export interface WriterWorkerData extends OpenOptions {
  readonly path: string;
  readonly headCacheStreamsMax: number;
}

export type ToWriter =
  { readonly kind: 'batch'; readonly requests: readonly AppendRequest[] } | { readonly kind: 'close' };

export type WireError =
  | {
      readonly kind: 'wrong-version';
      readonly streamName: string;
      readonly expectedRevision: WrongExpectedVersionError['expectedRevision'];
      readonly actualRevision: bigint | 'no_stream';
    }
  | { readonly kind: 'claimed'; readonly claim: StoredIdempotencyClaim }
  | { readonly kind: 'limit'; readonly code: StoreErrorCode; readonly message: string }
  | { readonly kind: 'store'; readonly code: StoreErrorCode; readonly message: string };

export type WireOutcome =
  { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: WireError };

export type FromWriter =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'committed';
      readonly outcomes: readonly WireOutcome[];
      readonly foreignCommit: boolean;
      readonly headAfter: bigint;
    }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string }
  | { readonly kind: 'closed' };

export function toWire(outcome: Outcome): WireOutcome {
  if (outcome.ok) return outcome;
  const error = outcome.error;
  if (error instanceof WrongExpectedVersionError) {
    return {
      ok: false,
      error: {
        kind: 'wrong-version',
        streamName: error.streamName,
        expectedRevision: error.expectedRevision,
        actualRevision: error.actualRevision,
      },
    };
  }
  if (error instanceof IdempotencyKeyClaimedError)
    return { ok: false, error: { kind: 'claimed', claim: error.claim } };
  if (error instanceof StoreLimitError) {
    return { ok: false, error: { kind: 'limit', code: error.code, message: error.message } };
  }
  if (error instanceof EventStoreError) {
    return { ok: false, error: { kind: 'store', code: error.code, message: error.message } };
  }
  return { ok: false, error: { kind: 'store', code: 'STORE_UNAVAILABLE', message: String(error) } };
}

/** The typed error again; a claim's `sameRequest` is recomputed from the request's own hash. */
export function fromWire(outcome: WireOutcome, request: AppendRequest): Outcome {
  if (outcome.ok) return outcome;
  const wire = outcome.error;
  switch (wire.kind) {
    case 'wrong-version':
      return {
        ok: false,
        error: new WrongExpectedVersionError(wire.streamName, wire.expectedRevision, wire.actualRevision),
      };
    case 'claimed':
      return {
        ok: false,
        error: new IdempotencyKeyClaimedError(wire.claim, request.claim?.requestHash ?? ''),
      };
    case 'limit':
      return {
        ok: false,
        error: new StoreLimitError(
          wire.code as ConstructorParameters<typeof StoreLimitError>[0],
          wire.message,
        ),
      };
    case 'store':
      return { ok: false, error: new EventStoreError(wire.code, wire.message) };
  }
}
