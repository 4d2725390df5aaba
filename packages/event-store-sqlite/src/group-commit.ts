/**
 * Group commit: appends that arrive while a transaction is being written wait in a queue and are
 * committed together in the next transaction, one savepoint each. One fsync then acknowledges
 * many callers, and a conflicting append fails alone. Every caller is answered only after COMMIT
 * returned, that is after SQLite fsynced the WAL (`synchronous=FULL`).
 */
import type Database from 'better-sqlite3';
import { EventStoreError } from '@timebank/event-store';
import type { AppendResult, StreamChange } from '@timebank/event-store';
import type { Appender, AppendRequest } from './append.js';

export interface GroupCommitLimits {
  /**
   * Most events in one transaction, in events. Bounds how long one commit holds the write lock and
   * the main thread; 10,000 is ten maximal appends and about 10 ms of inserts on this machine.
   * A single append larger than this still commits, alone.
   */
  readonly groupCommitEventsMax: number;
  /**
   * Most appends waiting for a commit, in appends. Beyond it callers are refused with
   * STORE_UNAVAILABLE instead of queueing without bound; 100,000 is far above what 2 cores drain.
   */
  readonly pendingAppendsMax: number;
}

export const DEFAULT_GROUP_COMMIT_LIMITS: GroupCommitLimits = Object.freeze({
  groupCommitEventsMax: 10_000,
  pendingAppendsMax: 100_000,
});

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

export type Outcome =
  { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

/** What one committed batch tells besides its outcomes. */
export interface BatchReport {
  readonly outcomes: Outcome[];
  /** The writer's connection saw another connection's commit since its previous batch. */
  readonly foreignCommit: boolean;
  /** The store's highest position as of this batch's COMMIT (under its write lock). */
  readonly headAfter: bigint;
}

/**
 * Writes one batch of appends in one IMMEDIATE transaction, one savepoint per multi-event append.
 * Throws (or rejects) when the transaction as a whole failed.
 */
export type BatchWriter = (requests: readonly AppendRequest[]) => BatchReport | Promise<BatchReport>;

/** The batch transaction on `db`, run synchronously in the calling thread. */
export function inProcessBatchWriter(
  db: Database.Database,
  /** The write path bound to `db`; its head cache lives across batches. */
  appender: Appender,
): (requests: readonly AppendRequest[]) => BatchReport {
  const selectHead = db.prepare<[], bigint | null>('SELECT max(position) FROM events').pluck();
  // A nested better-sqlite3 transaction runs as a SAVEPOINT: a throw rolls back that append only.
  const appendInSavepoint = db.transaction(appender.write);
  const batchTransaction = db.transaction((batch: readonly AppendRequest[]): BatchReport => {
    const recordedAt = new Date().toISOString();
    const foreignCommit = appender.begin();
    const outcomes = batch.map((request): Outcome => {
      try {
        // A one-event append checks everything (revision, its id) before its only write, so it
        // cannot fail halfway and needs no savepoint; that saves two statements per append.
        const write = request.events.length === 1 ? appender.write : appendInSavepoint;
        return { ok: true, result: write(request, recordedAt) };
      } catch (error) {
        // Rejections of one append stay with it; anything else (I/O, corruption) aborts the batch.
        if (error instanceof EventStoreError) return { ok: false, error };
        throw error;
      }
    });
    appender.finish();
    return { outcomes, foreignCommit, headAfter: selectHead.get() ?? 0n };
  });
  // IMMEDIATE takes the write lock up front, so another process's writer waits (busy_timeout)
  // instead of failing with SQLITE_BUSY halfway through.
  return (batch) => {
    try {
      return batchTransaction.immediate(batch);
    } catch (error) {
      appender.abandon();
      throw error;
    }
  };
}

/** Counters since open, for tests and the benchmark: appends per transaction is the batching factor. */
export interface GroupCommitStats {
  readonly transactions: number;
  readonly appends: number;
}

export class GroupCommitter {
  readonly #queue: Pending[] = [];
  #transactions = 0;
  #appends = 0;
  #scheduled = false;
  /** A batch handed to an asynchronous writer and not answered yet: the next one waits for it. */
  #inFlight = false;
  #inFlightEvents = 0;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: (() => void) | undefined;

  constructor(
    /** Writes one batch in one transaction: here (`inProcessBatchWriter`) or in the writer thread. */
    private readonly writer: BatchWriter,
    private readonly limits: GroupCommitLimits,
    /**
     * Called after each commit that stored something, before any caller is answered, with the
     * stream and resulting revision of every append it acknowledged (change log, subscriptions).
     */
    private readonly onCommit: (committed: readonly StreamChange[], report: BatchReport) => void,
  ) {}

  /** Queues an already validated append; resolves after the commit that contains it. */
  submit(request: AppendRequest): Promise<AppendResult> {
    if (this.#queue.length >= this.limits.pendingAppendsMax) {
      return Promise.reject(
        new EventStoreError('STORE_UNAVAILABLE', `${this.#queue.length} appends already wait for a commit`),
      );
    }
    if (this.#markIdle === undefined) this.#idle = new Promise((resolve) => (this.#markIdle = resolve));
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  stats(): GroupCommitStats {
    return { transactions: this.#transactions, appends: this.#appends };
  }

  /** Resolves once every queued append has been committed or refused. */
  drained(): Promise<void> {
    return this.#idle;
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: callers woken by the previous commit get to enqueue first.
    setImmediate(() => this.#flush());
  }

  /** Events handed to an asynchronous writer and not answered yet (0 for the in-process writer). */
  get inFlightEvents(): number {
    return this.#inFlightEvents;
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#takeBatch();
    let written: BatchReport | Promise<BatchReport>;
    try {
      written = this.writer(batch.map((pending) => pending.request));
    } catch (cause) {
      this.#settle(batch, this.#failed(batch, cause));
      return;
    }
    if (!(written instanceof Promise)) {
      this.#settle(batch, written);
      return;
    }
    this.#inFlight = true;
    this.#inFlightEvents = batch.reduce((sum, pending) => sum + pending.request.events.length, 0);
    written.then(
      (report) => this.#afterFlight(batch, report),
      (cause: unknown) => this.#afterFlight(batch, this.#failed(batch, cause)),
    );
  }

  #afterFlight(batch: readonly Pending[], report: BatchReport): void {
    this.#inFlight = false;
    this.#inFlightEvents = 0;
    this.#settle(batch, report);
  }

  #failed(batch: readonly Pending[], cause: unknown): BatchReport {
    const error = new EventStoreError('STORE_UNAVAILABLE', `commit failed: ${String(cause)}`);
    error.cause = cause;
    return { outcomes: batch.map(() => ({ ok: false, error })), foreignCommit: true, headAfter: -1n };
  }

  #settle(batch: readonly Pending[], report: BatchReport): void {
    const { outcomes } = report;
    if (report.headAfter >= 0n) {
      this.#transactions += 1;
      this.#appends += batch.length;
    }
    const committed: StreamChange[] = [];
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true)
        committed.push({
          streamName: pending.request.streamName,
          revision: outcome.result.nextExpectedRevision,
        });
    });
    this.onCommit(committed, report);
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) throw new Error('group commit lost an outcome');
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
    if (this.#queue.length > 0) {
      this.#schedule();
    } else {
      this.#markIdle?.();
      this.#markIdle = undefined;
    }
  }

  #takeBatch(): Pending[] {
    let events = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count > 0 && events + pending.request.events.length > this.limits.groupCommitEventsMax) break;
      events += pending.request.events.length;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }
}
