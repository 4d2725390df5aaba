/**
 * The relay's publishing half: collects mapped messages into a batch and hands a full or
 * lingering batch to the sender. Batches are sent strictly one after another — the next only
 * once the broker acknowledged the one before, retried until it is — so nothing is reordered and
 * a later batch is never written while an earlier one failed. Up to `pendingBatchesMax` batches
 * may wait behind the one on the wire, so reading and mapping run ahead of the broker instead of
 * stopping at every round trip. The checkpoint is written off that path: after each
 * acknowledgement the newest acknowledged position is saved (one write at a time; positions
 * acknowledged meanwhile are coalesced into the next write), so a checkpoint never names a
 * position before which something is unacknowledged, and the next send does not wait for an fsync.
 *
 * Why not several produce requests in flight: kafkajs 2.2.4's idempotent producer holds a lock
 * per broker across each produce request (eosManager.acquireBrokerLock), so its
 * `maxInFlightRequests` buys nothing; and a second send queued on that lock takes the sequence
 * numbers of a request that failed before it, so the broker would store it first — a reorder.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '@timebank/event-store';
import type { Logger } from 'pino';
import type { CheckpointStore } from './checkpoint-store.js';
import type { IntegrationMessage } from './integration-events/mapper.js';
import type { Publisher } from './publisher.js';
import type { MutableRelayMetrics } from './relay-metrics.js';
import type { RelayLimits } from './relay.js';

/** Least time between two log lines about failing checkpoint saves, in ms: one a minute, not one per backoff. */
const CHECKPOINT_FAILURE_LOG_INTERVAL_MS = 60_000;

export interface PublishPipelineOptions {
  readonly store: EventStore;
  readonly publisher: Publisher;
  readonly checkpoints: CheckpointStore;
  readonly log: Logger;
  readonly metrics: MutableRelayMetrics;
  readonly limits: RelayLimits;
  /** Aborted when the relay is asked to stop: backoffs end early and nothing more is resent. */
  readonly stopSignal: AbortSignal;
  /** Resolves when `stopSignal` aborts, so that a backoff can race it. */
  readonly stopped: Promise<'stop'>;
}

export class PublishPipeline {
  readonly #options: PublishPipelineOptions;
  #batch: IntegrationMessage[] = [];
  /** Position of the last event taken into the batch (published, internal or skipped). */
  #batchEndPosition: bigint | undefined;
  /** Position up to which events were handed to the sender (acknowledged or waiting). */
  #handedOffPosition = 0n;
  /**
   * One promise per batch handed off and not yet awaited here, oldest first: each resolves true
   * once its batch is acknowledged, false if the relay was stopped before.
   */
  readonly #pending: Promise<boolean>[] = [];
  /** The newest batch handed off (see `#pending`); the next batch is sent after it. */
  #lastSend: Promise<boolean> = Promise.resolve(true);
  /** Everything at or below this position is acknowledged by the broker (or internal). */
  #acknowledgedPosition = 0n;
  /** Position the checkpoint file holds. */
  #checkpointedPosition = 0n;
  /** The checkpoint writer while it runs. */
  #checkpointWriting: Promise<void> | undefined;

  constructor(options: PublishPipelineOptions) {
    this.#options = options;
  }

  /** Starts from the checkpoint: everything up to `position` counts as handed off. */
  startAt(position: bigint): void {
    this.#handedOffPosition = position;
    this.#acknowledgedPosition = position;
    this.#checkpointedPosition = position;
  }

  /**
   * Records that the event at `position` was taken, with the message to publish if any and its
   * copy for a partner's topic. Both go into the same batch, so the checkpoint passes the event
   * only once the broker acknowledged both.
   */
  take(position: bigint, message?: IntegrationMessage, partnerMessage?: IntegrationMessage): void {
    if (message !== undefined) this.#batch.push(message);
    if (partnerMessage !== undefined) this.#batch.push(partnerMessage);
    this.#batchEndPosition = position;
  }

  /** Messages waiting in the batch. */
  get batchLength(): number {
    return this.#batch.length;
  }

  /** True while events were taken that no publish task holds yet, i.e. a linger is due. */
  get hasUnhandedOff(): boolean {
    return this.#batchEndPosition !== undefined && this.#batchEndPosition > this.#handedOffPosition;
  }

