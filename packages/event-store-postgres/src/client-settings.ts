import type pg from 'pg';
import { DEFAULT_POSTGRES_LIMITS } from './options.js';

/**
 * How long the driver waits for an answer after the statement's own `statement_timeout`, in
 * milliseconds. 5,000: the server's cancellation normally arrives within milliseconds of the
 * statement timeout; an answer still missing 5 s later means the network between us is gone.
 */
export const QUERY_TIMEOUT_MARGIN_MILLISECONDS = 5000;

/**
 * Idle time before TCP keepalive probes start on a connection, in milliseconds. 10,000: a pooled
 * or LISTENing connection cut by a partition or a silent failover is then found dead, and
 * discarded, within seconds of the probes failing rather than at its next use (the kernel's
 * default idle time is two hours).
 */
export const KEEPALIVE_INITIAL_DELAY_MILLISECONDS = 10_000;

/** The timeouts every connection of the ledger to PostgreSQL applies. */
export interface PostgresTimeouts {
  /** Opening a connection, or waiting for a pooled one, in milliseconds. */
  readonly connectTimeoutMilliseconds: number;
  /** One statement, in milliseconds; 0: no limit (long jobs: rebuild, export, migrations). */
  readonly statementTimeoutMilliseconds: number;
}

/**
 * The driver settings for `timeouts`, for a pool or a client: a connection timeout, TCP keepalive,
 * and (unless 0) the server's `statement_timeout` with the driver's `query_timeout` a margin after
 * it, so that a statement is bounded even when the server's cancellation can never arrive, and
 * the same bound on a session left idle inside a transaction. A
 * timeout not given is the event store's default (`DEFAULT_POSTGRES_LIMITS`).
 */
export function clientSettings(timeouts: Partial<PostgresTimeouts>): pg.ClientConfig {
  const statement =
    timeouts.statementTimeoutMilliseconds ?? DEFAULT_POSTGRES_LIMITS.statementTimeoutMilliseconds;
  return {
    connectionTimeoutMillis:
      timeouts.connectTimeoutMilliseconds ?? DEFAULT_POSTGRES_LIMITS.connectTimeoutMilliseconds,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MILLISECONDS,
    // A session idle inside a transaction as long as a statement may run has lost its client
    // (a partition, a stalled process): the server ends it, so that the locks it holds (the
    // store's append lock among them) do not stall every other process until TCP notices.
    ...(statement > 0
      ? {
          statement_timeout: statement,
          query_timeout: statement + QUERY_TIMEOUT_MARGIN_MILLISECONDS,
          idle_in_transaction_session_timeout: statement,
        }
      : {}),
  };
}
