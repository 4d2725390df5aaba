import { DomainError } from '@timebank/domain';
import type { Ledger } from '../ledger.js';
import { sweepDuePages } from './due-sweep.js';
import type { SchedulerJob } from './scheduler.js';

/** One entry of the due index, as the scheduler needs it. */
export interface DueHold {
  /** The due index's key, used as the command's idempotency key: `expire-hold:<volunteerId>:<holdId>`. */
  readonly key: string;
  /** ISO-8601 UTC; compared as text, which orders UTC instants. */
  readonly dueAt: string;
  readonly volunteerId: string;
  readonly holdId: string;
}

/** Where the job finds what is due: the due-index read model, paged by (dueAt, key). */
export interface DueHoldSource {
  /** Undone holds due at or before `dueBy`, ordered by (dueAt, key), after `after` when given. */
  dueHolds(
    dueBy: string,
    limit: number,
    after?: { readonly dueAt: string; readonly key: string },
  ): Promise<DueHold[]>;
}

export interface HoldExpiryJobOptions {
  readonly ledger: Ledger;
  readonly source: DueHoldSource;
  /** Default 1,000 ms: a 2 s hold then returns its points within about 3 s. */
  readonly delayMs?: number;
  /** Due items read per page. Default 500: one page is a few hundred KB. */
  readonly pageItemsMax?: number;
  /** Commands in flight at once, so their appends share group commits. Default 32. */
  readonly concurrencyMax?: number;
}

/**
 * Rejections that mean the item needs nothing more: captured, released or expired already (by
 * this process, another one, or a run before a crash), or not yet due by the hold's own clock.
 */
const SETTLED_CODES = new Set(['HOLD_ALREADY_RESOLVED', 'HOLD_NOT_FOUND', 'HOLD_NOT_EXPIRED']);

export const SYSTEM_CLOCK_ACTOR = { id: 'clock', role: 'system' } as const;

async function expireOne(ledger: Ledger, item: DueHold): Promise<number> {
  try {
    const result = await ledger.execute(
      {
        type: 'ExpireHold',
        idempotencyKey: item.key,
        actor: SYSTEM_CLOCK_ACTOR,
        volunteerId: item.volunteerId,
        holdId: item.holdId,
      },
      { correlationId: item.key },
    );
    return result.events.length;
  } catch (error) {
    if (error instanceof DomainError && SETTLED_CODES.has(error.code)) return 0;
    throw error;
  }
}

/**
 * Expires every pending hold whose timeout has passed. The domain dates each expiry at the
 * hold's due time, so it does not matter how late this runs; and it rejects an expiry of a hold
 * already resolved, so a repeated or concurrent run stores nothing twice.
 */
export function holdExpiryJob(options: HoldExpiryJobOptions): SchedulerJob {
  const pageItemsMax = options.pageItemsMax ?? 500;
  const concurrencyMax = options.concurrencyMax ?? 32;
  return {
    name: 'expire-holds',
    delayMs: options.delayMs ?? 1000,
    run: (nowMs) =>
      sweepDuePages(
        (limit, after) => options.source.dueHolds(new Date(nowMs).toISOString(), limit, after),
        (item) => expireOne(options.ledger, item),
        pageItemsMax,
        concurrencyMax,
      ),
  };
}
