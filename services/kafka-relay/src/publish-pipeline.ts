/**
 * The relay's publishing half: collects mapped messages into a batch, hands a full or lingering
 * batch to one publish task, and moves the checkpoint only once the broker acknowledged it. At
 * most one batch is in flight while the next one is read and mapped, so reading overlaps the
 * broker round trip without reordering anything.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '@timebank/event-store';
import type { Logger } from 'pino';
import type { CheckpointStore } from './checkpoint-store.js';
import type { IntegrationMessage } from './integration-events/mapper.js';
import type { Publisher } from './publisher.js';
import type { MutableRelayMetrics } from './relay-metrics.js';
import type { RelayLimits } from './relay.js';

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
  /** Position up to which events were handed to a publish task (acknowledged or in flight). */
  #handedOffPosition = 0n;
  /**
   * The publish task in flight: resolves true once its batch is acknowledged and checkpointed,
   * false if the relay was stopped before.
   */
  #inFlight: Promise<boolean> = Promise.resolve(true);

  constructor(options: PublishPipelineOptions) {
    this.#options = options;
  }

  /** Starts from the checkpoint: everything up to `position` counts as handed off. */
  startAt(position: bigint): void {
    this.#handedOffPosition = position;
  }

  /** Records that the event at `position` was taken, with the message to publish if any. */
  take(position: bigint, message?: IntegrationMessage): void {
    if (message !== undefined) this.#batch.push(message);
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

  /** The publish task in flight (see `#inFlight`). */
  settled(): Promise<boolean> {
    return this.#inFlight;
  }

  /**
   * Waits for the batch in flight, then hands the current batch to a new publish task. False if
   * the relay was stopped before the earlier batch was acknowledged.
   */
  async flush(): Promise<boolean> {
    const end = this.#batchEndPosition;
    if (end === undefined || end <= this.#handedOffPosition) return this.#inFlight;
    if (!(await this.#inFlight)) return false;
    const messages = this.#batch;
    this.#batch = [];
    this.#handedOffPosition = end;
    this.#inFlight = this.#publishAndCheckpoint(messages, end);
    // A rejection (checkpoint write failed) surfaces at the next await of the task in flight.
    this.#inFlight.catch(() => undefined);
    return true;
  }

  /** Flushes and waits until everything taken so far is acknowledged. */
  async drain(): Promise<boolean> {
    return (await this.flush()) && (await this.#inFlight);
  }

  async #publishAndCheckpoint(messages: IntegrationMessage[], end: bigint): Promise<boolean> {
    if (!(await this.#publishUntilAcknowledged(messages, end))) return false;
    const { checkpoints, metrics, store } = this.#options;
    // Only now, with everything up to `end` acknowledged, may the checkpoint move.
    await checkpoints.save(end);
    metrics.state = 'running';
    metrics.checkpointPosition = end;
    metrics.publishedTotal += messages.length;
    for (const message of messages) {
      const type = message.headers['event-type'] ?? 'unknown';
      metrics.publishedByType[type] = (metrics.publishedByType[type] ?? 0) + 1;
    }
    metrics.headPosition = await store.headPosition();
    return true;
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
            fromPosition: metrics.checkpointPosition.toString(),
            toPosition: end.toString(),
            messages: messages.length,
          },
          'kafka publish failed; backing off and resending the batch',
        );
        if (stopSignal.aborted) return false;
        await Promise.race([sleep(delayMs), stopped]);
        if (stopSignal.aborted) return false;
      }
    }
  }
}
