/**
 * The read-model projector in a worker thread (SQLite only): the rows, upserts and the read
 * models' own COMMIT/fsync no longer share the request thread with HTTP and the command cycle.
 * The worker opens its own connections to `ledger.sqlite` and `projections.sqlite`; the request
 * thread keeps its read connection to `projections.sqlite` for queries. Read-your-writes holds as
 * before: a read with `minPosition` waits until the worker reports a checkpoint at or past it.
 *
 * After its commits the request thread posts a `commit` message, at most one per event-loop turn
 * (at the turn's end, after every commit learned in it), so the worker's subscription wakes at
 * once instead of at its `data_version` poll; but never while an earlier one is still unread (a
 * shared flag says so): when the worker reads it, it reads the store as of
 * then, which includes every commit made while the message waited. A busy worker therefore costs
 * the request thread no message per commit. A failure in
 * the worker is logged and, when it stops the projector, rejects every waiter and shows in
 * `/readyz`; an unexpected exit of the thread counts as such a failure.
 */
import type { Worker } from 'node:worker_threads';
import type { LedgerRules } from '@timebank/domain';
import { startModuleWorker } from '@timebank/event-store';
import {
  PROJECTION_ERROR_CODES,
  PositionWaiters,
  ProjectionError,
  type WaitOptions,
} from '@timebank/projections';
import type { ProjectorHandle } from './routes/projector-handle.js';

/** What the worker is started with (structured-cloned). */
export interface ProjectorWorkerData {
  readonly dataDir: string;
  readonly rules: LedgerRules;
  /** How often the worker reports its lag while idle, in milliseconds. */
  readonly lagReportMs: number;
  /** See PROJECTOR_CACHED_ROWS_PER_TABLE_MAX (the projector's default when absent). */
  readonly cachedRowsPerTableMax?: number;
  /**
   * One Int32 over shared memory: 1 while a `commit` message is posted and not yet read by the
   * worker, which clears it before it wakes its subscription.
   */
  readonly commitPending: Int32Array;
}

export type ToProjectorWorker = { readonly kind: 'commit' } | { readonly kind: 'stop' };

export type FromProjectorWorker =
  | { readonly kind: 'started'; readonly checkpoint: bigint }
  | {
      readonly kind: 'progress';
      readonly checkpoint: bigint;
      readonly caughtUp: boolean;
      readonly lagEvents: number;
      readonly lagSeconds: number;
    }
  | { readonly kind: 'error'; readonly fatal: boolean; readonly message: string; readonly code?: string }
  | { readonly kind: 'stopped'; readonly checkpoint: bigint };

export interface ProjectorThreadOptions {
  readonly dataDir: string;
  readonly rules: LedgerRules;
  /** Told about every error the worker reports (recovered or fatal) and about an unexpected exit. */
  readonly onError: (error: Error) => void;
  /** Told when the worker's checkpoint advances (a batch committed). */
  readonly onCommitted?: () => void;
  readonly lagReportMs?: number;
  readonly cachedRowsPerTableMax?: number;
}

