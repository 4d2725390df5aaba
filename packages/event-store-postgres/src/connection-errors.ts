import { EventStoreError } from '@timebank/event-store';

/**
 * Errors that mean "the connection or the server went away", after which retrying on a fresh
 * connection is the right move, as opposed to errors in our SQL or data, which must surface.
 */
// 08: connection exception; 57P: operator intervention (terminated backend, shutdown); 53300: too many connections.
const TRANSIENT_SQLSTATE_PREFIXES = ['08', '57P', '53300'];
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

export function isTransientConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isQueryTimeout(error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_NODE_CODES.has(code)) return true;
    if (TRANSIENT_SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  }
  // node-postgres reports a socket closed under it without a code.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/**
 * SQLSTATE 53100, disk_full: the statement could not extend a file, its transaction rolled back and
 * nothing was written; the server recovers once space is freed. "Try again later", like an
 * outage, not a bug to surface. (Out of memory or a configuration limit, the rest of class 53,
 * may well pass when the batch's appends are retried one by one, so they are left to that.)
 */
export function isServerDiskFull(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '53100';
}

/**
 * A statement that ran out of time: cancelled by the server after `statement_timeout` (SQLSTATE
 * 57014, query_canceled; also what an operator's pg_cancel_backend gives), or given up by the
 * driver after `query_timeout` with no answer at all (a network partition). Either way the
 * statement did not complete for the caller and retrying later is the right move; after the
 * driver's own timeout the connection is still busy with the statement and must be discarded.
 */
export function isQueryTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as { code?: unknown }).code === '57014' || isQueryReadTimeout(error);
}

/** The driver's `query_timeout` fired: the connection still runs the statement, so it is unusable. */
export function isQueryReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/**
 * A read's failure as the port reports it: a connection refused or lost (the server restarting,
 * a failover, a network cut) is `STORE_UNAVAILABLE`, as for appends, so that callers can tell
 * "try again later" from a bug. Anything else is returned as it is.
 */
export function asReadError(error: unknown): unknown {
  if (error instanceof EventStoreError || !isTransientConnectionError(error)) return error;
  return new EventStoreError('STORE_UNAVAILABLE', `PostgreSQL is unavailable: ${(error as Error).message}`);
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
