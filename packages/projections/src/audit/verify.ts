/**
 * `verify`: one pass over the whole log that checks every stream's hash chain and every event
 * against the ledger's event catalogue (the same `LogChecker` as the API's `GET /v1/audit/verify`),
 * while replaying into shadow tables up to the live checkpoint; then a row-by-row diff of
 * shadow against live, and Σ balances = 0 on both. Every problem is listed, not just the first.
 */
import { DEFAULT_LEDGER_RULES, type LedgerRules } from '@timebank/domain';
import { isStoredEventUnreadable, type EventStore, type RecordedEvent } from '@timebank/event-store';
import { BatchApplier } from '../applier.js';
import type { ReadModelDatabase } from '../dialect/dialect.js';
import { isProjectionError, ProjectionError } from '../errors.js';
import { projectionRules } from '../handlers/index.js';
import { LIVE_PREFIX, SHADOW_PREFIX } from '../tables.js';
import { balanceSum, diffTableSets, type RowDifference } from './diff.js';
import { checkLogFrom, LogChecker, type LogFinding } from './log-checker.js';
import { replayInto, type ReplayProgress } from './replay.js';

export type VerifyFinding =
  | LogFinding
  | { readonly kind: 'replay' | 'balance'; readonly message: string }
  | { readonly kind: 'read-model'; readonly message: string; readonly difference: RowDifference };

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  /** The live checkpoint the read models were compared at. */
  readonly checkpoint: bigint;
  readonly findings: readonly VerifyFinding[];
}

export interface VerifyOptions {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  readonly rules?: LedgerRules;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /**
   * Aborted: verify stops before its next page with PROJECTION_INTERRUPTED and drops its shadow
   * tables; the live read models are never touched either way.
   */
  readonly signal?: AbortSignal;
}

/** How often verify re-replays when the live read models kept moving during the diff. */
const DIFF_ATTEMPTS_MAX = 3;

function describe(difference: RowDifference): string {
  const where = `${difference.table} ${difference.key}`;
  if (difference.kind !== 'value') return `${where}: ${difference.kind}`;
  const columns = (difference.columns ?? [])
    .map(({ column, live, replayed }) => `${column} live=${String(live)} replayed=${String(replayed)}`)
    .join(', ');
  return `${where}: ${columns}`;
}

export async function verifyLedger(options: VerifyOptions): Promise<VerifyReport> {
  const { store, db } = options;
  const findings: VerifyFinding[] = [];
  const log = new LogChecker();
  const checkPage = (page: readonly RecordedEvent[]): void => {
    for (const event of page) findings.push(...log.check(event));
  };

  await db.ensureTableSet(LIVE_PREFIX);
  await db.dropTableSet(SHADOW_PREFIX);
  const applier = new BatchApplier(db, SHADOW_PREFIX, {
    rules: projectionRules(options.rules ?? DEFAULT_LEDGER_RULES),
    freshTableSet: true,
  });
  try {
    await applier.open();
    let checkpoint = await db.readCheckpoint(LIVE_PREFIX);
    let replayFailed = false;
    try {
      await replayInto(store, applier, {
        untilPosition: checkpoint,
        readToHead: true,
        onPage: checkPage,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } catch (error) {
      // A contradictory history, or an event the store cannot read back (edited outside it).
      if (isProjectionError(error, 'PROJECTION_INTERRUPTED')) throw error;
      if (!isProjectionError(error) && !isStoredEventUnreadable(error)) throw error;
      replayFailed = true;
      const message = isStoredEventUnreadable(error)
        ? `replay stopped at position ${error.position}, an event the store cannot read (below); the read models were not compared`
        : error.message;
      findings.push({ kind: 'replay', message });
      // The replay stopped; the chains and schemas of the rest of the log still get checked.
      await checkLogFrom(store, log, log.lastPosition, (found) => findings.push(...found));
    }

    // The projector only ever applied events the store had: a checkpoint past the log's end means
    // the log lost its last events (every chain can still be intact) or the read models are another
    // ledger's. Said first, as the cause of the row differences that follow.
    if (!replayFailed && checkpoint > log.lastPosition) {
      findings.push({
        kind: 'replay',
        message:
          `the read models are at position ${checkpoint}, beyond the last event of the log (position ${log.lastPosition}): ` +
          'events were removed from the end of the event store, or the read models belong to another ledger',
      });
    }
    if (!replayFailed)
      checkpoint = await compareWithLive(db, applier, store, checkpoint, options.signal, findings);
    return { ok: findings.length === 0, events: log.events, streams: log.streams, checkpoint, findings };
  } catch (error) {
    if (isProjectionError(error, 'PROJECTION_INTERRUPTED'))
      throw new ProjectionError(
        'PROJECTION_INTERRUPTED',
        `verify ${error.message}; its shadow tables were dropped and the read models are unchanged`,
      );
    throw error;
  } finally {
    // The shadow copy never outlives the check, whatever ended it.
    await db.dropTableSet(SHADOW_PREFIX);
  }
}

/**
 * Diffs the shadow tables (replayed up to `checkpoint`) against the live ones and checks
 * Σ balances = 0 on both, into `findings`. If the live projector commits during the diff, the
 * shadow catches up and compares again (DIFF_ATTEMPTS_MAX in all). Returns the checkpoint compared.
 */
// eslint-disable-next-line max-params -- the verify run's parts, passed down once
async function compareWithLive(
  db: ReadModelDatabase,
  applier: BatchApplier,
  store: EventStore,
  compared: bigint,
  signal: AbortSignal | undefined,
  findings: VerifyFinding[],
): Promise<bigint> {
  let checkpoint = compared;
  for (let attempt = 1; ; attempt += 1) {
    const differences = await diffTableSets(db, LIVE_PREFIX, SHADOW_PREFIX);
    const after = await db.readCheckpoint(LIVE_PREFIX);
    if (after === checkpoint) {
      for (const difference of differences) {
        findings.push({ kind: 'read-model', message: describe(difference), difference });
      }
      break;
    }
    // The live projector committed during the diff: catch the shadow up to it and compare again.
    if (attempt === DIFF_ATTEMPTS_MAX) {
      findings.push({
        kind: 'replay',
        message: `live read models kept moving (at ${after}); stop the projector and retry`,
      });
      break;
    }
    checkpoint = after;
    await replayInto(store, applier, {
      untilPosition: checkpoint,
      ...(signal === undefined ? {} : { signal }),
    });
  }
  const liveSum = await balanceSum(db, LIVE_PREFIX);
  if (liveSum !== 0)
    findings.push({ kind: 'balance', message: `Σ live account balances is ${liveSum}, not 0` });
  const replayedSum = await balanceSum(db, SHADOW_PREFIX);
  if (replayedSum !== 0) {
    findings.push({ kind: 'balance', message: `Σ replayed account balances is ${replayedSum}, not 0` });
  }
  return checkpoint;
}