export class ProjectorThread implements ProjectorHandle {
  readonly #worker: Worker;
  readonly #onError: (error: Error) => void;
  readonly #onCommitted: () => void;
  #checkpoint = 0n;
  #caughtUp = false;
  #lag = { events: 0, seconds: 0 };
  #failure: Error | undefined;
  #stopped = false;
  /** A `commit` message is due at the end of this event-loop turn. */
  #notifyScheduled = false;
  #exited: Promise<void>;
  #markStopped: () => void = () => {};
  readonly #stoppedByWorker = new Promise<void>((resolve) => (this.#markStopped = resolve));
  readonly #commitPending = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  readonly #waiters = new PositionWaiters({
    checkpoint: () => this.#checkpoint,
    failure: () => this.#failure,
    stopped: () => this.#stopped,
  });

  private constructor(options: ProjectorThreadOptions) {
    this.#onError = options.onError;
    this.#onCommitted = options.onCommitted ?? (() => {});
    const data: ProjectorWorkerData = {
      dataDir: options.dataDir,
      rules: options.rules,
      lagReportMs: options.lagReportMs ?? 1000,
      ...(options.cachedRowsPerTableMax === undefined
        ? {}
        : { cachedRowsPerTableMax: options.cachedRowsPerTableMax }),
      commitPending: this.#commitPending,
    };
    this.#worker = startModuleWorker(import.meta.url, 'projector-worker', { workerData: data });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** Starts the worker and resolves once it opened its connections and read its checkpoint. */
  static async start(options: ProjectorThreadOptions): Promise<ProjectorThread> {
    const thread = new ProjectorThread(options);
    await thread.#started();
    return thread;
  }

  #started(): Promise<void> {
    const worker = this.#worker;
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromProjectorWorker) => {
        if (message.kind === 'started') {
          started = true;
          this.#advance(message.checkpoint);
          resolve();
        } else if (message.kind === 'progress') {
          this.#caughtUp ||= message.caughtUp;
          this.#lag = { events: message.lagEvents, seconds: message.lagSeconds };
          // Progress is also reported on a timer, for the lag: only an advance is a commit.
          const advanced = message.checkpoint > this.#checkpoint;
          this.#advance(message.checkpoint);
          if (advanced) this.#onCommitted();
        } else if (message.kind === 'stopped') {
          this.#advance(message.checkpoint);
          this.#markStopped();
        } else {
          const error = this.#errorOf(message);
          this.#onError(error);
          if (message.fatal) {
            this.#fail(error);
            if (!started) {
              reject(error);
              void worker.terminate();
            }
          }
        }
      });
      worker.on('error', (error) => {
        this.#onError(error);
        this.#fail(error);
        if (!started) reject(error);
      });
      worker.on('exit', (code) => {
        if (this.#stopped) return;
        const error = new ProjectionError(
          'PROJECTION_STOPPED',
          `the projector thread exited unexpectedly (code ${code})`,
        );
        this.#onError(error);
        this.#fail(error);
        if (!started) reject(error);
      });
    });
  }

  #errorOf(message: { message: string; code?: string }): Error {
    // A projection error (corrupt history, …) keeps its type, so the API answers as it would in-process.
    const code = PROJECTION_ERROR_CODES.find((known) => known === message.code);
    if (code !== undefined) return new ProjectionError(code, `projector thread: ${message.message}`);
    const error = new Error(`projector thread: ${message.message}`);
    if (message.code !== undefined) Object.assign(error, { code: message.code });
    return error;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#waiters.settle(this.#failure);
  }

  #advance(checkpoint: bigint): void {
    if (checkpoint > this.#checkpoint) this.#checkpoint = checkpoint;
    this.#waiters.settle();
  }

  /**
   * Tells the worker this thread committed: its subscription reads the new events at once. No
   * message while the previous one is unread: reading that one already reads this commit.
   */
  notifyCommit(): void {
    if (this.#stopped || this.#notifyScheduled) return;
    // One message per event-loop turn at most: the writes of one group commit are answered in one
    // turn, and the worker, quick to clear the flag, would otherwise be sent one per write (issue
    // #15). Posted at the end of the turn, the message follows every commit learned in it.
    this.#notifyScheduled = true;
    setImmediate(this.#postCommit);
  }

  readonly #postCommit = (): void => {
    this.#notifyScheduled = false;
    if (this.#stopped) return;
    if (Atomics.compareExchange(this.#commitPending, 0, 0, 1) !== 0) return;
    this.#worker.postMessage({ kind: 'commit' } satisfies ToProjectorWorker);
  };

  checkpoint(): bigint {
    return this.#checkpoint;
  }

  hasCaughtUp(): boolean {
    return this.#caughtUp && this.#failure === undefined;
  }

  failure(): unknown {
    return this.#failure;
  }

  lag(): { events: number; seconds: number } {
    return this.#lag;
  }

  /** As Projector.waitForPosition: PROJECTION_TIMEOUT after `timeoutMs`, PROJECTION_STOPPED once stopped. */
  waitForPosition(position: bigint, options: WaitOptions = {}): Promise<void> {
    return this.#waiters.wait(position, options);
  }

  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    return this.#waiters.reached(position, timeoutMs);
  }

  /** Lets the worker commit its batch in flight and close its connections, then ends the thread. */
  async stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#worker.postMessage({ kind: 'stop' } satisfies ToProjectorWorker);
      // The worker commits its batch in flight and closes its connections, then says so; a loader
      // handle (tsx) may keep its event loop alive after that, so it is ended here. A worker that
      // cannot stop within the bound is ended too: shutdown must never hang on it.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#stoppedByWorker,
        this.#exited,
        new Promise((resolve) => (bound = setTimeout(resolve, 10_000))),
      ]);
      clearTimeout(bound);
      await this.#worker.terminate();
      await this.#exited;
    }
    this.#waiters.settle(new ProjectionError('PROJECTION_STOPPED', 'projector stopped'));
  }
}
