/**
 * The one check of a stored log that both auditors' tools run: `pnpm ledger verify` (inside
 * `verifyLedger`, beside its replay) and the API's `GET /v1/audit/verify`. Per event: positions
 * strictly increase, the stream's hash chain links (no revision missing, repeated or altered),
 * and the type, schema version and data match the ledger's event catalogue. Memory grows with
 * the number of streams, not events.
 */
import { parseLedgerEvent } from '@timebank/domain';
import {
  isStoredEventUnreadable,
  type EventStore,
  type RecordedEvent,
  type StoredEventUnreadableError,
} from '@timebank/event-store';
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

  /**
   * Takes an event the store could not read (its data or metadata is not JSON): one `schema`
   * finding that names it, and its chain goes on from its stored hash.
   */
  unreadable(error: StoredEventUnreadableError): LogFinding[] {
    const { streamName, revision } = error;
    this.#events += 1;
    this.#lastPosition = error.position;
    const findings: LogFinding[] = [{ kind: 'schema', streamName, revision, message: error.message }];
    for (const finding of this.#chain.skipUnreadable(streamName, revision, error.hash)) {
      findings.push({
        kind: 'hash-chain',
        streamName: finding.streamName,
        revision: finding.revision,
        message: finding.reason,
      });
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

/**
 * The next page of the log after `after` for a checker that must get past an event the store
 * cannot read: the page; or, when it holds such an event, the readable events before it (read
 * again, one at a time if positions have gaps); or, when it comes first, its error.
 */
export async function readLogPage(
  store: EventStore,
  after: bigint,
): Promise<readonly RecordedEvent[] | StoredEventUnreadableError> {
  let unreadable: StoredEventUnreadableError;
  try {
    return await store.readAll({ fromPosition: after });
  } catch (error) {
    if (!isStoredEventUnreadable(error)) throw error;
    unreadable = error;
  }
  const before = unreadable.position - after - 1n;
  if (before <= 0n) return unreadable;
  try {
    return await store.readAll({ fromPosition: after, maxCount: Number(before < 1000n ? before : 1000n) });
  } catch (error) {
    if (!isStoredEventUnreadable(error)) throw error;
  }
  try {
    return await store.readAll({ fromPosition: after, maxCount: 1 });
  } catch (error) {
    if (!isStoredEventUnreadable(error)) throw error;
    return error;
  }
}

/** Checks the log after `after` to its end with `checker`, handing every finding to `found`. */
export async function checkLogFrom(
  store: EventStore,
  checker: LogChecker,
  after: bigint,
  found: (findings: readonly LogFinding[]) => void,
): Promise<void> {
  for (let cursor = after; ;) {
    const page = await readLogPage(store, cursor);
    if (isStoredEventUnreadable(page)) {
      found(checker.unreadable(page));
      cursor = page.position;
      continue;
    }
    const last = page.at(-1);
    if (last === undefined) return;
    for (const event of page) found(checker.check(event));
    cursor = last.position;
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
  const found = (list: readonly LogFinding[]): void => {
    for (const finding of list) {
      findingCount += 1;
      if (findings.length < findingsMax) findings.push(finding);
    }
  };
  const checkPage = (page: readonly RecordedEvent[]): void => {
    for (const event of page) found(checker.check(event));
  };
  const { streamName } = options;
  if (streamName === undefined) await checkLogFrom(store, checker, 0n, found);
  else {
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
