/**
 * `rebuild`: replays every event into a fresh table set and swaps it for the live one in one
 * transaction. Readers see the old read models until the swap and the new ones after, never a
 * half-built state. A live projector elsewhere notices the swap as a checkpoint conflict on its
 * next commit, drops its cache and continues from the rebuilt checkpoint.
 */
import { DEFAULT_LEDGER_RULES, type LedgerRules } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import { BatchApplier } from '../applier.js';
import type { ReadModelDatabase } from '../dialect/dialect.js';
import { projectionRules } from '../handlers/index.js';
import { LIVE_PREFIX, REBUILD_PREFIX } from '../tables.js';
import { replayInto, type ReplayProgress, type ReplayResult } from './replay.js';

export interface RebuildOptions {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  readonly rules?: LedgerRules;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** See `ApplierOptions.cachedRowsPerTableMax`. */
  readonly cachedRowsPerTableMax?: number;
  readonly pageEvents?: number;
}

export async function rebuildReadModels(options: RebuildOptions): Promise<ReplayResult> {
  await options.db.dropTableSet(REBUILD_PREFIX);
  const applier = new BatchApplier(options.db, REBUILD_PREFIX, {
    rules: projectionRules(options.rules ?? DEFAULT_LEDGER_RULES),
    freshTableSet: true,
    ...(options.cachedRowsPerTableMax === undefined
      ? {}
      : { cachedRowsPerTableMax: options.cachedRowsPerTableMax }),
  });
  await applier.open({ secondaryIndexes: false });
  try {
    const result = await replayInto(options.store, applier, {
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.pageEvents === undefined ? {} : { pageEvents: options.pageEvents }),
    });
    await options.db.createSecondaryIndexes(REBUILD_PREFIX);
    await options.db.swapTableSet(REBUILD_PREFIX, LIVE_PREFIX);
    return result;
  } catch (error) {
    await options.db.dropTableSet(REBUILD_PREFIX).catch(() => undefined);
    throw error;
  }
}
