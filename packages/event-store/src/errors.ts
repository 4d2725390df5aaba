/**
 * Typed errors of the event store port. Codes are stable and never reused; they are listed in
 * docs/errors.md beside the domain's codes.
 */
import type { ExpectedRevision, StoredIdempotencyClaim } from './port.js';

export const STORE_ERROR_CODES = [
  'WRONG_EXPECTED_VERSION',
  'EVENT_TOO_LARGE',
  'TOO_MANY_EVENTS',
  'INVALID_STREAM_NAME',
  'INVALID_EVENT',
  'DUPLICATE_EVENT_ID',
  'STORE_UNAVAILABLE',
  'IDEMPOTENCY_KEY_CLAIMED',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class EventStoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EventStoreError';
  }
}

/** The stream's revision did not match the caller's expectation. Retry by re-reading and deciding again. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly streamName: string,
    readonly expectedRevision: ExpectedRevision,
    /** Revision of the stream's last event, or `'no_stream'`. */
    readonly actualRevision: bigint | 'no_stream',
  ) {
    super(
      'WRONG_EXPECTED_VERSION',
      `stream ${streamName}: expected revision ${String(expectedRevision)}, actual ${String(actualRevision)}`,
    );
    this.name = 'WrongExpectedVersionError';
  }
}

/** Input rejected before anything was written. */
export class StoreLimitError extends EventStoreError {
  constructor(
    code: Exclude<StoreErrorCode, 'WRONG_EXPECTED_VERSION' | 'STORE_UNAVAILABLE' | 'IDEMPOTENCY_KEY_CLAIMED'>,
    message: string,
  ) {
    super(code, message);
    this.name = 'StoreLimitError';
  }
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof EventStoreError && error.code === 'WRONG_EXPECTED_VERSION';
}

/**
 * The append's idempotency key is claimed already, by another append: nothing was written.
 * `sameRequest` tells a repeat of the claiming request (answer it from `claim`) from a reuse of the
 * key for a different one (refuse it).
 */
export class IdempotencyKeyClaimedError extends EventStoreError {
  readonly sameRequest: boolean;

  constructor(
    readonly claim: StoredIdempotencyClaim,
    requestHash: string,
  ) {
    super(
      'IDEMPOTENCY_KEY_CLAIMED',
      `idempotency key ${claim.keyHash} is claimed by stream ${claim.streamName}`,
    );
    this.name = 'IdempotencyKeyClaimedError';
    this.sameRequest = claim.requestHash === requestHash;
  }
}

export function isIdempotencyKeyClaimed(error: unknown): error is IdempotencyKeyClaimedError {
  return error instanceof IdempotencyKeyClaimedError;
}
