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
  'STORED_EVENT_UNREADABLE',
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
    code: Exclude<
      StoreErrorCode,
      'WRONG_EXPECTED_VERSION' | 'STORE_UNAVAILABLE' | 'IDEMPOTENCY_KEY_CLAIMED' | 'STORED_EVENT_UNREADABLE'
    >,
    message: string,
  ) {
    super(code, message);
    this.name = 'StoreLimitError';
  }
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof EventStoreError && error.code === 'WRONG_EXPECTED_VERSION';
}

/** Error codes of a full disk: SQLite's SQLITE_FULL, the file system's ENOSPC, PostgreSQL's disk_full. */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);
/** The same in messages, for errors that crossed a thread or were rewrapped as text. */
const DISK_FULL_WORDS = /database or disk is full|SQLITE_FULL|ENOSPC|no space left on device|\b53100\b/i;

/**
 * Whether an error, or an error it was caused by, says the disk is full (the engines' codes and
 * words above). Whatever failed for it was rolled back: SQLite and PostgreSQL write nothing of a
 * transaction that could not commit.
 */
export function saysDiskFull(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if ((typeof code === 'string' && DISK_FULL_CODES.has(code)) || DISK_FULL_WORDS.test(cause.message)) {
      return true;
    }
    cause = cause.cause;
  }
  return false;
}

/** Whether a store's STORE_UNAVAILABLE says its disk is full (see `saysDiskFull`). */
export function isStorageFull(error: unknown): boolean {
  return error instanceof EventStoreError && error.code === 'STORE_UNAVAILABLE' && saysDiskFull(error);
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

/**
 * A stored event whose data or metadata cannot be read back as JSON: the store's file was altered
 * outside the store. Names the event, so that a reader (verify, a rebuild) can say where, and
 * carries its stored hash, so that an auditor's chain check can go on past it.
 */
export class StoredEventUnreadableError extends EventStoreError {
  readonly position: bigint;
  readonly streamName: string;
  readonly revision: bigint;
  /** The event's stored hash, when the read that failed had it. */
  readonly hash: string | undefined;

  constructor(
    event: { position: bigint; streamName: string; revision: bigint; hash: string | undefined },
    detail: string,
  ) {
    super(
      'STORED_EVENT_UNREADABLE',
      `the stored event at position ${event.position} (${event.streamName}@${event.revision}) cannot be read: ${detail}`,
    );
    this.name = 'StoredEventUnreadableError';
    this.position = event.position;
    this.streamName = event.streamName;
    this.revision = event.revision;
    this.hash = event.hash;
  }
}

export function isStoredEventUnreadable(error: unknown): error is StoredEventUnreadableError {
  return error instanceof StoredEventUnreadableError;
}
