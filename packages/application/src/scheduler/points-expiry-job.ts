import { DomainError } from '@timebank/domain';
import type { Ledger } from '../ledger.js';
import { sweepDuePages, type DueCursor } from './due-sweep.js';
import { SYSTEM_CLOCK_ACTOR } from './hold-expiry-job.js';
import type { SchedulerJob } from './scheduler.js';

/** One lot of earned points due to expire, as the due index lists it. */
export interface DueLot extends DueCursor {
  /** The due index's key, used as the command's idempotency key: `expire-points:<volunteerId>:<recordId>`. */
  readonly key: string;
  readonly volunteerId: string;
  /** The earning record whose points form the lot. */
  readonly recordId: string;
}

/** Where the job finds what is due: the due-index read model, paged by (dueAt, key). */
export interface DueLotSource {
  /** Unsettled lots due at or before `dueBy`, ordered by (dueAt, key), after `after` when given. */
  dueLots(dueBy: string, limit: number, after?: DueCursor): Promise<DueLot[]>;
}

export interface PointsExpiryJobOptions {
  readonly ledger: Ledger;
  readonly source: DueLotSource;
  /** Default 1,000 ms, as the hold expiry. */
  readonly delayMs?: number;
  /** Due items read per page. Default 500, as the hold expiry. */
  readonly pageItemsMax?: number;
  /** Commands in flight at once. Default 32, as the hold expiry. */
  readonly concurrencyMax?: number;
}

async function expireLot(ledger: Ledger, item: DueLot): Promise<number> {
  try {
    const result = await ledger.execute(
      {
        type: 'ExpirePoints',
        idempotencyKey: item.key,
        actor: SYSTEM_CLOCK_ACTOR,
        volunteerId: item.volunteerId,
        recordId: item.recordId,
      },
      { correlationId: item.key },
    );
    return result.events.length;
  } catch (error) {
    // Expired already (by a run before a crash or another process), reversed, or not yet due.
    if (error instanceof DomainError && error.code === 'NO_POINTS_TO_EXPIRE') return 0;
    throw error;
  }
}

/**
 * Books every lot of points whose expiry date has passed to the expired account. The domain dates
 * each expiry at the lot's date, however late this runs, and expires a lot once; a lot spent
 * before its date is settled with a `PointsExpired` of 0, so its due item is done.
 */
export function pointsExpiryJob(options: PointsExpiryJobOptions): SchedulerJob {
  const pageItemsMax = options.pageItemsMax ?? 500;
  const concurrencyMax = options.concurrencyMax ?? 32;
  return {
    name: 'expire-points',
    delayMs: options.delayMs ?? 1000,
    run: (nowMs) =>
      sweepDuePages(
        (limit, after) => options.source.dueLots(new Date(nowMs).toISOString(), limit, after),
        (item) => expireLot(options.ledger, item),
        pageItemsMax,
        concurrencyMax,
      ),
  };
}
