/**
 * Runs the ledger's clock inside the API process: the scheduler with its hold-expiry job over the
 * due index, the healing of interrupted reactions and the retention erasure, behind the store's sweep lease, and the due backlog for `/metrics` and `/readyz`.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  createScheduler,
  holdExpiryJob,
  pointsExpiryJob,
  reactionHealingJob,
  retentionErasureJob,
  type Ledger,
  type Scheduler,
  type SchedulerJob,
} from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import { createFileCheckpointStore, openSweepLease, REACTOR_CHECKPOINT_FILE } from '@timebank/ledger-opener';
import { createDueIndexQueries, type ReadModelDatabase } from '@timebank/projections';
import type { LedgerApiConfig } from './config.js';
import type { ApiMetrics } from './http/api-metrics.js';
import type { DueBacklogHandle } from './routes/system-routes.js';

export interface RunningClock {
  readonly scheduler: Scheduler;
  /**
   * Null when this process does not sweep (LEDGER_SWEEP_INTERVAL_MS=0): it never measures the
   * backlog, so it neither reports one on `/metrics` nor judges readiness by it. A 0 there read as
   * "nothing overdue" while `pnpm ledger due` listed overdue items.
   */
  readonly backlog: DueBacklogHandle | null;
  stop(): Promise<void>;
}

/** The due index as the hold-expiry job reads it. */
export function dueHoldSource(db: ReadModelDatabase) {
  const queries = createDueIndexQueries(db);
  return {
    async dueHolds(dueBy: string, limit: number, after?: { dueAt: string; key: string }) {
      const items = await queries.due(dueBy, limit, after, 'expire-hold');
      return items.map((item) => ({ ...item, holdId: item.subjectId }));
    },
  };
}

/** The due index as the points-expiry job reads it. */
export function dueLotSource(db: ReadModelDatabase) {
  const queries = createDueIndexQueries(db);
  return {
    async dueLots(dueBy: string, limit: number, after?: { dueAt: string; key: string }) {
      const items = await queries.due(dueBy, limit, after, 'expire-points');
      return items.map((item) => ({ ...item, recordId: item.subjectId }));
    },
  };
}

export function startLedgerClock(input: {
  readonly config: LedgerApiConfig;
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly db: ReadModelDatabase;
  /** Where the healing job keeps its checkpoint (the former reactor's file). */
  readonly dataDirectory: string;
  readonly clock: () => number;
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
}): RunningClock {
  const { config, clock, logger } = input;
  const queries = createDueIndexQueries(input.db);
  let latest = { items: 0, oldestLagSeconds: 0 };
  const refreshBacklog = async (): Promise<void> => {
    const nowMs = clock();
    const backlog = await queries.backlog(new Date(nowMs).toISOString());
    const oldestMs = backlog.oldestDueAt === null ? nowMs : Date.parse(backlog.oldestDueAt);
    latest = { items: backlog.items, oldestLagSeconds: Math.max(0, (nowMs - oldestMs) / 1000) };
  };
  const expireHolds = holdExpiryJob({
    ledger: input.ledger,
    source: dueHoldSource(input.db),
    delayMs: config.sweepIntervalMs,
  });
  const expirePoints = pointsExpiryJob({
    ledger: input.ledger,
    source: dueLotSource(input.db),
    delayMs: config.sweepIntervalMs,
  });
  const healReactions = reactionHealingJob({
    store: input.store,
    ledger: input.ledger,
    // The same atomic one-value file the Kafka relay uses for its own checkpoint.
    checkpoints: createFileCheckpointStore(join(input.dataDirectory, REACTOR_CHECKPOINT_FILE)),
    delayMs: config.sweepIntervalMs,
  });
  const backlogJob: SchedulerJob = {
    name: 'due-backlog',
    delayMs: config.sweepIntervalMs,
    run: async () => {
      await refreshBacklog();
      return 0;
    },
  };
  const eraseRetained = retentionErasureJob({
    ledger: input.ledger,
    store: input.store,
    retentionDays: config.retentionDays,
    delayMs: config.retentionSweepMs,
  });
  const scheduler = createScheduler({
    jobs: [expireHolds, expirePoints, healReactions, backlogJob, eraseRetained],
    clock,
    lease: openSweepLease(config.store),
    intervalMs: config.sweepIntervalMs,
    onError: (error, job) => logger.error({ err: error, job }, 'scheduler job failed; retrying next sweep'),
  });
  if (config.sweepIntervalMs === 0) return { scheduler, backlog: null, stop: () => scheduler.stop() };
  const backlog: DueBacklogHandle = { current: () => latest, itemsMax: config.dueBacklogMax };
  input.metrics.observeDueBacklog(
    () => latest,
    () => scheduler.sweeps,
  );
  scheduler.start();
  return { scheduler, backlog, stop: () => scheduler.stop() };
}
