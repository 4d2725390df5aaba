import type { EventStore } from '@timebank/event-store';
import type { Ledger } from '../ledger.js';
import { eraseDue } from '../personal-data/erasure.js';
import type { SchedulerJob } from './scheduler.js';

export interface RetentionErasureJobOptions {
  readonly ledger: Ledger;
  /** The store as stored (sealed); deactivations and erasures carry no sealed field. */
  readonly store: EventStore;
  /** Default DEFAULT_RETENTION_DAYS (1,095). */
  readonly retentionDays?: number;
  /** Default 86,400,000 ms (daily): retention is counted in days, and each run reads the whole log. */
  readonly delayMs?: number;
}

/** Daily by default (LEDGER_RETENTION_SWEEP_MS). */
export const DEFAULT_RETENTION_SWEEP_MS = 86_400_000;

/**
 * Erases the personal data of every volunteer deactivated more than the retention period before
 * the scheduler's clock, as the system, reason `retention_ended`. Each erasure carries the
 * idempotency key `retention-erasure:<volunteerId>`, and an erased volunteer is no longer due, so
 * a repeated or concurrent run stores each erasure once.
 */
export function retentionErasureJob(options: RetentionErasureJobOptions): SchedulerJob {
  return {
    name: 'retention-erasure',
    delayMs: options.delayMs ?? DEFAULT_RETENTION_SWEEP_MS,
    async run(nowMs) {
      const erased = await eraseDue(
        { ledger: options.ledger, store: options.store },
        {
          clock: () => nowMs,
          ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
        },
      );
      return erased.length;
    },
  };
}
