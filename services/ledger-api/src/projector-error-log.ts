/**
 * How the server logs what its projector recovers from. A PostgreSQL outage (a lock held past
 * POSTGRES_STATEMENT_TIMEOUT_MS, the server restarting) fails every retry of the projector's
 * commit, and logging each at `error` paged on every retry of one outage: the first failure of an
 * outage is logged at `error` with its reason, the retries at `debug`, with a `warn` summary at
 * most once a minute, and one `info` line when a batch commits again.
 */
import type { Logger } from 'pino';
import { isProjectionError } from '@timebank/projections';

/** Least time between two `warn` summaries of one outage, in milliseconds. 60,000: once a minute. */
const OUTAGE_SUMMARY_INTERVAL_MS = 60_000;
/**
 * A failure this long after the previous one starts a new outage, in milliseconds, even if no
 * batch committed in between (an idle ledger commits nothing). 300,000: far above the projector's
 * retry interval (at most 5 s plus one statement timeout, 30 s by default).
 */
const OUTAGE_QUIET_MS = 300_000;

interface Outage {
  readonly startedMs: number;
  failures: number;
  lastFailureMs: number;
  lastSummaryMs: number;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export interface ProjectorErrorLog {
  /** The projector's `onError`. */
  onError(error: unknown): void;
  /** A batch committed: ends the outage, if one was under way. */
  onCommitted(): void;
}

export function projectorErrorLog(logger: Logger, now: () => number = Date.now): ProjectorErrorLog {
  let outage: Outage | undefined;
  const retried = (error: unknown): void => {
    const atMs = now();
    if (outage === undefined || atMs - outage.lastFailureMs >= OUTAGE_QUIET_MS) {
      outage = { startedMs: atMs, failures: 1, lastFailureMs: atMs, lastSummaryMs: atMs };
      logger.error({ err: error, reason: reasonOf(error) }, 'projector error; it retries');
      return;
    }
    outage.failures += 1;
    outage.lastFailureMs = atMs;
    const outageSeconds = Math.round((atMs - outage.startedMs) / 1000);
    logger.debug(
      { err: error, failures: outage.failures, outageSeconds },
      'projector error again; it retries',
    );
    if (atMs - outage.lastSummaryMs < OUTAGE_SUMMARY_INTERVAL_MS) return;
    outage.lastSummaryMs = atMs;
    logger.warn(
      { reason: reasonOf(error), failures: outage.failures, outageSeconds },
      'projector still failing; it retries',
    );
  };
  return {
    onError(error) {
      // A checkpoint conflict is the read models swapped under it (`pnpm ledger rebuild` while the
      // server runs, as docs/projections.md allows): it reloads and carries on, no cause to page.
      if (isProjectionError(error, 'PROJECTION_CHECKPOINT_CONFLICT'))
        logger.info(
          { reason: reasonOf(error) },
          'the read models were replaced under the projector (a rebuild?); it reloaded its checkpoint and carries on',
        );
      else if (
        isProjectionError(error, 'PROJECTION_CORRUPT_HISTORY') ||
        isProjectionError(error, 'PROJECTION_STOPPED')
      )
        logger.error({ err: error }, 'projector stopped on an error');
      else retried(error);
    },
    onCommitted() {
      if (outage === undefined) return;
      const atMs = now();
      logger.info(
        { failures: outage.failures, outageSeconds: Math.round((atMs - outage.startedMs) / 1000) },
        'projector recovered: the read models advance again',
      );
      outage = undefined;
    },
  };
}
