/**
 * The read-model projector's own thread (see projector-thread.ts): its own connection to the
 * event store, its own connection to the read models, the same Projector class the request
 * thread would otherwise run. It reports its checkpoint after every committed batch; the request
 * thread's read-your-writes wait settles on those reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEventStore, openReadModels, type StoreConfig } from '@timebank/ledger-opener';
import { ensureCurrentReadModels, Projector } from '@timebank/projections';
import type { FromProjectorWorker, ProjectorWorkerData, ToProjectorWorker } from './projector-thread.js';

if (parentPort === null) throw new Error('projector-worker.ts runs only as a worker thread');
const port = parentPort;
const data = workerData as ProjectorWorkerData;

const post = (message: FromProjectorWorker): void => port.postMessage(message);
const describe = (error: unknown): { message: string; code?: string } => ({
  message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  ...(typeof (error as { code?: unknown } | null)?.code === 'string'
    ? { code: (error as { code: string }).code }
    : {}),
});

async function main(): Promise<void> {
  const config: StoreConfig = { engine: 'sqlite', dataDir: data.dataDir };
  const store = await openEventStore(config);
  const db = await openReadModels(config);
  // The request thread has already brought the read models to this build's schema; this only
  // guards a worker started some other way.
  await ensureCurrentReadModels({ store, db, rules: data.rules });
  const wake = (store as Partial<{ notifyExternalCommit(): void }>).notifyExternalCommit?.bind(store);
  const report = (): void => {
    const lag = projector.lag();
    post({
      kind: 'progress',
      checkpoint: projector.checkpoint(),
      caughtUp: projector.hasCaughtUp(),
      lagEvents: lag.events,
      lagSeconds: lag.seconds,
    });
  };
  const projector: Projector = new Projector({
    store,
    db,
    rules: data.rules,
    ...(data.cachedRowsPerTableMax === undefined
      ? {}
      : { cachedRowsPerTableMax: data.cachedRowsPerTableMax }),
    onProgress: report,
    onError: (error) => {
      const failure = projector.failure();
      post({ kind: 'error', fatal: failure !== undefined, ...describe(error) });
    },
  });
  // Lag seconds grow while nothing is applied; report them now and then, not only per batch.
  const lagTimer = setInterval(report, data.lagReportMs);
  lagTimer.unref();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(lagTimer);
      await projector.stop();
      await db.close();
      await store.close();
      post({ kind: 'stopped', checkpoint: projector.checkpoint() });
      port.close();
    })());
  port.on('message', (message: ToProjectorWorker) => {
    if (message.kind === 'commit') {
      // Cleared before the wake: a commit after this point posts again; one before it is read now.
      Atomics.store(data.commitPending, 0, 0);
      wake?.();
    } else if (message.kind === 'stop') {
      stop().catch((error: unknown) => post({ kind: 'error', fatal: true, ...describe(error) }));
    }
  });
  await projector.start();
  post({ kind: 'started', checkpoint: projector.checkpoint() });
  report();
}

main().catch((error: unknown) => {
  post({ kind: 'error', fatal: true, ...describe(error) });
  port.close();
});
