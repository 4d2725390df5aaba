/**
 * An `http` process's view of the shared read models (LEDGER_PROCESS_ROLE=http): when the
 * checkpoint stands still while events wait, `/readyz` must say so even without a cluster primary
 * to report the projecting process down. Before, such processes started separately answered ready
 * all along while the read models behind every `minPosition` read had stopped.
 */
import t from 'tap';
import type { EventStore } from '@timebank/event-store';
import type { ReadModelDatabase } from '@timebank/projections';
import { SharedReadModels } from '../src/shared-read-models.js';

const REFRESH_WAIT_MS = 1200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('a checkpoint that stands still for the bound while events wait is reported stalled', async (t) => {
  let checkpoint = 10n;
  let head = 10n;
  let monotonic = 0;
  const shared = new SharedReadModels({
    db: { readCheckpoint: async () => checkpoint } as unknown as ReadModelDatabase,
    store: { headPosition: async () => head } as unknown as EventStore,
    now: () => Date.now(),
    stalledAfterMs: 30_000,
    monotonicMs: () => monotonic,
  });
  await shared.start();
  t.teardown(() => shared.stop());
  t.equal(shared.stalledReason(), undefined, 'caught up');

  head = 15n;
  await sleep(REFRESH_WAIT_MS);
  monotonic += 29_000;
  t.equal(shared.stalledReason(), undefined, 'behind, but not for 30 s yet');
  monotonic += 2_000;
  t.match(
    shared.stalledReason(),
    /have not advanced for 31 s while 5 events wait: is the LEDGER_PROCESS_ROLE=all/,
  );

  checkpoint = 12n;
  await sleep(REFRESH_WAIT_MS);
  t.equal(shared.stalledReason(), undefined, 'advancing again, though still behind');
  monotonic += 30_000;
  t.match(shared.stalledReason(), /30 s while 3 events wait/, 'and stalled again once it stops');

  checkpoint = 13n;
  await shared.refresh();
  t.equal(shared.stalledReason(), undefined, 'a refresh (as /readyz does) sees it move at once');

  checkpoint = 15n;
  await sleep(REFRESH_WAIT_MS);
  monotonic += 60_000;
  t.equal(shared.stalledReason(), undefined, 'caught up: nothing waits, however long it stands still');
});

t.test("a cluster primary's word that the projecting worker is down comes first", async (t) => {
  const shared = new SharedReadModels({
    db: { readCheckpoint: async () => 3n } as unknown as ReadModelDatabase,
    store: { headPosition: async () => 3n } as unknown as EventStore,
    now: () => Date.now(),
    projectingProcess: {
      downReason: () => 'the projecting server process is down or restarting',
      stop: () => undefined,
    },
  });
  await shared.start();
  t.teardown(() => shared.stop());
  t.equal(shared.stalledReason(), 'the projecting server process is down or restarting');
});
