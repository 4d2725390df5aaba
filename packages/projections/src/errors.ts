/**
 * Coded errors of the projections package. Codes are stable and never reused; the API maps them
 * to problem+json and the CLI prints them.
 */
export const PROJECTION_ERROR_CODES = [
  /** A read-your-writes wait ran out before the projection reached the requested position. */
  'PROJECTION_TIMEOUT',
  /** The projector was stopped while a caller waited for it. */
  'PROJECTION_STOPPED',
  /** Another writer (a second projector or a rebuild swap) moved the checkpoint under this one. */
  'PROJECTION_CHECKPOINT_CONFLICT',
  /** The event history contradicts itself (e.g. confirms an unknown record): a bug or tampering. */
  'PROJECTION_CORRUPT_HISTORY',
  /** A caller passed an argument the projections cannot use (bad position, date, flag). */
  'PROJECTION_INVALID_ARGUMENT',
  /** An export bundle is missing, unreadable or inconsistent. */
  'PROJECTION_BUNDLE_INVALID',
  /** A rebuild was stopped (its AbortSignal fired) before the swap: the live read models are unchanged. */
  'PROJECTION_INTERRUPTED',
  /** A rebuild ran out of disk before the swap: the half-built tables were dropped, the live read models are unchanged. */
  'PROJECTION_DISK_FULL',
  /** Another rebuild of the same read models holds their rebuild lock: this one changed nothing. */
  'PROJECTION_REBUILD_RUNNING',
] as const;
export type ProjectionErrorCode = (typeof PROJECTION_ERROR_CODES)[number];

export class ProjectionError extends Error {
  constructor(
    readonly code: ProjectionErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProjectionError';
  }
}

export function isProjectionError(error: unknown, code?: ProjectionErrorCode): error is ProjectionError {
  return error instanceof ProjectionError && (code === undefined || error.code === code);
}
