import { parseEvent, type DomainEvent } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import type { Ledger } from './ledger.js';

/** Where the reactor remembers how far it got; the same shape as the Kafka relay's checkpoint. */
export interface ReactorCheckpointStore {
  /** The saved position, or 0n when nothing was saved yet. */
  load(): Promise<bigint>;
  save(position: bigint): Promise<void>;
}

/** Event types that cause a reaction on another stream (see the domain's `react`). */
export const REACTING_EVENT_TYPES = ['PointsTransferSent', 'PointsDonated'] as const;

export interface ReactorOptions {
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly checkpoints: ReactorCheckpointStore;
  /** Called with every failure; the reactor retries the event after `retryDelayMs`. */
  readonly onError?: (error: unknown, position: bigint) => void;
  /** Pause before retrying an event whose reaction failed (store down, …), in ms. Default 1,000. */
  readonly retryDelayMs?: number;
  /**
   * How long after an event was recorded the reactor takes it up, in ms. The command that stored
   * the event runs its reactions at once and reports their outcome to its caller; the reactor is
   * the safety net for a process that stopped in between, so it leaves fresh events to that
   * command. Default 30,000: far above a command's reaction time, short enough to heal quickly.
   */
  readonly graceMs?: number;
  /** The wall clock, in epoch ms, compared with the store's recorded time. Default Date.now. */
  readonly now?: () => number;
}

export interface Reactor {
  /** Follows the store until `stop()`. Call once. */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** True once the reactor has processed everything that existed when it started. */
  caughtUp(): boolean;
  /** Position of the last event whose reactions are done. */
  position(): bigint;
}

/**
 * Runs the reactions of stored events, at least once each. The command that debits a sender
 * runs the credit at once, in the same call; if the process stops between the two, this reactor
 * finds the debit in the store and runs the credit (or its refund) after the restart. Reactions
 * are idempotent, so running one that already took effect changes nothing. The checkpoint moves
 * only after an event's reactions are stored.
 */
export function createReactor(options: ReactorOptions): Reactor {
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const graceMs = options.graceMs ?? 30_000;
  const now = options.now ?? Date.now;
  let stopped = false;
  let isCaughtUp = false;
  let lastPosition = 0n;
  let subscription: ReturnType<EventStore['subscribeToAll']> | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function reactUntilDone(event: DomainEvent, position: bigint): Promise<boolean> {
    while (!stopped) {
      try {
        await options.ledger.reactTo(event, { causationId: `position-${position}` });
        return true;
      } catch (error) {
        options.onError?.(error, position);
        await pause(retryDelayMs);
      }
    }
    return false;
  }

  return {
    async run() {
      lastPosition = await options.checkpoints.load();
      subscription = options.store.subscribeToAll({
        fromPosition: lastPosition,
        filter: { eventTypes: REACTING_EVENT_TYPES },
      });
      for await (const message of subscription) {
        if (stopped) break;
        if (message.kind === 'caught-up') {
          isCaughtUp = true;
          continue;
        }
        const recorded = message.event;
        const dueMs = Date.parse(recorded.recordedAt) + graceMs;
        while (!stopped && now() < dueMs) await pause(Math.min(dueMs - now(), retryDelayMs));
        if (stopped) break;
        // A stored event that no longer parses is corruption, not a retryable failure: stop loudly.
        const event = parseEvent(recorded.type, recorded.data, recorded.metadata.schemaVersion);
        if (!(await reactUntilDone(event, recorded.position))) break;
        lastPosition = recorded.position;
        await options.checkpoints.save(lastPosition);
      }
    },
    async stop() {
      stopped = true;
      wake?.();
      await subscription?.close();
    },
    caughtUp: () => isCaughtUp,
    position: () => lastPosition,
  };
}
