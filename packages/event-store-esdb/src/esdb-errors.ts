/**
 * Classifies the client's errors: which are worth retrying, and how a conflict becomes the
 * port's `WrongExpectedVersionError`.
 */
import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  convertToCommandError,
} from '@eventstore/db-client';
import { EventStoreError, WrongExpectedVersionError } from '@timebank/event-store';
import type { ExpectedRevision } from '@timebank/event-store';

/** The client's typed error for an error that may still be a raw gRPC `ServiceError`. */
function commandErrorOf(error: unknown): unknown {
  return error instanceof Error ? convertToCommandError(error) : error;
}

/**
 * Errors after which the same request may simply be sent again:
 * - Unavailable: the node is down or unreachable; the client reconnects (to another node).
 * - NotLeader: a write reached a follower; the client reconnects to the leader it names.
 * - Cancelled: the server cancelled the call, e.g. while changing role in an election.
 * - DeadlineExceeded: the outcome is unknown; the server may even have dropped a repeated write
 *   on purpose until the original is replicated (KurrentDB's `IdempotentNotReady`).
 * Repeating an append is safe because event ids are deterministic and every write carries an
 * exact expected revision, so the server stores a batch at most once.
 */
export function isTransientEsdbError(error: unknown): boolean {
  const converted = commandErrorOf(error);
  return (
    converted instanceof UnavailableError ||
    converted instanceof NotLeaderError ||
    converted instanceof CancelledError ||
    converted instanceof DeadlineExceededError
  );
}

export function isStreamNotFound(error: unknown): boolean {
  return commandErrorOf(error) instanceof StreamNotFoundError;
}

/** The client's conflict error, when `error` is one. */
export function esdbConflict(error: unknown): EsdbWrongExpectedVersionError | undefined {
  const converted = commandErrorOf(error);
  return converted instanceof EsdbWrongExpectedVersionError ? converted : undefined;
}

/** The port's conflict error for the client's, reported against the caller's own expectation. */
export function toPortConflict(
  streamName: string,
  expected: ExpectedRevision,
  conflict: EsdbWrongExpectedVersionError,
): WrongExpectedVersionError {
  return new WrongExpectedVersionError(streamName, expected, conflict.actualVersion);
}

/** The store could not reach a usable node within the retry budget. */
export class StoreUnavailableError extends EventStoreError {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super('STORE_UNAVAILABLE', message);
    this.name = 'StoreUnavailableError';
  }
}
