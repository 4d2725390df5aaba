/**
 * Runs the Kafka relay inside the ledger process when KAFKA_BROKERS is set: it follows the same
 * store, publishes the public integration events, and its lag and counts appear in `/metrics`.
 * The relay's own loop backs off (with logs) while the broker is down, so the API keeps serving;
 * an event that must not be published stops the relay and is logged as an error for an operator.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { EventStore } from '@timebank/event-store';
import type { KafkaRelay } from '@timebank/kafka-relay';
import { createFileCheckpointStore } from '@timebank/ledger-opener';
import { ConfigError, type LedgerApiConfig } from './config.js';
import type { ApiMetrics } from './http/api-metrics.js';
import { CollectedMetric } from './http/metrics.js';

export interface RunningRelay {
  readonly relay: KafkaRelay;
  /** Stops the relay (it flushes what it holds if the broker answers) and closes the producer. */
  stop(): Promise<void>;
}

/** Registers the relay's series on the API's registry; read at scrape time. */
function exposeRelayMetrics(metrics: ApiMetrics, relay: KafkaRelay): void {
  const gauge = (name: string, help: string, read: () => number): void => {
    metrics.registry.register(new CollectedMetric(name, help, 'gauge', () => [{ value: read() }]));
  };
  const counter = (name: string, help: string, read: () => number): void => {
    metrics.registry.register(new CollectedMetric(name, help, 'counter', () => [{ value: read() }]));
  };
  gauge('kafka_relay_lag_positions', 'Global positions the relay is behind the store head', () =>
    Number(relay.metrics().lagPositions),
  );
  gauge(
    'kafka_relay_checkpoint_position',
    'Everything at or below this position is acknowledged by Kafka',
    () => Number(relay.metrics().checkpointPosition),
  );
  gauge('kafka_relay_running', '1 while the relay publishes or backs off, 0 once it stopped or failed', () =>
    ['starting', 'running', 'backing-off'].includes(relay.metrics().state) ? 1 : 0,
  );
  counter(
    'kafka_relay_published_total',
    'Integration events acknowledged by Kafka since start',
    () => relay.metrics().publishedTotal,
  );
  counter(
    'kafka_relay_partner_published_total',
    "Copies of hold events acknowledged by Kafka on partners' own topics since start",
    () => relay.metrics().partnerPublishedTotal,
  );
  counter(
    'kafka_relay_partner_skipped_total',
    'Hold events of partners whose id cannot name a Kafka topic (published on the points topic only)',
    () => relay.metrics().partnerSkippedTotal,
  );
  counter(
    'kafka_relay_invalid_total',
    'Events whose integration data failed its schema (never published)',
    () => relay.metrics().invalidTotal,
  );
  counter(
    'kafka_relay_publish_failures_total',
    'Failed publish attempts, each followed by a backoff',
    () => relay.metrics().publishFailuresTotal,
  );
}

/**
 * Reads the relay's checkpoint once before anything opens: a RELAY_CHECKPOINT_PATH that names a
 * directory, or a file that is not a checkpoint, used to stop the relay only after the server
 * listened, behind one error line, while the API went on serving and published nothing.
 * @throws ConfigError naming RELAY_CHECKPOINT_PATH.
 */
export async function checkRelayCheckpoint(config: LedgerApiConfig): Promise<void> {
  if (config.kafka === null || config.processRole !== 'all') return;
  const path = resolve(config.kafka.checkpointPath);
  try {
    await createFileCheckpointStore(path).load();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      ['RELAY_CHECKPOINT_PATH'],
      `invalid configuration:\n  RELAY_CHECKPOINT_PATH: must name the Kafka relay's checkpoint file ` +
        `(default LEDGER_DATA_DIR/kafka-relay.checkpoint.json); ${path} cannot be read as one: ${reason}`,
    );
  }
}

/**
 * Starts the relay when configured; returns null when KAFKA_BROKERS is unset. The relay and its
 * Kafka client are imported only then: kafkajs alone holds about 9 MiB resident (measured).
 */
export async function startKafkaRelay(input: {
  readonly config: LedgerApiConfig;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly metrics: ApiMetrics;
}): Promise<RunningRelay | null> {
  const settings = input.config.kafka;
  if (settings === null) return null;
  const { createKafkaPublisher, createKafkaRelay } = await import('@timebank/kafka-relay');
  const logger = input.logger.child({ component: 'kafka-relay' });
  const publisher = createKafkaPublisher({
    brokers: settings.brokers,
    clientId: 'timebank-ledger-api',
    logger,
  });
  const relay = createKafkaRelay({
    store: input.store,
    publisher,
    checkpoints: createFileCheckpointStore(resolve(settings.checkpointPath)),
    // The relay binds `component: kafka-relay` itself; the child above would name it twice per line.
    logger: input.logger,
    topicPrefix: settings.topicPrefix,
    onInvalidEvent: settings.onInvalidEvent,
  });
  exposeRelayMetrics(input.metrics, relay);
  const running = relay.run().catch((error: unknown) => {
    // The API goes on serving; the relay's state gauge drops to 0 and this line alerts.
    logger.error(
      { err: error },
      'kafka relay stopped on an error; integration events are not being published',
    );
  });
  logger.info(
    { brokers: settings.brokers, topicPrefix: settings.topicPrefix },
    'kafka relay started in-process',
  );
  return {
    relay,
    async stop() {
      await relay.stop();
      await running;
      await publisher.close();
    },
  };
}
