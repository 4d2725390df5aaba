/**
 * The relay: reads the ledger's `$all` from its checkpoint, maps each event to its integration
 * event (or to nothing, for internal events), publishes in batches and advances the checkpoint
 * only after the broker acknowledged the whole batch — so after any crash or broker outage it
 * resends from the last acknowledged position: at-least-once, in per-volunteer order, no gap.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, RecordedEvent, SubscriptionMessage } from '@timebank/event-store';
import type { Logger } from 'pino';
import type { CheckpointStore } from './checkpoint-store.js';
import { mapEvent, type FindServiceRecord, type IntegrationMessage } from './integration-events/mapper.js';
import type { Publisher } from './publisher.js';
import { MutableRelayMetrics, type RelayMetrics } from './relay-metrics.js';
import { createServiceRecordFinder } from './service-record-finder.js';

export interface RelayLimits {
  /**
   * Most events per published batch. Default 1,000: at 20,000 events/s that is 20 broker round
   * trips and 20 checkpoint fsyncs per second, and a resend after a failure stays small.
   */
  readonly batchEventsMax: number;
  /** How long a partial batch waits for more events, in ms. Default 5: far below the 500 ms lag target. */
  readonly lingerMs: number;
  /** First backoff after a failed publish, in ms; doubles per attempt. Default 200. */
  readonly backoffInitialMs: number;
  /** Longest backoff, in ms. Default 5,000: a restarted broker is noticed within 5 s. */
  readonly backoffMaxMs: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = Object.freeze({
  batchEventsMax: 1000,
  lingerMs: 5,
  backoffInitialMs: 200,
  backoffMaxMs: 5000,
});

export interface KafkaRelayOptions {
  readonly store: EventStore;
  readonly publisher: Publisher;
  readonly checkpoints: CheckpointStore;
  readonly logger: Logger;
  /** Prepended to every topic name (`<prefix>timebank.points.v1`); '' in production. */
  readonly topicPrefix: string;
  /** What to do with an event whose data fails its integration schema. Default: stop. */
  readonly onInvalidEvent?: 'stop' | 'skip';
  readonly limits?: Partial<RelayLimits>;
  /** Defaults to reading the volunteer's stream in `store`. */
  readonly findServiceRecord?: FindServiceRecord;
}

