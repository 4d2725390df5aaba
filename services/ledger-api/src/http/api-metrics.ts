/**
 * The series `/metrics` exposes. Sources that live elsewhere (the command handler's conflict
 * count, the projector's lag) are read at scrape time through the callbacks given here.
 */
import { CollectedMetric, Counter, Histogram, MetricsRegistry } from './metrics.js';

/**
 * Latency buckets in seconds: 2.5 ms to 2.5 s, seven of them. The API's target p99 is 10 ms
 * (docs/api.md), so they are dense around it; above 100 ms only the order of magnitude matters. Seven
 * rather than the thirteen used before: every bucket is a line per label set.
 */
export const LATENCY_BUCKETS_SECONDS = [0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];

export class ApiMetrics {
  readonly registry = new MetricsRegistry();
  readonly requestSeconds = this.registry.register(
    new Histogram(
      'http_request_duration_seconds',
      'HTTP request latency by method, route pattern and status class',
      LATENCY_BUCKETS_SECONDS,
    ),
  );
  readonly appends = this.registry.register(
    new Counter('ledger_store_appends_total', 'Appends to the event store by outcome (ok, conflict, error)'),
  );
  readonly appendedEvents = this.registry.register(
    new Counter('ledger_store_appended_events_total', 'Events appended to the event store'),
  );
  readonly appendSeconds = this.registry.register(
    new Histogram(
      'ledger_store_append_duration_seconds',
      'Event store append latency',
      LATENCY_BUCKETS_SECONDS,
    ),
  );
  readonly conflictGiveUps = this.registry.register(
    new Counter(
      'ledger_command_conflict_giveups_total',
      'Commands that still conflicted after the bounded retries (answered 409 CONCURRENCY_CONFLICT)',
    ),
  );
  readonly droppedConnections = this.registry.register(
    new Counter(
      'http_connections_dropped_total',
      'Connections closed on arrival because HTTP_CONNECTIONS_MAX were open',
    ),
  );
  readonly idempotentReplays = this.registry.register(
    new Counter(
      'ledger_idempotent_replays_total',
      'Writes answered from an earlier response with the same key',
    ),
  );

  /** Exposes the command handler's conflict count (each conflict is retried until the bound). */
  observeCommandConflicts(conflicts: () => number): void {
    this.registry.register(
      new CollectedMetric(
        'ledger_command_conflicts_total',
        'Optimistic-concurrency conflicts seen by the command handler; each one is retried until the bound',
        'counter',
        () => [{ value: conflicts() }],
      ),
    );
  }

  /** Exposes how far the read models are behind, when a projector runs. */
  observeProjectionLag(lag: () => { events: number; seconds: number }): void {
    this.registry.register(
      new CollectedMetric(
        'ledger_projection_lag_events',
        'Events the read models are behind the store',
        'gauge',
        () => [{ value: lag().events }],
      ),
    );
    this.registry.register(
      new CollectedMetric(
        'ledger_projection_lag_seconds',
        'Seconds the read models are behind the store',
        'gauge',
        () => [{ value: lag().seconds }],
      ),
    );
  }

  /** Exposes the due index's backlog (items past their due time) and the scheduler's sweeps. */
  /** The data directory's free space (see disk-space.ts); no sample until the first reading. */
  observeDiskSpace(freeBytes: () => number | undefined): void {
    this.registry.register(
      new CollectedMetric(
        'ledger_data_dir_free_bytes',
        'Bytes free to the server on the file system of its data directory (LEDGER_DATA_DIR)',
        'gauge',
        () => {
          const value = freeBytes();
          return value === undefined ? [] : [{ value }];
        },
      ),
    );
  }

  observeDueBacklog(backlog: () => { items: number; oldestLagSeconds: number }, sweeps: () => number): void {
    this.registry.register(
      new CollectedMetric(
        'ledger_due_backlog_items',
        'Due items (hold expiries) past their due time and not yet settled, as of the last sweep',
        'gauge',
        () => [{ value: backlog().items }],
      ),
    );
    this.registry.register(
      new CollectedMetric(
        'ledger_due_oldest_lag_seconds',
        'Seconds since the oldest unsettled due item fell due, as of the last sweep (0 when none)',
        'gauge',
        () => [{ value: backlog().oldestLagSeconds }],
      ),
    );
    this.registry.register(
      new CollectedMetric(
        'ledger_scheduler_sweeps_total',
        'Sweeps this process ran while holding the lease',
        'counter',
        () => [{ value: sweeps() }],
      ),
    );
  }
}
