/**
 * Wires the API's parts in the one order that makes metrics see every append: metrics, then the
 * instrumented store, then the ledger over that store, then the app. Used by `server.ts` and by
 * the tests, so both run the same assembly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createLedger, sealingStore, type Ledger } from '@timebank/application';
import type { EventStore, SnapshotStore } from '@timebank/event-store';
import {
  createErasureList,
  EVENT_STORE_FILE,
  NATIONAL_ID_KEY_FILE,
  openPersonalKeys,
  openReadModels,
  openSnapshotStore,
  personalDataDirectory,
  type KeyStoreLockEvent,
  type OpenedPersonalKeys,
} from '@timebank/ledger-opener';
import {
  createReadModelQueries,
  ensureCurrentReadModels,
  Projector,
  type ReadModelDatabase,
} from '@timebank/projections';
import { buildApp, type LedgerApp } from './app.js';
import { watchProjectingProcess } from './cluster.js';
import type { LedgerApiConfig } from './config.js';
import { ApiMetrics } from './http/api-metrics.js';
import { catalogueCheckedStore } from './http/catalogued-store.js';
import { instrumentStore } from './http/instrumented-store.js';
import { withAppend } from './http/store-wrapper.js';
import { projectorErrorLog } from './projector-error-log.js';
import { ProjectorThread } from './projector-thread.js';
import { SharedReadModels } from './shared-read-models.js';
import type { ProjectorHandle } from './routes/projector-handle.js';
import type { KeyStoreLockHandle } from './routes/system-routes.js';
import { startKafkaRelay, type RunningRelay } from './kafka-relay-wiring.js';
import { startLedgerClock, type RunningClock } from './scheduler-wiring.js';

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

/**
 * What becomes of the key store's lock after its connection drops (PostgreSQL; see
 * holdKeyStoreLock): logged, and kept for readiness, which answers 503 from the drop until the
 * lock is held again (registrations answer 503 meanwhile) and for good once it is lost, while the
 * server stops (`onLost`).
 */
function watchKeyStoreLock(
  logger: Logger,
  onLost: (() => void) | undefined,
): KeyStoreLockHandle & { watch: (event: KeyStoreLockEvent) => void } {
  let notHeld: string | undefined;
  const watch = (event: KeyStoreLockEvent): void => {
    if (event.kind === 'dropped') {
      notHeld = 'personal-data key store lock lost: taking it again';
      logger.warn(
        { reason: event.reason },
        'the personal-data key store lock’s connection to PostgreSQL dropped; taking the lock again (registrations answer 503 meanwhile)',
      );
      return;
    }
    if (event.kind === 'regained') {
      notHeld = undefined;
      logger.warn('the personal-data key store lock is held again');
      return;
    }
    notHeld = 'personal-data key store lock lost to a master-key rotation: stopping';
    logger.error(
      { reason: event.reason },
      'the personal-data key store lock against a master-key rotation is lost: stopping (exit 1) so that no data key is wrapped under a master key being replaced',
    );
    onLost?.();
  };
  return { watch, notHeldReason: () => notHeld };
}

/**
 * The personal-data key store and the ledger over it. The ledger seals personal fields before
 * they reach `store`: the projector, the scheduler, the audit routes and the relay only ever read
 * ciphertext.
 */
async function openLedgerWithKeys(
  input: {
    readonly config: LedgerApiConfig;
    readonly readModelDataDir?: string;
    readonly logger: Logger;
    readonly onKeyStoreLockLost?: () => void;
  },
  store: EventStore,
  clock: () => number,
): Promise<{
  ledger: Ledger;
  personalKeys: OpenedPersonalKeys;
  snapshots: SnapshotStore | undefined;
  keyStoreLock: KeyStoreLockHandle;
}> {
  const keyStoreLock = watchKeyStoreLock(input.logger, input.onKeyStoreLockLost);
  const personalKeys = await openPersonalKeys(input.config.store, {
    masterKey: input.config.masterKey,
    nationalIdKey: resolveNationalIdKey(input.config),
    ...(input.readModelDataDir === undefined ? {} : { readModelDataDir: input.readModelDataDir }),
    watchLock: keyStoreLock.watch,
  });
  const everyEvents = input.config.snapshotEveryEvents;
  const snapshots =
    everyEvents === 0
      ? undefined
      : await openSnapshotStore(input.config.store, (message) => input.logger.warn(message));
  const ledger = createLedger({
    store,
    clock,
    nationalIdKey: resolveNationalIdKey(input.config),
    personalKeys: personalKeys.keys,
    // Beside the key store file (or, on PostgreSQL, in the read-model directory beside master.key).
    erasureLog: createErasureList(personalDataDirectory(input.config.store, input.readModelDataDir)),
    cacheEntriesMax: input.config.stateCacheStreamsMax,
    ...(snapshots === undefined
      ? {}
      : {
          snapshots: {
            store: snapshots,
            everyEvents,
            onWriteError: (error: unknown) => input.logger.warn({ err: error }, 'snapshot write failed'),
          },
        }),
  });
  return { ledger, personalKeys, snapshots, keyStoreLock };
}

