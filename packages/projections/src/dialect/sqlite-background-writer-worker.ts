/**
 * The background writer's thread (see sqlite-background-writer.ts): its own connection to the
 * read-model file, one `commit` per message, in order. After each it counts one commit in the
 * shared state and wakes the waiting thread; a failure first posts its message and raises the
 * flag, and every later job is refused unwritten (the table set is about to be dropped).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sortByKey } from '../row-order.js';
import { tableSpec, type Row } from '../tables.js';
import type { BackgroundCommit, BackgroundWriterData } from './sqlite-background-writer.js';
import { DONE, FAILED } from './sqlite-background-writer.js';
import { openSqliteReadModels } from './sqlite.js';

if (parentPort === null) throw new Error('sqlite-background-writer-worker runs only as a worker thread');
const port = parentPort;
/**
 * This connection's page cache, in KiB: 2 MiB instead of SQLite's 16. It writes rows in key
 * order, so the pages it needs again are the few on each B-tree's right edge; the default's 16 MiB
 * were full of pages written once (a rebuild of 1.1 million events peaked ~16 MiB lower without it).
 */
const WORKER_PAGE_CACHE_KIB = 2048;
const data = workerData as BackgroundWriterData;
const state = new Int32Array(data.state);

const fail = (error: unknown): void => {
  if (Atomics.load(state, FAILED) === 0) {
    data.failures.postMessage(error instanceof Error ? error.message : String(error));
    Atomics.store(state, FAILED, 1);
  }
};
const count = (): void => {
  Atomics.add(state, DONE, 1);
  Atomics.notify(state, DONE);
};

let db: ReturnType<typeof openSqliteReadModels> | undefined;
try {
  db = openSqliteReadModels({
    path: data.path,
    busyTimeoutMs: data.busyTimeoutMs,
    pageCacheKib: WORKER_PAGE_CACHE_KIB,
  });
} catch (error) {
  fail(new Error(`cannot open ${data.path}: ${error instanceof Error ? error.message : String(error)}`));
}

port.on('message', (job: BackgroundCommit) => {
  if (db === undefined || Atomics.load(state, FAILED) !== 0) {
    count();
    return;
  }
  const changes = job.tables.map(({ name, rows }) => {
    const table = tableSpec(name);
    return { table, rows: sortByKey(table, rows as Row[]) };
  });
  // The SQLite dialect commits synchronously inside its promise: the job is done when it settles.
  db.commit(job.prefix, changes, BigInt(job.from), BigInt(job.to), { insertOnly: job.insertOnly })
    .catch(fail)
    .finally(count);
});
