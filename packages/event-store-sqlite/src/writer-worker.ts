/**
 * The writer thread: owns the store's only write connection. Each `batch` message is one
 * IMMEDIATE transaction (group commit: one savepoint per multi-event append, one COMMIT and its
 * fsync, and the WAL checkpoints SQLite runs inside COMMIT); its answer is posted only after
 * COMMIT returned, so the request thread acknowledges nothing that is not on disk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createAppender } from './append.js';
import { openDatabase } from './database.js';
import { inProcessBatchWriter } from './group-commit.js';
import { toWire, type FromWriter, type ToWriter, type WriterWorkerData } from './writer-wire.js';

if (parentPort === null) throw new Error('writer-worker runs only as a worker thread');
const port = parentPort;
const data = workerData as WriterWorkerData;
const post = (message: FromWriter): void => port.postMessage(message);

try {
  const db = openDatabase(data.path, {
    busyTimeoutMs: data.busyTimeoutMs,
    walAutocheckpointPages: data.walAutocheckpointPages,
    ...(data.pageCacheKib === undefined ? {} : { pageCacheKib: data.pageCacheKib }),
  });
  const write = inProcessBatchWriter(
    db,
    createAppender(db, { headCacheStreamsMax: data.headCacheStreamsMax }),
  );
  port.on('message', (message: ToWriter) => {
    if (message.kind === 'close') {
      db.close();
      post({ kind: 'closed' });
      port.close();
      return;
    }
    try {
      const report = write(message.requests);
      post({
        kind: 'committed',
        outcomes: report.outcomes.map(toWire),
        foreignCommit: report.foreignCommit,
        headAfter: report.headAfter,
      });
    } catch (error) {
      post({
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
        ...(typeof (error as { code?: unknown } | null)?.code === 'string'
          ? { code: (error as { code: string }).code }
          : {}),
      });
    }
  });
  post({ kind: 'ready' });
} catch (error) {
  post({
    kind: 'failed',
    message: `cannot open ${data.path}: ${error instanceof Error ? error.message : String(error)}`,
  });
  port.close();
}