  /**
   * Waits until every batch handed off is acknowledged (or the relay was stopped: then false) and
   * whatever was acknowledged is checkpointed (or the relay was stopped while a save was retried).
   */
  async settled(): Promise<boolean> {
    const acknowledged = await this.#lastSend;
    while (this.#checkpointWriting !== undefined) await this.#checkpointWriting;
    return acknowledged;
  }

  /**
   * Hands the current batch to the sender, first waiting for the oldest pending batch if
   * `pendingBatchesMax` are pending. False if the relay was stopped before that batch was
   * acknowledged.
   */
  async flush(): Promise<boolean> {
    const end = this.#batchEndPosition;
    if (end === undefined || end <= this.#handedOffPosition) return this.#lastSend;
    while (this.#pending.length >= this.#options.limits.pendingBatchesMax) {
      if (!(await this.#pending.shift())) return false;
    }
    const messages = this.#batch;
    this.#batch = [];
    this.#handedOffPosition = end;
    const previous = this.#lastSend;
    const send = previous.then((acknowledged) => acknowledged && this.#publish(messages, end));
    // A rejection cannot happen (publishing retries until acknowledged or stopped), but an
    // unhandled one would crash the process, so it is caught and surfaces when awaited.
    send.catch(() => undefined);
    this.#lastSend = send;
    this.#pending.push(send);
    return true;
  }

  /** Flushes and waits until everything taken so far is acknowledged and checkpointed. */
  async drain(): Promise<boolean> {
    const flushed = await this.flush();
    return (await this.settled()) && flushed;
  }

  async #publish(messages: IntegrationMessage[], end: bigint): Promise<boolean> {
    if (!(await this.#publishUntilAcknowledged(messages, end))) return false;
    const { metrics } = this.#options;
    metrics.state = 'running';
    for (const message of messages) {
      // Events are counted once, on their family's topic; copies for partners' topics on their own.
      if (message.partnerCopy === true) {
        metrics.partnerPublishedTotal += 1;
        continue;
      }
      metrics.publishedTotal += 1;
      const type = message.headers['event-type'] ?? 'unknown';
      metrics.publishedByType[type] = (metrics.publishedByType[type] ?? 0) + 1;
    }
    // Batches are acknowledged in order, so everything up to `end` is acknowledged now.
    this.#acknowledgedPosition = end;
    this.#checkpointWriting ??= this.#writeCheckpoints();
    return true;
  }

  /**
   * Saves the newest acknowledged position until the file holds it; one writer at a time. A save
   * that fails (a full disk, a file system gone read-only) is tried again after a backoff while
   * publishing goes on: the checkpoint only lags, and a restart meanwhile resends from the last
   * saved one, as after a crash. `kafka_relay_lag_positions` grows meanwhile. It used to stop the
   * relay for good, which in the API's process nothing restarted.
   */
  async #writeCheckpoints(): Promise<void> {
    const { checkpoints, metrics, log, limits, stopSignal, stopped } = this.#options;
    // Yield once, so that `#checkpointWriting` is set before this function can finish.
    await Promise.resolve();
    let failures = 0;
    let lastLoggedMs = -Infinity;
    try {
      while (this.#checkpointedPosition < this.#acknowledgedPosition) {
        const position = this.#acknowledgedPosition;
        try {
          await checkpoints.save(position);
        } catch (error) {
          failures += 1;
          const delayMs = Math.min(
            limits.backoffInitialMs * 2 ** Math.min(failures - 1, 20),
            limits.backoffMaxMs,
          );
          if (performance.now() - lastLoggedMs >= CHECKPOINT_FAILURE_LOG_INTERVAL_MS) {
            lastLoggedMs = performance.now();
            log.error(
              { err: error, failures, position: position.toString(), delayMs },
              'kafka relay checkpoint not saved; publishing goes on and the save is retried (a restart meanwhile resends from the last saved checkpoint)',
            );
          }
          if (stopSignal.aborted) return;
          await Promise.race([sleep(delayMs), stopped]);
          if (stopSignal.aborted) return;
          continue;
        }
        if (failures > 0) {
          log.info({ failures, position: position.toString() }, 'kafka relay checkpoint saved again');
          failures = 0;
        }
        this.#checkpointedPosition = position;
        metrics.checkpointPosition = position;
        await this.#refreshHead();
      }
    } finally {
      this.#checkpointWriting = undefined;
    }
  }

  /** Reads the store's head for the lag metric; a store that does not answer leaves it as it was. */
  async #refreshHead(): Promise<void> {
    const { store, metrics } = this.#options;
    try {
      metrics.headPosition = await store.headPosition();
    } catch {
      // The store's own unavailability is reported by the API's /readyz; the lag waits for the next read.
    }
  }

  /** Sends until acknowledged, backing off with logs; false if stopped first. */
  async #publishUntilAcknowledged(messages: IntegrationMessage[], end: bigint): Promise<boolean> {
    const { publisher, metrics, limits, log, stopSignal, stopped } = this.#options;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await publisher.publish(messages);
        if (attempt > 1) log.info({ attempt, toPosition: end.toString() }, 'kafka publish recovered');
        return true;
      } catch (error) {
        metrics.publishFailuresTotal += 1;
        metrics.state = 'backing-off';
        const delayMs = Math.min(
          limits.backoffInitialMs * 2 ** Math.min(attempt - 1, 20),
          limits.backoffMaxMs,
        );
        log.warn(
          {
            err: error,
            attempt,
            delayMs,
            fromPosition: this.#acknowledgedPosition.toString(),
            toPosition: end.toString(),
            messages: messages.length,
          },
          'kafka publish failed; backing off and resending the batch',
        );
        if (stopSignal.aborted) return false;
        // The head is otherwise read only after an acknowledged batch: without this, the lag
        // would stay at what it was when the broker went away, however much is appended since.
        await this.#refreshHead();
        await Promise.race([sleep(delayMs), stopped]);
        if (stopSignal.aborted) return false;
      }
    }
  }
}
