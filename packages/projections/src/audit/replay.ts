/**
 * Replays the global log page by page into a table set, for rebuild and verify. Reads with
 * `readAll` (one await per page of up to 10,000 events) rather than a subscription: a replay
 * ends at a known position and never waits for live events.
 */
import type { EventStore, RecordedEvent } from '@timebank/event-store';
import type { BatchApplier } from '../applier.js';
import { ProjectionError } from '../errors.js';

/**
 * Longest stretch, in milliseconds, a replay with a `signal` runs before it lets the event loop
 * turn (and a signal handler abort it): on SQLite a page reads without leaving the microtask queue.
 */
const SIGNAL_TURN_INTERVAL_MS = 100;

export interface ReplayProgress {
  readonly position: bigint;
  readonly headPosition: bigint;
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Estimated seconds to the head at the current rate, or null before a rate is known. */
  readonly etaSeconds: number | null;
}

export interface ReplayOptions {
  /** Stop after this position (inclusive); default: the head when the replay started. */
  readonly untilPosition?: bigint;
  /** Events per read. Default 10,000, the port's read ceiling. */
  readonly pageEvents?: number;
  /**
   * Events per transaction, in events: pages are gathered up to this. Default 30,000: a row
   * touched by many events of a batch is written once, and 30,000 parsed events stay ~30 MB.
   */
  readonly batchEventsMax?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Called with every page read (before it is applied), e.g. to check hash chains on the way. */
  readonly onPage?: (events: readonly RecordedEvent[]) => void;
  /** Keep reading past `untilPosition` (handing pages to `onPage` only) up to the head. */
  readonly readToHead?: boolean;
  /** Least time between two progress reports, in milliseconds. Default 1,000. */
  readonly progressIntervalMs?: number;
  /** Aborted: the replay stops before its next page with PROJECTION_INTERRUPTED. */
  readonly signal?: AbortSignal;
}

export interface ReplayResult {
  readonly events: number;
  readonly position: bigint;
  readonly elapsedMs: number;
}

export async function replayInto(
  store: EventStore,
  applier: BatchApplier,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const started = performance.now();
  const headPosition = await store.headPosition();
  const until = options.untilPosition ?? headPosition;
  const pageEvents = options.pageEvents ?? 10_000;
  const intervalMs = options.progressIntervalMs ?? 1000;
  let lastReport = started;
  let applied = 0;
  let cursor = applier.position;
  const report = (now: number): void => {
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? applied / seconds : 0;
    const remaining = Number(until - applier.position);
    options.onProgress?.({
      position: applier.position,
      headPosition: until,
      events: applied,
      eventsPerSecond: Math.round(rate),
      etaSeconds: rate > 0 ? Math.max(0, remaining / rate) : null,
    });
  };
  const batchEventsMax = options.batchEventsMax ?? 30_000;
  let batch: RecordedEvent[] = [];
  let lastTurn = started;
  for (;;) {
    if (options.signal?.aborted === true) {
      throw new ProjectionError(
        'PROJECTION_INTERRUPTED',
        `replay interrupted at position ${applier.position} of ${until}`,
      );
    }
    const done = cursor >= until && options.readToHead !== true;
    const page = done ? [] : await store.readAll({ fromPosition: cursor, maxCount: pageEvents });
    if (page.length > 0) {
      options.onPage?.(page);
      cursor = page.at(-1)?.position ?? cursor;
      for (const event of page) if (event.position <= until) batch.push(event);
    }
    if (batch.length >= batchEventsMax || (page.length === 0 && batch.length > 0)) {
      applied += await applier.applyBatch(batch);
      batch = [];
    }
    if (page.length === 0) break;
    const now = performance.now();
    // Nothing applied yet (the first batch is still being read): a report would only say "0 events, ETA ?".
    if (applied > 0 && now - lastReport >= intervalMs) {
      lastReport = now;
      report(now);
    }
    if (options.signal !== undefined && now - lastTurn >= SIGNAL_TURN_INTERVAL_MS) {
      lastTurn = now;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  report(performance.now());
  return { events: applied, position: applier.position, elapsedMs: performance.now() - started };
}
