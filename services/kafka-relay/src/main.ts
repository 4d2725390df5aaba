/**
 * `pnpm --filter @timebank/kafka-relay start`: the relay as its own process. Reads the ledger's
 * store (the same variables as the ledger API), publishes to KAFKA_BROKERS, stops cleanly on
 * SIGINT/SIGTERM. Exit code 1 when the configuration is bad or the relay stopped on an event it
 * must not publish (an operator has to look).
 */
import { resolve } from 'node:path';
import type { EventStore } from '@timebank/event-store';
import { createFileCheckpointStore, isLedgerOpenError, openEventStore } from '@timebank/ledger-opener';
import { pino } from 'pino';
import { parseConfig, type KafkaRelayConfig } from './config.js';
import { createKafkaPublisher } from './kafka-publisher.js';
import { createKafkaRelay } from './relay.js';

async function main(): Promise<void> {
  let config: KafkaRelayConfig;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    console.error(`kafka-relay: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const logger = pino({ level: config.logLevel, name: 'kafka-relay' });
  let store: EventStore;
  try {
    store = await openEventStore(config.store);
  } catch (error) {
    if (!isLedgerOpenError(error)) throw error;
    logger.fatal(error.message);
    process.exitCode = 1;
    return;
  }
  const publisher = createKafkaPublisher({ brokers: config.brokers, clientId: config.clientId, logger });
  const relay = createKafkaRelay({
    store,
    publisher,
    checkpoints: createFileCheckpointStore(resolve(config.checkpointPath)),
    logger,
    topicPrefix: config.topicPrefix,
    onInvalidEvent: config.onInvalidEvent,
    limits: { batchEventsMax: config.batchEventsMax, pendingBatchesMax: config.pendingBatchesMax },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping');
      void relay.stop();
    });
  }
  try {
    await relay.run();
    logger.info(relay.metrics(), 'kafka relay stopped');
  } catch (error) {
    logger.fatal({ err: error }, 'kafka relay stopped on an error');
    process.exitCode = 1;
  } finally {
    await publisher.close();
    await store.close();
  }
}

await main();
