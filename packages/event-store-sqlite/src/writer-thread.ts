/**
 * The store's side of the writer thread (writer-worker.ts): hands each group-commit batch to the
 * thread as one message and resolves with the batch's outcomes once the thread's COMMIT (and its
 * fsync) returned. The group committer keeps at most one batch in flight, so appends that arrive
 * meanwhile gather into the next one, exactly as while a synchronous commit ran.
 *
 * A thread that cannot open the database, dies, or exits unexpectedly fails the batch in flight
 * and every later one with STORE_UNAVAILABLE (via the group committer): errors surface, nothing hangs.
 */
import type { Worker } from 'node:worker_threads';
import type { AppendRequest } from './append.js';
import type { BatchReport } from './group-commit.js';
import { startModuleWorker } from '@timebank/event-store';
import { fromWire, type FromWriter, type ToWriter, type WriterWorkerData } from './writer-wire.js';

/** How long close() waits for the thread to close its connection before ending it, in milliseconds. */
const CLOSE_WAIT_MS = 10_000;

interface InFlight {
  readonly requests: readonly AppendRequest[];
  readonly resolve: (report: BatchReport) => void;
  readonly reject: (error: unknown) => void;
}

export class WriterThread {
  readonly #worker: Worker;
  #inFlight: InFlight | undefined;
  #failure: Error | undefined;
  #closing = false;
  readonly #exited: Promise<void>;
  #markClosed: () => void = () => {};
  readonly #closed = new Promise<void>((resolve) => (this.#markClosed = resolve));

  constructor(data: WriterWorkerData) {
    this.#worker = startModuleWorker(import.meta.url, 'writer-worker', { workerData: data });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.on('message', (message: FromWriter) => this.#receive(message));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.#closing) this.#fail(new Error(`the writer thread exited unexpectedly (code ${code})`));
      this.#markClosed();
    });
  }

  /** Writes one batch in the thread; only one at a time (the group committer waits for the answer). */
  readonly write = (requests: readonly AppendRequest[]): Promise<BatchReport> => {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#inFlight !== undefined) return Promise.reject(new Error('writer thread: a batch is in flight'));
    return new Promise((resolve, reject) => {
      this.#inFlight = { requests, resolve, reject };
      this.#worker.postMessage({ kind: 'batch', requests } satisfies ToWriter);
    });
  };

  #receive(message: FromWriter): void {
    if (message.kind === 'ready') return;
    if (message.kind === 'closed') {
      this.#markClosed();
      return;
    }
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    if (message.kind === 'failed') {
      const error = new Error(`writer thread: ${message.message}`);
      if (message.code !== undefined) Object.assign(error, { code: message.code });
      // A failed transaction leaves the thread usable; one that could not open (nothing in flight) does not.
      if (inFlight === undefined) this.#fail(error);
      else inFlight.reject(error);
      return;
    }
    if (inFlight === undefined) {
      this.#fail(new Error('writer thread answered a batch nobody sent'));
      return;
    }
    inFlight.resolve({
      outcomes: message.outcomes.map((outcome, index) => fromWire(outcome, inFlight.requests[index]!)),
      foreignCommit: message.foreignCommit,
      headAfter: message.headAfter,
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    inFlight?.reject(error);
  }

  /** Closes the thread's connection (the caller drained the committer first), then ends the thread. */
  async close(): Promise<void> {
    if (this.#closing) return this.#exited;
    this.#closing = true;
    this.#worker.postMessage({ kind: 'close' } satisfies ToWriter);
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#closed,
      new Promise((resolve) => (bound = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(bound);
    // A loader (tsx) may keep the thread's event loop alive after its connection closed.
    await this.#worker.terminate();
    await this.#exited;
  }
}
