/**
 * Typed errors of the event store port. Codes are stable and never reused; they are listed in
 * docs/errors.md beside the domain's codes.
 */
import type { ExpectedRevision } from './port.js';

export const STORE_ERROR_CODES = [
  'WRONG_EXPECTED_VERSION',
  'EVENT_TOO_LARGE',
  'TOO_MANY_EVENTS',
  'INVALID_STREAM_NAME',
  'INVALID_EVENT',
  'DUPLICATE_EVENT_ID',
  'STORE_UNAVAILABLE',
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
    code: Exclude<StoreErrorCode, 'WRONG_EXPECTED_VERSION' | 'STORE_UNAVAILABLE'>,
    message: string,
  ) {
    super(code, message);
    this.name = 'StoreLimitError';
  }
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof EventStoreError && error.code === 'WRONG_EXPECTED_VERSION';
}