/** The projector in either form: in this thread, or in its own worker thread (projector-thread.ts). */
export type RunningProjector = ProjectorHandle &
  Pick<Projector, 'waitForPosition' | 'failure'> & { readonly threaded: boolean };

/**
 * Whether the projector runs in a worker thread: asked for (LEDGER_PROJECTOR_THREAD), SQLite, and
 * `store` is the file the configuration names, so the worker's own connection sees the same events.
 */
function projectorThreadFits(
  config: LedgerApiConfig,
  store: EventStore,
): config is LedgerApiConfig & {
  store: { engine: 'sqlite'; dataDir: string };
} {
  if (!config.projectorThread || config.store.engine !== 'sqlite') return false;
  const sqlite = store as Partial<{ engine: unknown; path: unknown }>;
  return (
    sqlite.engine === 'sqlite' &&
    typeof sqlite.path === 'string' &&
    resolve(sqlite.path) === join(resolve(config.store.dataDir), EVENT_STORE_FILE)
  );
}

/**
 * Opens the read models and rebuilds them from the events when an older build made them (another
 * schema fingerprint): before the projector (or its thread) and the routes use them, and before
 * the server listens, so `/readyz` is not reachable until the read models match this build.
 */
async function openCurrentReadModels(
  input: {
    readonly config: LedgerApiConfig;
    readonly store: EventStore;
    readonly logger: Logger;
    readonly readModelDataDir?: string;
    readonly signal?: AbortSignal;
  },
  ledger: Ledger,
): Promise<ReadModelDatabase> {
  let setAside = false;
  const db = await openReadModels(input.config.store, input.readModelDataDir, (message) => {
    setAside = true;
    input.logger.warn(message);
  });
  try {
    await ensureCurrentReadModels({
      store: input.store,
      db,
      rules: ledger.rules,
      logger: input.logger,
      ...(setAside ? { rebuildReason: 'the read-model file was not a database and was started afresh' } : {}),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

async function startProjector(
  input: { readonly config: LedgerApiConfig; readonly store: EventStore; readonly logger: Logger },
  parts: { store: EventStore; db: ReadModelDatabase; ledger: Ledger; clock: () => number },
): Promise<RunningProjector> {
  // The projector retries every error but a corrupt history; one outage is logged as one.
  const log = projectorErrorLog(input.logger);
  const onError = (error: unknown): void => log.onError(error);
  if (projectorThreadFits(input.config, input.store)) {
    const thread = await ProjectorThread.start({
      dataDir: input.config.store.dataDir,
      rules: parts.ledger.rules,
      cachedRowsPerTableMax: input.config.projectorCachedRowsPerTableMax,
      onError,
      onCommitted: () => log.onCommitted(),
    });
    return Object.assign(thread, { threaded: true as const });
  }
  const projector = new Projector({
    store: parts.store,
    db: parts.db,
    rules: parts.ledger.rules,
    now: parts.clock,
    cachedRowsPerTableMax: input.config.projectorCachedRowsPerTableMax,
    onError,
    // After each committed batch (and once at the first catch-up, which ends no outage).
    onProgress: () => log.onCommitted(),
  });
  await projector.start();
  return Object.assign(projector, { threaded: false as const });
}

/**
 * The read models and what keeps them current. An `http` process (LEDGER_PROCESS_ROLE) shares
 * the PostgreSQL read models that the `all` process projects and keeps at this build's schema: it
 * neither rebuilds nor projects (nor runs the scheduler or the relay), so every event is
 * projected, swept and published by one process (docs/operations.md, "Several processes").
 */
async function openReadSide(
  input: Parameters<typeof openCurrentReadModels>[0],
  parts: { store: EventStore; ledger: Ledger; clock: () => number },
): Promise<{ db: ReadModelDatabase; projector: RunningProjector }> {
  if (input.config.processRole === 'all') {
    const db = await openCurrentReadModels(input, parts.ledger);
    return { db, projector: await startProjector(input, { ...parts, db }) };
  }
  const db = await openReadModels(input.config.store, input.readModelDataDir, (message) =>
    input.logger.warn(message),
  );
  const shared = new SharedReadModels({
    db,
    store: parts.store,
    now: parts.clock,
    projectingProcess: watchProjectingProcess(),
  });
  await shared.start();
  return { db, projector: shared };
}

export interface WiredApi extends LedgerApp {
  readonly ledger: Ledger;
  readonly projector: RunningProjector;
  /** The in-process Kafka relay, when KAFKA_BROKERS is set. */
  readonly kafkaRelay: RunningRelay | null;
  /** The scheduler (hold expiries, healing of interrupted transfers and donations) and its due backlog. */
  readonly ledgerClock: RunningClock;
  /** Data keys and the duplicate-registration index (docs/privacy.md). */
  readonly personalKeys: OpenedPersonalKeys;
  /** Stops accepting and drains requests, stops the scheduler, the projector and the relay, closes the read models, the snapshot store and the key store. The event store stays open. */
  close(): Promise<void>;
}

export async function wireLedgerApi(given: {
  readonly config: LedgerApiConfig;
  /** The engine's store, not yet instrumented. */
  readonly store: EventStore;
  readonly logger: Logger;
  readonly clock?: () => number;
  /**
   * This process's local files with PostgreSQL and EventStoreDB (master.key, erasures.jsonl,
   * checkpoints; EventStoreDB's read models). Default LEDGER_DATA_DIR (`config.dataDir`).
   */
  readonly readModelDataDir?: string;
  /**
   * Aborted by a SIGTERM or SIGINT during start-up: a read-model rebuild then stops between two
   * pages, drops what it half-built and throws PROJECTION_INTERRUPTED (server.ts).
   */
  readonly signal?: AbortSignal;
  /**
   * PostgreSQL: the key store's lock against a master-key rotation was lost for good (its
   * connection dropped and it could not be taken again); the server stops (server.ts).
   */
  readonly onKeyStoreLockLost?: () => void;
}): Promise<WiredApi> {
  const input = { ...given, readModelDataDir: given.readModelDataDir ?? given.config.dataDir };
  const clock = input.clock ?? (() => Date.now());
  const metrics = new ApiMetrics();
  // Every append is checked against the event catalogue before it reaches the engine.
  // Each commit wakes a projector thread's subscription (the worker cannot see our commits otherwise until its poll).
  let committed: () => void = () => {};
  const instrumented = instrumentStore(catalogueCheckedStore(input.store), metrics);
  const store = withAppend(instrumented, async (streamName, events, options) => {
    const result = await instrumented.appendToStream(streamName, events, options);
    committed();
    return result;
  });
  const { ledger, personalKeys, snapshots, keyStoreLock } = await openLedgerWithKeys(input, store, clock);
  const dataDirectory = personalDataDirectory(input.config.store, input.readModelDataDir);
  mkdirSync(dataDirectory, { recursive: true });
  const background = input.config.processRole === 'all';
  const { db, projector } = await openReadSide(input, { store, ledger, clock });
  if (projector instanceof ProjectorThread) committed = () => projector.notifyCommit();
  const ledgerClock = startLedgerClock({
    config: background ? input.config : { ...input.config, sweepIntervalMs: 0 },
    store,
    ledger,
    db,
    dataDirectory,
    clock,
    metrics,
    logger: input.logger,
  });
  const built = await buildApp({
    config: input.config,
    store,
    ledger,
    personalStore: sealingStore(store, personalKeys.keys),
    logger: input.logger,
    metrics,
    clock,
    projector,
    readModels: createReadModelQueries(db),
    ...(ledgerClock.backlog === null ? {} : { dueBacklog: ledgerClock.backlog }),
    keyStoreLock,
  });
  // Only the process that projects also publishes (docs/operations.md#several-processes).
  const kafkaRelay = background ? await startKafkaRelay({ ...input, metrics }) : null;
  return {
    ...built,
    ledger,
    projector,
    kafkaRelay,
    ledgerClock,
    personalKeys,
    async close() {
      await built.app.close();
      await ledgerClock.stop();
      await projector.stop();
      await kafkaRelay?.stop();
      await db.close();
      // The due snapshots are written before the keys that seal them close; the event store stays open.
      await ledger.flushSnapshots();
      await snapshots?.close();
      await personalKeys.close();
    },
  };
}
