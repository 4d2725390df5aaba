/**
 * The second core of a SQLite rebuild. A bounded bulk load (`BulkLoader`) writes the rows it
 * evicts from memory; on SQLite those INSERTs are a third of a rebuild's time, spent on the one
 * thread that also reads and folds the events. Here a worker thread with its own connection to the
 * read-model file writes them instead, while the loader folds on.
 *
 * Commits are queued and posted as the worker takes them (two in flight: one being written, one
 * ready), copied by structured clone at that moment, so the caller must not change queued rows
 * (the loader only ever drops them). They run in the order they were queued. The worker counts
 * its commits in shared memory, so the thread that queued them can wait for one synchronously
 * (`settleSync`: a lookup of an evicted row must see it written) or asynchronously (`settled`).
 * After a failed commit every wait throws it and later commits are skipped: the loader then
 * drops the half-built table set.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startModuleWorker } from '@timebank/event-store';
import type { TableName, TableSetPrefix } from '../tables.js';
import type { CommitOptions, TableChanges } from './dialect.js';

/** A job for the worker: one `ReadModelDatabase.commit`, rows unsorted (the worker sorts them). */
export interface BackgroundCommit {
  readonly prefix: TableSetPrefix;
  readonly tables: readonly { readonly name: TableName; readonly rows: readonly object[] }[];
  readonly from: string;
  readonly to: string;
  readonly insertOnly: boolean;
}

export interface BackgroundWriterData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Int32 [commits done, failed (0 or 1)], shared with the worker. */
  readonly state: SharedArrayBuffer;
  /** The worker posts a failed commit's message here; read synchronously with receiveMessageOnPort. */
  readonly failures: MessagePort;
}

/** The worker's heap limits, in MB (old and young generation): it holds one commit at a time. */
const WORKER_OLD_SPACE_MB = 64;
const WORKER_YOUNG_SPACE_MB = 16;

/** Commits posted and not yet done: one being written, one ready behind it. */
const JOBS_IN_FLIGHT_MAX = 2;

/** Slots of the shared state. */
export const DONE = 0;
export const FAILED = 1;

/**
 * Longest a synchronous wait blocks, in milliseconds. A commit of a few thousand rows takes
 * milliseconds; a worker that stops answering (its thread died) must not hang the rebuild
 * forever, and a blocked thread cannot hear of the death otherwise.
 */
const SETTLE_TIMEOUT_MS = 5 * 60_000;
/** Slice of an asynchronous wait, in milliseconds: how soon a dead worker is noticed. */
const WAIT_SLICE_MS = 1000;

export interface BackgroundWriter {
  /**
   * Queues one commit and returns its ticket (1, 2, …). Keep each one small (the loader sends a
   * few thousand rows): the worker holds one at a time. Throws a failure already known.
   */
  post(
    prefix: TableSetPrefix,
    changes: readonly TableChanges[],
    from: bigint,
    to: bigint,
    options?: CommitOptions,
  ): number;
  /**
   * Posts queued commits if the worker is ready for them. Cheap; call it often (the bulk loader
   * does once per page): a thread busy folding never returns to its event loop, where the
   * asynchronous wait would otherwise post them.
   */
  pump(): void;
  /**
   * True when every commit queued so far has committed. Never blocks and never throws: a failure
   * is reported by the next `post`, `settleSync` or `settled`.
   */
  idle(): boolean;
  /** Blocks until commit `ticket` (default: every one queued) has committed; throws the first failure. */
  settleSync(ticket?: number): void;
  /** Resolves once commit `ticket` (default: every one queued) has committed; rejects with the first failure. */
  settled(ticket?: number): Promise<void>;
  /** Waits for every commit queued (successful or not), then stops the worker. Idempotent; never throws. */
  close(): Promise<void>;
}