/** The relay stopped because of an event it must not publish (onInvalidEvent = 'stop'). */
export class RelayError extends Error {
  constructor(
    readonly code: 'INTEGRATION_EVENT_INVALID',
    message: string,
    readonly position: bigint,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

export interface KafkaRelay {
  /**
   * Runs until `stop()` (then resolves) or until an invalid event stops it under
   * onInvalidEvent = 'stop' (then rejects with a RelayError). Call once.
   */
  run(): Promise<void>;
  /** Asks the loop to finish: it flushes what it has if the broker answers, then returns. */
  stop(): Promise<void>;
  metrics(): RelayMetrics;
}

export function createKafkaRelay(options: KafkaRelayOptions): KafkaRelay {
  const limits: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...options.limits };
  const log = options.logger.child({ component: 'kafka-relay' });
  const findRecord = options.findServiceRecord ?? createServiceRecordFinder(options.store);
  const onInvalid = options.onInvalidEvent ?? 'stop';
  const metrics = new MutableRelayMetrics();
  const stopController = new AbortController();
  let running: Promise<void> | undefined;

  let batch: IntegrationMessage[] = [];
  /** Position of the last event taken into the batch (published, internal or skipped). */
  let batchEndPosition: bigint | undefined;

  const stopping = (): boolean => stopController.signal.aborted;
  const stopped = new Promise<'stop'>((resolve) =>
    stopController.signal.addEventListener('abort', () => resolve('stop'), { once: true }),
  );

  /** Position up to which events were handed to a publish task (acknowledged or in flight). */
  let handedOffPosition = 0n;
  /**
   * The publish task in flight: resolves true once its batch is acknowledged and checkpointed,
   * false if the relay was stopped before. At most one batch is in flight while the next one is
   * read and mapped, so reading overlaps the broker round trip without reordering anything.
   */
  let inFlight: Promise<boolean> = Promise.resolve(true);

  /** Sends until acknowledged, backing off with logs; false if stopped first. */
  async function publishUntilAcknowledged(messages: IntegrationMessage[], end: bigint): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await options.publisher.publish(messages);
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
        if (stopping()) return false;
        await Promise.race([sleep(delayMs), stopped]);
        if (stopping()) return false;
      }
    }
  }

  async function publishAndCheckpoint(messages: IntegrationMessage[], end: bigint): Promise<boolean> {
    if (!(await publishUntilAcknowledged(messages, end))) return false;
    // Only now, with everything up to `end` acknowledged, may the checkpoint move.
    await options.checkpoints.save(end);
    metrics.state = 'running';
    metrics.checkpointPosition = end;
    metrics.publishedTotal += messages.length;
    for (const message of messages) {
      const type = message.headers['event-type'] ?? 'unknown';
      metrics.publishedByType[type] = (metrics.publishedByType[type] ?? 0) + 1;
    }
    metrics.headPosition = await options.store.headPosition();
    return true;
  }

  /**
   * Waits for the batch in flight, then hands the current batch to a new publish task. False if
   * the relay was stopped before the earlier batch was acknowledged.
   */
  async function flush(): Promise<boolean> {
    const end = batchEndPosition;
    if (end === undefined || end <= handedOffPosition) return inFlight;
    if (!(await inFlight)) return false;
    const messages = batch;
    batch = [];
    handedOffPosition = end;
    inFlight = publishAndCheckpoint(messages, end);
    // A rejection (checkpoint write failed) surfaces at the next await of inFlight.
    inFlight.catch(() => undefined);
    return true;
  }

  /** Flushes and waits until everything taken so far is acknowledged. */
  async function drain(): Promise<boolean> {
    return (await flush()) && (await inFlight);
  }

  /** Takes one event into the batch; throws a RelayError for an invalid event under 'stop'. */
  async function take(event: RecordedEvent): Promise<void> {
    const mapped = await mapEvent(event, options.topicPrefix, findRecord);
    if (mapped.kind === 'invalid') {
      metrics.invalidTotal += 1;
      const details = {
        position: event.position.toString(),
        eventId: event.id,
        eventType: event.type,
        streamName: event.streamName,
        integrationType: mapped.integrationType,
        issues: mapped.issues,
      };
      if (onInvalid === 'stop') {
        log.error(details, 'event fails its integration schema: not published; the relay stops (alert)');
        // Everything before the bad event is still published and checkpointed.
        await drain();
        throw new RelayError(
          'INTEGRATION_EVENT_INVALID',
          `event ${event.id} at position ${event.position} (${event.type}) fails the ${mapped.integrationType} schema: ${mapped.issues}`,
          event.position,
        );
      }
      log.error(details, 'event fails its integration schema: not published; skipped as configured');
    } else if (mapped.kind === 'publish') {
      batch.push(mapped.message);
    } else {
      metrics.internalTotal += 1;
    }
    batchEndPosition = event.position;
  }

  async function loop(): Promise<void> {
    const from = await options.checkpoints.load();
    metrics.checkpointPosition = from;
    handedOffPosition = from;
    metrics.headPosition = await options.store.headPosition();
    log.info({ fromPosition: from.toString(), topicPrefix: options.topicPrefix }, 'kafka relay starting');
    const subscription = options.store.subscribeToAll({ fromPosition: from });
    const iterator = subscription[Symbol.asyncIterator]();
    metrics.state = 'running';
    let pending: Promise<IteratorResult<SubscriptionMessage>> | undefined;
    let linger: Promise<'linger'> | undefined;
    try {
      while (!stopping()) {
        pending ??= iterator.next();
        const racers: Promise<IteratorResult<SubscriptionMessage> | 'linger' | 'stop'>[] = [pending, stopped];
        if (batchEndPosition !== undefined && batchEndPosition > handedOffPosition) {
          linger ??= sleep(limits.lingerMs).then(() => 'linger' as const);
          racers.push(linger);
        }
        const next = await Promise.race(racers);
        if (next === 'stop') break;
        if (next === 'linger') {
          linger = undefined;
          if (!(await flush())) break;
          continue;
        }
        pending = undefined;
        if (next === undefined || next.done === true) break;
        const message = next.value;
        if (message.kind === 'caught-up') {
          log.info({ position: message.position.toString() }, 'kafka relay caught up');
          if (!(await flush())) break;
          continue;
        }
        await take(message.event);
        if (batch.length >= limits.batchEventsMax) {
          linger = undefined;
          if (!(await flush())) break;
        }
      }
      // Stopping: publish what was read if the broker answers at once; otherwise it is resent on restart.
      if (stopping()) await drain();
      else await inFlight;
      metrics.state = 'stopped';
    } catch (error) {
      metrics.state = 'failed';
      throw error;
    } finally {
      await subscription.close();
    }
  }

  return {
    run(): Promise<void> {
      if (running !== undefined) throw new Error('the relay is already running');
      running = loop();
      return running;
    },
    async stop(): Promise<void> {
      stopController.abort();
      await running?.catch(() => undefined);
    },
    metrics: () => metrics.snapshot(),
  };
}
