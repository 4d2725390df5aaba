/**
 * Keeps the read models in step with the code across upgrades. Every table set stores the
 * READ_MODEL_SCHEMA_FINGERPRINT of the code that created it; when the live set's differs (a
 * release added a column or a table) or is missing (a set from before fingerprints), the read
 * models are rebuilt from the events before anything reads or projects them.
 *
 * The rebuild is `rebuildReadModels`: a fresh `rb_` set swapped over the live one in one
 * transaction, fingerprint and checkpoint included. A crash midway leaves the old set with its old
 * fingerprint, so the next open starts the rebuild again; nothing half-built is ever live.
 */
import type { LedgerRules } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import type { ReadModelDatabase } from '../dialect/dialect.js';
import { LIVE_PREFIX, READ_MODEL_SCHEMA_FINGERPRINT } from '../tables.js';
import { rebuildReadModels } from './rebuild.js';

/** What the check logs through: pino's `info(object, message)` / `warn(object, message)` fit. */
export interface SchemaCheckLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EnsureCurrentReadModelsOptions {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  readonly rules?: LedgerRules;
  readonly logger?: SchemaCheckLogger;
  /** A progress line every this many events. Default 100,000. */
  readonly progressEveryEvents?: number;
  /** See `RebuildOptions.rowsInMemoryMax`. */
  readonly rowsInMemoryMax?: number;
  /**
   * Rebuild whatever the fingerprint says, for this reason (logged): the read models' file was
   * just started afresh, and a bulk rebuild fills it much sooner than the projector from 0 would.
   */
  readonly rebuildReason?: string;
  /**
   * Stops a rebuild between two pages (see `RebuildOptions.signal`): it then throws
   * PROJECTION_INTERRUPTED, the half-built set dropped and the live read models unchanged.
   */
  readonly signal?: AbortSignal;
}

export interface SchemaCheckResult {
  /** Whether the read models were rebuilt. */
  readonly rebuilt: boolean;
  /** Why they were, when they were. */
  readonly reason?: string;
  readonly events?: number;
}

export const DEFAULT_PROGRESS_EVERY_EVENTS = 100_000;

/** Why the live set must be rebuilt, or undefined when it is current or does not exist yet. */
export async function readModelSchemaMismatch(db: ReadModelDatabase): Promise<string | undefined> {
  const stored = await db.readSchemaFingerprint(LIVE_PREFIX);
  // No live set: the projector creates it with the current fingerprint and projects from 0.
  if (stored === undefined || stored === READ_MODEL_SCHEMA_FINGERPRINT) return undefined;
  return stored === null
    ? 'the read models were built before read-model schema fingerprints were stored'
    : `the read models were built for schema ${stored.slice(0, 12)}, this build's schema is ${READ_MODEL_SCHEMA_FINGERPRINT.slice(0, 12)}`;
}

/**
 * Rebuilds the read models from the event store when their schema fingerprint is not this
 * build's; otherwise does nothing. Call it after opening the read models and before a projector,
 * a query or a worker thread uses them.
 */
export async function ensureCurrentReadModels(
  options: EnsureCurrentReadModelsOptions,
): Promise<SchemaCheckResult> {
  const { db, logger } = options;
  const reason = options.rebuildReason ?? (await readModelSchemaMismatch(db));
  if (reason === undefined) return { rebuilt: false };
  const every = options.progressEveryEvents ?? DEFAULT_PROGRESS_EVERY_EVENTS;
  logger?.warn(
    { reason, fingerprint: READ_MODEL_SCHEMA_FINGERPRINT },
    `${options.rebuildReason === undefined ? 'read-model schema changed: ' : ''}${reason}; rebuilding the read models from the event store before serving`,
  );
  let nextReport = every;
  const result = await rebuildReadModels({
    store: options.store,
    db,
    progressIntervalMs: 1,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.rules === undefined ? {} : { rules: options.rules }),
    ...(options.rowsInMemoryMax === undefined ? {} : { rowsInMemoryMax: options.rowsInMemoryMax }),
    onProgress: (progress) => {
      if (progress.events < nextReport) return;
      nextReport = (Math.floor(progress.events / every) + 1) * every;
      logger?.info(
        {
          events: progress.events,
          position: progress.position.toString(),
          headPosition: progress.headPosition.toString(),
          eventsPerSecond: progress.eventsPerSecond,
          etaSeconds: progress.etaSeconds === null ? null : Math.round(progress.etaSeconds),
        },
        'read-model rebuild progress',
      );
    },
  });
  logger?.info(
    {
      events: result.events,
      position: result.position.toString(),
      elapsedMs: Math.round(result.elapsedMs),
      fingerprint: READ_MODEL_SCHEMA_FINGERPRINT,
    },
    'read-model rebuild finished: the read models match this build',
  );
  return { rebuilt: true, reason, events: result.events };
}