// eslint-disable-next-line max-lines-per-function -- one worker's life: start, commits, waits and stop, closing over its shared state
export function startBackgroundWriter(path: string, busyTimeoutMs: number): BackgroundWriter {
  const stateBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const state = new Int32Array(stateBuffer);
  const channel = new MessageChannel();
  const data: BackgroundWriterData = { path, busyTimeoutMs, state: stateBuffer, failures: channel.port2 };
  const worker: Worker = startModuleWorker(import.meta.url, 'sqlite-background-writer-worker', {
    workerData: data,
    transferList: [channel.port2],
    resourceLimits: {
      maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB,
      maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB,
    },
  });
  /** Commits queued so far (the last ticket given). */
  let queued = 0;
  /** Commits posted to the worker so far; its count of commits done catches up with it. */
  let sent = 0;
  const queue: BackgroundCommit[] = [];
  let failure: Error | undefined;
  let closed: Promise<void> | undefined;
  worker.on('error', (error) => {
    failure ??= new Error(`the background writer of ${path} stopped: ${error.message}`);
  });
  worker.on('exit', (code) => {
    if (closed === undefined) failure ??= new Error(`the background writer of ${path} exited (${code})`);
  });

  const pump = (): void => {
    while (queue.length > 0 && sent - Atomics.load(state, DONE) < JOBS_IN_FLIGHT_MAX) {
      worker.postMessage(queue.shift());
      sent += 1;
    }
  };
  /** The failure, once known: read from the worker's port the first time its flag is seen. */
  const failed = (): Error | undefined => {
    if (failure === undefined && Atomics.load(state, FAILED) !== 0) {
      const message = receiveMessageOnPort(channel.port1)?.message as string | undefined;
      failure = new Error(message ?? `a background commit to ${path} failed`);
    }
    return failure;
  };
  /** One step of a wait: undefined once `ticket` is done, else the done count to wait on. */
  const step = (ticket: number): number | undefined => {
    pump();
    const error = failed();
    if (error !== undefined) throw error;
    const done = Atomics.load(state, DONE);
    return done >= ticket ? undefined : done;
  };

  const settled = async (ticket = queued): Promise<void> => {
    for (let done = step(ticket); done !== undefined; done = step(ticket)) {
      const wait = (
        Atomics as unknown as {
          waitAsync(
            array: Int32Array,
            index: number,
            value: number,
            timeout: number,
          ): { async: boolean; value: Promise<string> | string };
        }
      ).waitAsync(state, DONE, done, WAIT_SLICE_MS);
      if (!wait.async) continue;
      // A pending Atomics.waitAsync does not keep Node's event loop alive: without this timer a
      // process whose worker died would find its loop empty and exit mid-rebuild instead of
      // hearing of the death (the worker's 'exit' event) at the next step.
      const keepAlive = setTimeout(() => undefined, WAIT_SLICE_MS);
      try {
        await wait.value;
      } finally {
        clearTimeout(keepAlive);
      }
    }
  };

  return {
    // eslint-disable-next-line max-params -- mirrors ReadModelDatabase.commit(prefix, changes, from, to, options)
    post(prefix, changes, from, to, options = {}) {
      const error = failed() ?? (closed === undefined ? undefined : new Error('background writer closed'));
      if (error !== undefined) throw error;
      queue.push({
        prefix,
        tables: changes.map(({ table, rows }) => ({ name: table.name, rows })),
        from: from.toString(),
        to: to.toString(),
        insertOnly: options.insertOnly === true,
      });
      queued += 1;
      pump();
      return queued;
    },

    pump,

    idle: () => Atomics.load(state, FAILED) === 0 && Atomics.load(state, DONE) >= queued,

    settleSync(ticket = queued) {
      const deadline = performance.now() + SETTLE_TIMEOUT_MS;
      for (let done = step(ticket); done !== undefined; done = step(ticket)) {
        const left = deadline - performance.now();
        if (left <= 0) {
          throw new Error(`the background writer of ${path} did not commit within ${SETTLE_TIMEOUT_MS} ms`);
        }
        Atomics.wait(state, DONE, done, Math.min(left, WAIT_SLICE_MS));
      }
    },

    settled,

    close() {
      closed ??= (async () => {
        await settled().catch(() => undefined);
        await worker.terminate();
        channel.port1.close();
      })();
      return closed;
    },
  };
}
