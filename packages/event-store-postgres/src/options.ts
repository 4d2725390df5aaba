import type pg from 'pg';
import { DEFAULT_STORE_LIMITS, type StoreLimits } from '@timebank/event-store';

/** Limits of the PostgreSQL adapter: the port's limits plus the engine's own knobs. */
export interface PostgresLimits extends StoreLimits {
  /**
   * Most connections the adapter's own pool opens, in connections. Default 10: one group-commit
   * writer needs one at a time, the rest serve reads and subscriptions' catch-up pages; the
   * server's default `max_connections` is 100 and several processes share it.
   */
  readonly poolSizeMax: number;
  /**
   * Most events one group commit writes in one transaction, in events. Default 2,000: large enough
   * that 50 concurrent callers (the load scripts/bench/event-store-postgres.ts runs) always fit in one batch with room for multi-event
   * appends, small enough that the global append lock is held for a few milliseconds only.
   */
  readonly batchEventsMax: number;
  /**
   * Most group-commit transactions one store has in flight at once, in transactions. Default 2:
   * one committing while the next already waits on the server for the append lock with its reads
   * queued behind it, so the lock never sits idle for a client round trip. More would only queue
   * on the same lock and split callers into smaller batches.
   */
  readonly concurrentBatchesMax: number;
  /**
   * Most bytes of canonical event encoding one group commit writes, in bytes. Default 8 MiB: eight
   * maximum-size events; keeps a batch's bind message and server memory bounded. One append is
   * never split, so a single larger append still goes through, alone.
   */
  readonly batchBytesMax: number;
  /**
   * Interval of the subscriptions' safety-net poll, in milliseconds. Default 5,000: notifications
   * wake subscribers within a millisecond; the poll only bounds the delay if a notification is
   * ever lost, and at one cheap index probe per 5 s per subscription it costs nothing.
   */
  readonly pollIntervalMilliseconds: number;
  /**
   * First delay before reconnecting the listener or retrying a failed catch-up read, in
   * milliseconds; doubled on every failure up to `reconnectDelayMillisecondsMax`. Default 50:
   * a terminated backend is usually replaceable at once.
   */
  readonly reconnectDelayMilliseconds: number;
  /** Longest reconnect delay, in milliseconds. Default 5,000: a restarting server is back within seconds. */
  readonly reconnectDelayMillisecondsMax: number;
  /**
   * How long opening a connection (and waiting for a pooled one) may take before it fails, in
   * milliseconds. Default 10,000: a server that accepts the TCP connection and never answers (hung,
   * or another service on that port) otherwise held start-up, and every request, for ever; a
   * healthy server answers within milliseconds, a busy one within a few seconds.
   */
  readonly connectTimeoutMilliseconds: number;
  /**
   * Longest one statement may run, in milliseconds; 0 for no limit. Default 30,000: the store's
   * statements take milliseconds, so one still running after 30 s is waiting on a lock held by
   * someone else or on a server that stopped answering, and its caller (an HTTP request) is better
   * answered 503 than held for ever. The server cancels it (`statement_timeout`); if no answer
   * arrives at all (a network partition), the driver gives up `QUERY_TIMEOUT_MARGIN_MILLISECONDS`
   * later and discards the connection. Schema migrations run without it (see schema.ts).
   */
  readonly statementTimeoutMilliseconds: number;
}

export const DEFAULT_POSTGRES_LIMITS: PostgresLimits = Object.freeze({
  ...DEFAULT_STORE_LIMITS,
  poolSizeMax: 10,
  batchEventsMax: 2000,
  concurrentBatchesMax: 2,
  batchBytesMax: 8 * 1024 * 1024,
  pollIntervalMilliseconds: 5000,
  reconnectDelayMilliseconds: 50,
  reconnectDelayMillisecondsMax: 5000,
  connectTimeoutMilliseconds: 10_000,
  statementTimeoutMilliseconds: 30_000,
});

/** Limits that may be 0, meaning "none". */
const MAY_BE_ZERO: ReadonlySet<string> = new Set(['statementTimeoutMilliseconds']);

/**
 * Test-only hooks. Production code never sets them; they let a test hold a group commit open at an
 * exact point to force an interleaving that timing alone would make rare.
 */
export interface PostgresTestHooks {
  /** Called after a batch's rows are inserted and before its COMMIT, inside the transaction. */
  readonly beforeCommit?: (positions: readonly bigint[]) => Promise<void>;
}

interface CommonOptions {
  /** Schema that holds the store's tables; created if missing. Lower-case identifier, at most 63 bytes. */
  readonly schema: string;
  /**
   * Refuse to create (or migrate) a store that is not there: the schema must already hold the
   * events table, else opening throws a `PostgresStoreMissingError` and writes nothing. For the
   * auditor's commands, so that a mistyped schema is an error instead of a clean verification of
   * an empty store created on the spot. Default false: services create their store.
   */
  readonly mustExist?: boolean;
  readonly limits?: Partial<PostgresLimits>;
  /**
   * LISTEN/NOTIFY channel that announces commits. Default `<schema>_events`, shortened to the
   * server's 63-byte identifier limit: one channel per store, so stores in other schemas of the
   * same database do not wake each other's subscribers.
   */
  readonly notificationChannel?: string;
  /** Test-only; see `PostgresTestHooks`. */
  readonly hooks?: PostgresTestHooks;
}

/**
 * Either a connection string (the store owns its pool) or a pool the caller owns and ends. A
 * caller-owned pool needs its own `pool.on('error')` handler, as every `pg` pool does; the
 * listener connection is opened with the pool's connection options.
 */
export type PostgresEventStoreOptions = CommonOptions &
  (
    | { readonly connectionString: string; readonly pool?: never }
    | { readonly pool: pg.Pool; readonly connectionString?: never }
  );

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Fails at start-up, naming the option, rather than producing broken SQL later. */
export function resolveLimits(schema: string, overrides: Partial<PostgresLimits> = {}): PostgresLimits {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(`schema ${JSON.stringify(schema)} must match ${String(SCHEMA_PATTERN)}`);
  }
  const limits = { ...DEFAULT_POSTGRES_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0 || (value === 0 && !MAY_BE_ZERO.has(name))) {
      throw new Error(
        `limits.${name} must be a ${MAY_BE_ZERO.has(name) ? 'non-negative' : 'positive'} integer, got ${String(value)}`,
      );
    }
  }
  if (limits.batchEventsMax < limits.eventsPerAppendMax) {
    throw new Error('limits.batchEventsMax must be at least limits.eventsPerAppendMax');
  }
  return Object.freeze(limits);
}

export function defaultChannel(schema: string): string {
  return `${schema.slice(0, 56)}_events`;
}
