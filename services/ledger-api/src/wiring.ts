/**
 * Wires the API's parts in the one order that makes metrics see every append: metrics, then the
 * instrumented store, then the ledger over that store, then the app. Used by `server.ts` and by
 * the tests, so both run the same assembly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createLedger, createReactor, type Ledger, type Reactor } from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import {
  createFileCheckpointStore,
  DEFAULT_DATA_DIR,
  NATIONAL_ID_KEY_FILE,
  openReadModels,
  REACTOR_CHECKPOINT_FILE,
} from '@timebank/ledger-opener';
import { createReadModelQueries, Projector } from '@timebank/projections';
import { buildApp, type LedgerApp } from './app.js';
import type { LedgerApiConfig } from './config.js';
import { ApiMetrics } from './http/api-metrics.js';
import { catalogueCheckedStore } from './http/catalogued-store.js';
import { instrumentStore } from './http/instrumented-store.js';
import { startKafkaRelay, type RunningRelay } from './kafka-relay-wiring.js';

/**
 * The national-ID hash key: from configuration, or for SQLite from `national-id.key` in the data
 * directory, generated (256 random bits, file mode 0600) on the first run. Losing it would make
 * every later registration of an existing volunteer look new, so it lives beside the data.
 */
export function resolveNationalIdKey(config: LedgerApiConfig): string {
  if (config.nationalIdKey !== null) return config.nationalIdKey;
  if (config.store.engine !== 'sqlite') throw new Error('LEDGER_NATIONAL_ID_KEY is required for this engine');
  const directory = resolve(config.store.dataDir);
  const path = join(directory, NATIONAL_ID_KEY_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(directory, { recursive: true });
  const key = randomBytes(32).toString('hex');
  // `wx` fails if another process created the file meanwhile; then use theirs.
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    return readFileSync(path, 'utf8').trim();
  }
}

export interface WiredApi extends LedgerApp {
  readonly ledger: Ledger;
  readonly projector: Projector;
  /** Runs transfer and donation credits found in the store (heals a crash between debit and credit). */
  readonly reactor: Reactor;
  /** The in-process Kafka relay, when KAFKA_BROKERS is set. */
  readonly kafkaRelay: RunningRelay | null;
  /** Stops accepting and drains requests, stops the projector and the relay, closes the read models. The store stays open. */
  close(): Promise<void>;
}

/** The ledger with the configured national-id key and state-cache bound. */
function createConfiguredLedger(store: EventStore, clock: () => number, config: LedgerApiConfig): Ledger {
  const nationalIdKey = resolveNationalIdKey(config);
  return createLedger({ store, clock, nationalIdKey, cacheEntriesMax: config.stateCacheStreamsMax });
}

export async function wireLedgerApi(input: {
  readonly config: LedgerApiConfig;
  /** The engine's store, not yet instrumented. */
  readonly store: EventStore;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Where SQLite read models live when the store is EventStoreDB. Default ./data. */
  readonly readModelDataDir?: string;
}): Promise<WiredApi> {
  const clock = input.clock ?? (() => Date.now());
  const metrics = new ApiMetrics();
  // Every append is checked against the event catalogue before it reaches the engine.
  const store = instrumentStore(catalogueCheckedStore(input.store), metrics);
  const ledger = createConfiguredLedger(store, clock, input.config);
  const dataDirectory = resolve(
    input.config.store.engine === 'sqlite'
      ? input.config.store.dataDir
      : (input.readModelDataDir ?? DEFAULT_DATA_DIR),
  );
  mkdirSync(dataDirectory, { recursive: true });
  const db = await openReadModels(input.config.store, input.readModelDataDir);
  const projector = new Projector({
    store,
    db,
    rules: ledger.rules,
    now: clock,
    onError: (error) => input.logger.error({ err: error }, 'projector stopped on an error'),
  });
  await projector.start();
  const built = await buildApp({
    config: input.config,
    store,
    ledger,
    logger: input.logger,
    metrics,
    clock,
    projector,
    readModels: createReadModelQueries(db),
  });
  const reactor = createReactor({
    store,
    ledger,
    // The same atomic one-value file the Kafka relay uses for its own checkpoint.
    checkpoints: createFileCheckpointStore(join(dataDirectory, REACTOR_CHECKPOINT_FILE)),
    onError: (error, position) =>
      input.logger.error({ err: error, position: position.toString() }, 'reaction failed; retrying'),
  });
  const reactorRun = reactor.run().catch((error: unknown) => {
    input.logger.error({ err: error }, 'reactor stopped on an error; transfer credits are not being healed');
  });
  const kafkaRelay = startKafkaRelay({
    config: input.config,
    store: input.store,
    logger: input.logger,
    metrics,
  });
  return {
    ...built,
    ledger,
    projector,
    kafkaRelay,
    reactor,
    async close() {
      await built.app.close();
      await projector.stop();
      await reactor.stop();
      await reactorRun;
      await kafkaRelay?.stop();
      await db.close();
    },
  };
}
