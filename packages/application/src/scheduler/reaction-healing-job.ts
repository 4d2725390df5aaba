import { parseEvent, REACTING_EVENT_TYPES, type DomainEvent } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import type { Ledger } from '../ledger.js';
import type { SchedulerJob } from './scheduler.js';

/** Where the healing job remembers how far it got; the same shape as the Kafka relay's checkpoint. */
export interface ReactionCheckpointStore {
  /** The saved position, or 0n when nothing was saved yet. */
  load(): Promise<bigint>;
  save(position: bigint): Promise<void>;
  /** Records a position below the saved one (a checkpoint beyond a restored store's head). */
  rewind(position: bigint): Promise<void>;
}

/** Pages of a long run between two checkpoint saves: bounds what a crash makes the next run reread. */
const SAVE_EVERY_PAGES = 20;

export interface ReactionHealingJobOptions {
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly checkpoints: ReactionCheckpointStore;
  /**
   * How long after an event was recorded the job takes it up, in ms. The command that stored the
   * event runs its reactions at once and reports their outcome to its caller; this job is the
   * safety net for a process that stopped in between, so it leaves fresh events to that command.
   * Default 30,000: far above a command's reaction time, short enough to heal quickly.
   */
  readonly graceMs?: number;
  /** Default 1,000 ms. */
  readonly delayMs?: number;
  /** Events read per page. Default 500. */
  readonly pageEventsMax?: number;
}

/**
 * Heals transfers, donations and pool allocations interrupted by a crash: finds each debit (the
 * domain's `REACTING_EVENT_TYPES`) older than the grace period in the store and runs its reaction (the credit,
 * or the refund). Reactions are idempotent, so one that already took effect changes nothing; the
 * checkpoint moves only after an event's reactions are stored, and never past a fresh debit.
 */
export function reactionHealingJob(options: ReactionHealingJobOptions): SchedulerJob {
  const graceMs = options.graceMs ?? 30_000;
  const pageEventsMax = options.pageEventsMax ?? 500;
  return {
    name: 'heal-reactions',
    delayMs: options.delayMs ?? 1000,
    async run(nowMs) {
      let position = await options.checkpoints.load();
      // Beyond the store's last event: the store was restored from an older backup (the data
      // directory kept). New debits take those positions again, and going on from the checkpoint
      // would never heal them; which ones are new cannot be told from positions, so the job reads
      // from the beginning again (every reaction is idempotent).
      if (position > (await options.store.headPosition())) {
        await options.checkpoints.rewind(0n);
        position = 0n;
      }
      let saved = position;
      let pagesUnsaved = 0;
      let healed = 0;
      // Saved once a run (and every SAVE_EVERY_PAGES pages of a long one), not after every page:
      // under a steady write load each save (a file written, fsynced and renamed) cost the
      // request thread more than reading the page (issue #15). An older checkpoint only means
      // rereading events whose reactions are idempotent.
      const save = async (): Promise<void> => {
        if (position === saved) return;
        await options.checkpoints.save(position);
        saved = position;
        pagesUnsaved = 0;
      };
      for (;;) {
        const page = await options.store.readAll({ fromPosition: position, maxCount: pageEventsMax });
        if (page.length === 0) {
          await save();
          return healed;
        }
        for (const recorded of page) {
          if (REACTING_EVENT_TYPES.has(recorded.type as DomainEvent['type'])) {
            // Fresh: its own command may still be crediting it. Stop here and look again next run.
            if (Date.parse(recorded.recordedAt) + graceMs > nowMs) {
              await save();
              return healed;
            }
            // A stored event that no longer parses is corruption, not a retryable failure: it throws.
            const event = parseEvent(recorded.type, recorded.data, recorded.metadata.schemaVersion);
            const results = await options.ledger.reactTo(event, {
              causationId: `position-${recorded.position}`,
            });
            healed += results.reduce((sum, result) => sum + result.events.length, 0);
          }
          position = recorded.position;
        }
        pagesUnsaved += 1;
        if (pagesUnsaved >= SAVE_EVERY_PAGES) await save();
      }
    },
  };
}
