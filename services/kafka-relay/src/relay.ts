/**
 * The relay: reads the ledger's `$all` from its checkpoint, maps each event to its integration
 * event (or to nothing, for internal events), publishes in batches (one after another, several
 * read ahead) and advances the checkpoint only after the broker acknowledged every batch up to
 * it — so after any crash or broker outage it resends from the last acknowledged position:
 * at-least-once, in per-volunteer order, no gap.
 */
import type { EventStore, RecordedEvent, SubscriptionMessage } from '@timebank/event-store';
import type { Logger } from 'pino';
import type { CheckpointStore } from './checkpoint-store.js';
import { mapEvent, type FindServiceRecord, type MapResult } from './integration-events/mapper.js';
import { PublishPipeline } from './publish-pipeline.js';
import type { Publisher } from './publisher.js';
import { MutableRelayMetrics, type RelayMetrics } from './relay-metrics.js';
import { createServiceRecordFinder } from './service-record-finder.js';

export interface RelayLimits {
  /**
   * Most messages per published batch (an event's copy for its partner's topic counts too, and
   * always shares its batch, so a batch may hold one more). Default 1,000: at 20,000 events/s
   * that is 20 broker round trips and 20 checkpoint fsyncs per second, and a resend after a
   * failure stays small.
   */
  readonly batchEventsMax: number;
  /**
   * Most batches handed to the sender and not yet acknowledged: one on the wire, the rest read,
   * mapped and waiting behind it in order. Default 4: enough for reading to keep running through
   * a broker round trip and a checkpoint write; at most 4 × batchEventsMax messages held in memory.
   */
  readonly pendingBatchesMax: number;
  /** How long a partial batch waits for more events, in ms. Default 5: far below the 500 ms lag target. */
  readonly lingerMs: number;
  /** First backoff after a failed publish, in ms; doubles per attempt. Default 200. */
  readonly backoffInitialMs: number;
  /** Longest backoff, in ms. Default 5,000: a restarted broker is noticed within 5 s. */
  readonly backoffMaxMs: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = Object.freeze({
  batchEventsMax: 1000,
  pendingBatchesMax: 4,
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
  const metrics = new MutableRelayMetrics();
  const stopController = new AbortController();
  const stopSignal = stopController.signal;
  const stopped = new Promise<'stop'>((resolve) =>
    stopSignal.addEventListener('abort', () => resolve('stop'), { once: true }),
  );
  const { store, publisher, checkpoints } = options;
  const run: RelayRun = {
    options,
    limits,
    log,
    metrics,
    findRecord: options.findServiceRecord ?? createServiceRecordFinder(store),
    onInvalid: options.onInvalidEvent ?? 'stop',
    stopSignal,
    stopped,
    partnersWithoutTopic: new Set(),
    pipeline: new PublishPipeline({
      store,
      publisher,
      checkpoints,
      log,
      metrics,
      limits,
      stopSignal,
      stopped,
    }),
  };
  let running: Promise<void> | undefined;
  return {
    run(): Promise<void> {
      if (running !== undefined) throw new Error('the relay is already running');
      running = loop(run);
      return running;
    },
    async stop(): Promise<void> {
      stopController.abort();
      await running?.catch(() => undefined);
    },
    metrics: () => metrics.snapshot(),
  };
}

/** Everything one relay's loop works with; the mutable batch state lives in the pipeline. */
interface RelayRun {
  readonly options: KafkaRelayOptions;
  readonly limits: RelayLimits;
  readonly log: Logger;
  readonly metrics: MutableRelayMetrics;
  readonly findRecord: FindServiceRecord;
  readonly onInvalid: 'stop' | 'skip';
  readonly stopSignal: AbortSignal;
  readonly stopped: Promise<'stop'>;
  readonly pipeline: PublishPipeline;
  /** Partners already warned about (their id cannot name a topic): one line each per run, not per hold. */
  readonly partnersWithoutTopic: Set<string>;
}

async function loop(run: RelayRun): Promise<void> {
  const { options, metrics, log, pipeline } = run;
  const from = await startingPosition(run);
  metrics.checkpointPosition = from;
  pipeline.startAt(from);
  log.info({ fromPosition: from.toString(), topicPrefix: options.topicPrefix }, 'kafka relay starting');
  const subscription = options.store.subscribeToAll({ fromPosition: from });
  metrics.state = 'running';
  try {
    await consume(run, subscription[Symbol.asyncIterator]());
    // Stopping: publish what was read if the broker answers at once; otherwise it is resent on restart.
    if (run.stopSignal.aborted) await pipeline.drain();
    else await pipeline.settled();
    metrics.state = 'stopped';
  } catch (error) {
    metrics.state = 'failed';
    throw error;
  } finally {
    await subscription.close();
  }
}

/**
 * Where to start: the checkpoint, unless it is beyond the store's head. That happens when the
 * store was restored from a backup older than the checkpoint (the data directory, which holds the
 * checkpoint and the master key, was kept): positions after the backup's head are taken again by
 * new events, and a relay that went on from its checkpoint skipped them all while its lag read 0.
 * Which of the events up to the head came after the restore (written before the relay started)
 * cannot be told from positions, so the relay publishes again from the beginning: duplicates,
 * which consumers already drop by event id, rather than a gap. It saves that and says so.
 */
async function startingPosition(run: RelayRun): Promise<bigint> {
  const { options, metrics, log } = run;
  const checkpoint = await options.checkpoints.load();
  const head = await options.store.headPosition();
  metrics.headPosition = head;
  if (checkpoint <= head) return checkpoint;
  log.error(
    { checkpointPosition: checkpoint.toString(), headPosition: head.toString() },
    `kafka relay checkpoint ${checkpoint} is beyond the store's last event ${head}: the store was ` +
      `restored from an older backup; publishing everything again from the beginning (consumers ` +
      `drop the duplicates by event id). Events published before the restore at positions after ` +
      `the backup's last event are no longer in the ledger`,
  );
  await options.checkpoints.rewind(0n);
  return 0n;
}

/**
 * Reads until stopped, the subscription ends or a flush finds the relay stopped; a partial batch
 * is flushed after lingering `lingerMs`, a full one at once, and everything when caught up.
 */
async function consume(run: RelayRun, iterator: AsyncIterator<SubscriptionMessage>): Promise<void> {
  const { limits, log, pipeline, stopSignal } = run;
  let pending: Promise<IteratorResult<SubscriptionMessage>> | undefined;
  let interrupt: Interruption | undefined;
  const resetInterrupt = (): void => {
    interrupt?.cancel();
    interrupt = undefined;
  };
  try {
    while (!stopSignal.aborted) {
      pending ??= iterator.next();
      const lingers = pipeline.hasUnhandedOff;
      if (interrupt !== undefined && interrupt.lingers !== lingers) resetInterrupt();
      interrupt ??= interruption(stopSignal, lingers ? limits.lingerMs : undefined);
      const next = await Promise.race([pending, interrupt.promise]);
      if (next === 'stop') break;
      if (next === 'linger') {
        resetInterrupt();
        if (!(await pipeline.flush())) break;
        continue;
      }
      pending = undefined;
      if (next.done === true) break;
      const message = next.value;
      if (message.kind === 'caught-up') {
        log.info({ position: message.position.toString() }, 'kafka relay caught up');
        resetInterrupt();
        if (!(await pipeline.flush())) break;
        continue;
      }
      const taking = take(run, message.event);
      if (taking !== undefined) await taking;
      if (pipeline.batchLength >= limits.batchEventsMax) {
        resetInterrupt();
        if (!(await pipeline.flush())) break;
      }
    }
  } finally {
    resetInterrupt();
  }
}

/** What the read loop races each read against; `cancel` drops its timer and its stop listener. */
interface Interruption {
  readonly promise: Promise<'linger' | 'stop'>;
  readonly lingers: boolean;
  cancel(): void;
}

/**
 * Resolves 'stop' when the relay is stopped, or 'linger' after `lingerMs` if given. One is raced
 * against every read until the next flush and then dropped: racing every read against one
 * promise that lives as long as the relay (its stop) would keep a reaction per event alive.
 */
function interruption(stopSignal: AbortSignal, lingerMs: number | undefined): Interruption {
  let cancel = (): void => {};
  const promise = new Promise<'linger' | 'stop'>((resolve) => {
    const onStop = (): void => resolve('stop');
    stopSignal.addEventListener('abort', onStop, { once: true });
    const timer = lingerMs === undefined ? undefined : setTimeout(() => resolve('linger'), lingerMs);
    cancel = () => {
      stopSignal.removeEventListener('abort', onStop);
      clearTimeout(timer);
    };
  });
  return { promise, lingers: lingerMs !== undefined, cancel };
}

/**
 * Takes one event into the batch; throws (or rejects) with a RelayError for an invalid event
 * under 'stop'. Returns a promise only when it has to wait (a record lookup, a drain), so the
 * common event costs no promise.
 */
function take(run: RelayRun, event: RecordedEvent): Promise<void> | undefined {
  const mapped = mapEvent(event, run.options.topicPrefix, run.findRecord);
  if (mapped instanceof Promise) return mapped.then((result) => takeMapped(run, event, result));
  return takeMapped(run, event, mapped);
}

function takeMapped(run: RelayRun, event: RecordedEvent, mapped: MapResult): Promise<void> | undefined {
  const { metrics, log, pipeline } = run;
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
    if (run.onInvalid === 'stop') {
      log.error(details, 'event fails its integration schema: not published; the relay stops (alert)');
      const error = new RelayError(
        'INTEGRATION_EVENT_INVALID',
        `event ${event.id} at position ${event.position} (${event.type}) fails the ${mapped.integrationType} schema: ${mapped.issues}`,
        event.position,
      );
      // Everything before the bad event is still published and checkpointed.
      return pipeline.drain().then(() => {
        throw error;
      });
    }
    log.error(details, 'event fails its integration schema: not published; skipped as configured');
    pipeline.take(event.position);
  } else if (mapped.kind === 'publish') {
    if (mapped.partnerWithoutTopic !== undefined) skipPartnerTopic(run, mapped.partnerWithoutTopic, event);
    pipeline.take(event.position, mapped.message, mapped.partnerMessage);
  } else {
    metrics.internalTotal += 1;
    pipeline.take(event.position);
  }
  return undefined;
}

/** A hold event of a partner whose id cannot name a topic goes to the family topic only. */
function skipPartnerTopic(run: RelayRun, partnerId: string, event: RecordedEvent): void {
  run.metrics.partnerSkippedTotal += 1;
  if (run.partnersWithoutTopic.has(partnerId)) return;
  run.partnersWithoutTopic.add(partnerId);
  run.log.warn(
    { partnerId, position: event.position.toString(), eventId: event.id, eventType: event.type },
    "partner id cannot name a Kafka topic (only letters, digits, '.', '_' and '-'): its hold events go to the points topic only, not to a topic of its own",
  );
}
