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
