/**
 * The one check of a stored log that both auditors' tools run: `pnpm ledger verify` (inside
 * `verifyLedger`, beside its replay) and the API's `GET /v1/audit/verify`. Per event: positions
 * strictly increase, the stream's hash chain links (no revision missing, repeated or altered),
 * and the type, schema version and data match the ledger's event catalogue. Memory grows with
 * the number of streams, not events.
 */
import { parseLedgerEvent } from '@timebank/domain';
import type { EventStore, RecordedEvent } from '@timebank/event-store';
import { ChainChecker, type StreamHead } from './chain-checker.js';

export interface LogFinding {
  readonly kind: 'hash-chain' | 'schema' | 'order';
  readonly streamName: string;
  readonly revision: bigint;
  readonly message: string;
}

export class LogChecker {
  readonly #chain = new ChainChecker();
  #events = 0;
  #lastPosition = 0n;

  /** Checks the next event of the log (or of one stream), in order; returns what is wrong with it. */
  check(event: RecordedEvent): LogFinding[] {
    const { streamName, revision } = event;
    const findings: LogFinding[] = [];
    this.#events += 1;
    if (event.position <= this.#lastPosition) {
      const message = `position ${event.position} follows ${this.#lastPosition}`;
      findings.push({ kind: 'order', streamName, revision, message });
    }
    this.#lastPosition = event.position;
    for (const finding of this.#chain.check(event)) {
      findings.push({
        kind: 'hash-chain',
        streamName: finding.streamName,
        revision: finding.revision,
        message: finding.reason,
      });
    }
    try {
      parseLedgerEvent(event.type, event.data, event.metadata.schemaVersion);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      findings.push({ kind: 'schema', streamName, revision, message });
    }
    return findings;
  }

  get events(): number {
    return this.#events;
  }

  get lastPosition(): bigint {
    return this.#lastPosition;
  }

  get streams(): number {
    return this.#chain.streamCount;
  }

  /** Every stream's head as stored, sorted by stream name (see `ChainChecker.heads`). */
  heads(): StreamHead[] {
    return this.#chain.heads();
  }
}

export interface LogCheckReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  readonly lastPosition: bigint;
  /** The first `findingsMax` findings, in log order. */
  readonly findings: readonly LogFinding[];
  /** Every finding, including those not listed. */
  readonly findingCount: number;
}

/** Checks the whole log, or one stream, page by page; lists at most `findingsMax` findings. */
export async function checkLog(
  store: EventStore,
  options: { readonly streamName?: string; readonly findingsMax?: number } = {},
): Promise<LogCheckReport> {
  const checker = new LogChecker();
  const findings: LogFinding[] = [];
  const findingsMax = options.findingsMax ?? Number.POSITIVE_INFINITY;
  let findingCount = 0;
  const checkPage = (page: readonly RecordedEvent[]): void => {
    for (const event of page) {
      for (const finding of checker.check(event)) {
        findingCount += 1;
        if (findings.length < findingsMax) findings.push(finding);
      }
    }
  };
  const { streamName } = options;
  if (streamName === undefined) {
    for (let after = 0n; ;) {
      const page = await store.readAll({ fromPosition: after });
      const last = page.at(-1);
      if (last === undefined) break;
      checkPage(page);
      after = last.position;
    }
  } else {
    for (let from = 0n; ;) {
      const page = await store.readStream(streamName, { fromRevision: from });
      const last = page.at(-1);
      if (last === undefined) break;
      checkPage(page);
      from = last.revision + 1n;
    }
  }
  return {
    ok: findingCount === 0,
    events: checker.events,
    streams: checker.streams,
    lastPosition: checker.lastPosition,
    findings,
    findingCount,
  };
}
