/**
 * `pnpm --filter @timebank/kafka-relay start`: the relay as its own process. Reads the ledger's
 * store (the same variables as the ledger API), publishes to KAFKA_BROKERS, stops cleanly on
 * SIGINT/SIGTERM. Exit code 1 when the configuration is bad (a SQLite data directory without a
 * ledger too) or the relay stopped on an event it must not publish (an operator has to look).
 *
 * pnpm runs the script in services/kafka-relay; relative paths (the default `./data` too) are
 * resolved against the directory pnpm was started in (INIT_CWD), as `pnpm start` reads them.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore } from '@timebank/event-store';
import {
  createFileCheckpointStore,
  EVENT_STORE_FILE,
  isLedgerOpenError,
  openEventStore,
} from '@timebank/ledger-opener';
import { pino } from 'pino';
import { parseConfig, type KafkaRelayConfig } from './config.js';
import { createKafkaPublisher } from './kafka-publisher.js';
import { createKafkaRelay } from './relay.js';

/**
 * Reads the checkpoint once before the store opens, as the server does: a directory or a file that
 * is not a checkpoint stopped the relay after it had opened (and on PostgreSQL migrated) the store,
 * with a stack trace. False, with one line said and exit code 2 set, when it cannot be read.
 */
async function checkpointReadable(checkpointPath: string): Promise<boolean> {
  try {
    await createFileCheckpointStore(checkpointPath).load();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `kafka-relay: RELAY_CHECKPOINT_PATH: must name the relay's checkpoint file; ${checkpointPath} cannot be read as one: ${reason}`,
    );
    process.exitCode = 2;
    return false;
  }
}

async function main(): Promise<void> {
  let config: KafkaRelayConfig;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    console.error(`kafka-relay: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const startedIn = process.env.INIT_CWD ?? process.cwd();
  const checkpointPath = resolve(startedIn, config.checkpointPath);
  if (config.store.engine === 'sqlite') {
    const dataDir = resolve(startedIn, config.store.dataDir);
    config = { ...config, store: { engine: 'sqlite', dataDir } };
    // Opening a missing ledger would create an empty one and wait on it for ever.
    if (!existsSync(join(dataDir, EVENT_STORE_FILE))) {
      console.error(
        `kafka-relay: no ledger at ${join(dataDir, EVENT_STORE_FILE)}; set LEDGER_DATA_DIR to the ledger's data directory`,
      );
      process.exitCode = 1;
      return;
    }
  }
  if (!(await checkpointReadable(checkpointPath))) return;
  const logger = pino({ level: config.logLevel, name: 'kafka-relay' });
  let store: EventStore;
  try {
    // The relay only reads: a mistyped schema is refused, not created empty and followed for ever.
    store = await openEventStore(config.store, { mustExist: true });
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
    checkpoints: createFileCheckpointStore(checkpointPath),
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
  // The relay waits for new events on promises; on SQLite the only timer behind them (the change
  // poll) is unref'd, so without this an idle relay would exit as soon as it caught up.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await relay.run();
    logger.info(relay.metrics(), 'kafka relay stopped');
  } catch (error) {
    logger.fatal({ err: error }, 'kafka relay stopped on an error');
    process.exitCode = 1;
  } finally {
    clearInterval(keepAlive);
    await publisher.close();
    await store.close();
  }
}

await main();
