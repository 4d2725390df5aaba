import t from 'tap';
import { rebuildReadModels } from '../src/audit/rebuild.js';
import type { ReadModelDatabase } from '../src/dialect/dialect.js';
import { isProjectionError } from '../src/errors.js';
import { Projector } from '../src/projector.js';
import { LIVE_PREFIX, REBUILD_PREFIX, TABLES, type Row } from '../src/tables.js';
import { build, generateLedger } from '../src/testing/index.js';
import { appendTo, harnesses, sqliteHarness } from './harness.js';
import { seedScenario } from './scenario.js';

/** Every row of every live table in key order, and the checkpoint. */
async function dumpLiveTables(db: ReadModelDatabase): Promise<Record<string, Row[]>> {
  const dump: Record<string, Row[]> = {};
  for (const table of TABLES) {
    dump[table.name] = await db.query(
      `SELECT * FROM ${LIVE_PREFIX}${table.name} ORDER BY ${table.key.join(', ')}`,
    );
  }
  dump.checkpoint = await db.query(`SELECT position FROM ${LIVE_PREFIX}checkpoint`);
  return dump;
}

async function tableSetExists(db: ReadModelDatabase, prefix: string): Promise<boolean> {
  return db.query(`SELECT count(*) AS n FROM ${prefix}checkpoint`).then(
    () => true,
    () => false,
  );
}

/**
 * Rebuild configurations: everything in memory with one bulk insert (the default); a budget
 * that writes and drops old records and holds early, so a few later events look them up again
 * (on SQLite on a second thread by default, and on this one); and a budget so small that volunteers are dropped too and most events need a lookup.
 */
const CONFIGURATIONS = [
  { name: 'in memory, one bulk insert', options: {} },
  { name: 'records and holds dropped', options: { rowsInMemoryMax: 150, pageEvents: 50 } },
  {
    name: 'records and holds dropped, written on this thread',
    options: { rowsInMemoryMax: 150, pageEvents: 50, backgroundWrites: false },
  },
  { name: 'volunteers dropped too, lookups', options: { rowsInMemoryMax: 5, pageEvents: 7 } },
] as const;

for (const harness of harnesses()) {
  t.test(`${harness.name}: rebuild reproduces the incremental projection exactly`, async (t) => {
    const engine = await harness.create();
    t.teardown(() => engine.close());
    // The scenario brings corrections, voids, a policy change, every kind of hold resolution,
    // refunded transfers and donations; the generator brings volume and interleaving.
    await generateLedger(engine.store, { volunteers: 40, eventsTarget: 1200, partners: 1 });
    await seedScenario(engine.store);
    const head = await engine.store.headPosition();
    const projector = new Projector({ store: engine.store, db: engine.db, batchEventsMax: 97 });
    await projector.start();
    await projector.waitForPosition(head, { timeoutMs: 20_000 });
    await projector.stop();
    const incremental = await dumpLiveTables(engine.db);
    const rows = TABLES.reduce((sum, table) => sum + (incremental[table.name]?.length ?? 0), 0);
    t.ok(rows > 2 * 150, `${rows} rows: twice the smaller budgets, so they really drop rows`);

    for (const { name, options } of CONFIGURATIONS) {
      const result = await rebuildReadModels({ store: engine.store, db: engine.db, ...options });
      t.equal(result.position, head, `${name}: rebuilt up to the head`);
      t.equal(result.events, Number(head), `${name}: every event applied once`);
      t.same(await dumpLiveTables(engine.db), incremental, `${name}: identical tables`);
      t.notOk(await tableSetExists(engine.db, REBUILD_PREFIX), `${name}: no rebuild tables left`);
    }
  });

  t.test(
    `${harness.name}: a contradictory history fails the rebuild and leaves the live tables`,
    async (t) => {
      const engine = await harness.create();
      t.teardown(() => engine.close());
      await seedScenario(engine.store);
      await rebuildReadModels({ store: engine.store, db: engine.db });
      const before = await dumpLiveTables(engine.db);
      await appendTo(engine.store, 'volunteer-alice', [
        build.confirmed('alice', 'no-such-record', '2026-04-05T00:00:00.000Z'),
      ]);
      for (const options of [{}, { rowsInMemoryMax: 5 }]) {
        const failure = await rebuildReadModels({ store: engine.store, db: engine.db, ...options }).catch(
          (error: unknown) => error,
        );
        t.ok(isProjectionError(failure, 'PROJECTION_CORRUPT_HISTORY'), 'a coded corrupt-history error');
        t.match(
          (failure as Error).message,
          /volunteer-alice@\d+ \(position \d+\)/,
          'naming stream and position',
        );
        t.same(await dumpLiveTables(engine.db), before, 'the live read models are untouched');
        t.notOk(await tableSetExists(engine.db, REBUILD_PREFIX), 'the half-built set is dropped');
      }
    },
  );
}

for (const harness of harnesses()) {
  t.test(
    `${harness.name}: an aborted rebuild stops, drops its tables and leaves the live ones`,
    async (t) => {
      const engine = await harness.create();
      t.teardown(() => engine.close());
      await generateLedger(engine.store, { volunteers: 40, eventsTarget: 1200, partners: 1 });
      await rebuildReadModels({ store: engine.store, db: engine.db });
      const before = await dumpLiveTables(engine.db);
      const head = await engine.store.headPosition();
      // Mid-way, with rows already evicted (and, on SQLite, a background writer running).
      const controller = new AbortController();
      let abortedAt = 0n;
      const failure = await rebuildReadModels({
        store: engine.store,
        db: engine.db,
        rowsInMemoryMax: 150,
        pageEvents: 50,
        progressIntervalMs: 1,
        signal: controller.signal,
        onProgress: (progress) => {
          if (abortedAt === 0n && progress.position >= head / 2n) {
            abortedAt = progress.position;
            controller.abort();
          }
        },
      }).catch((error: unknown) => error);
      t.ok(abortedAt > 0n && abortedAt < head, `aborted at ${abortedAt} of ${head}`);
      t.ok(isProjectionError(failure, 'PROJECTION_INTERRUPTED'), 'a coded interruption');
      t.match((failure as Error).message, /rebuild interrupted at position \d+ of \d+/, 'naming where');
      t.same(await dumpLiveTables(engine.db), before, 'the live read models are untouched');
      t.notOk(await tableSetExists(engine.db, REBUILD_PREFIX), 'the half-built set is dropped');
      const already = new AbortController();
      already.abort();
      await t.rejects(rebuildReadModels({ store: engine.store, db: engine.db, signal: already.signal }), {
        code: 'PROJECTION_INTERRUPTED',
      });
      t.notOk(
        await tableSetExists(engine.db, REBUILD_PREFIX),
        'an abort before the first page leaves nothing',
      );
      const again = await rebuildReadModels({ store: engine.store, db: engine.db });
      t.equal(again.position, head, 'the next rebuild runs to the head');
    },
  );
}

t.test('rebuild refuses a nonsensical row budget before touching anything', async (t) => {
  const [harness] = harnesses();
  if (harness === undefined) throw new Error('no engine');
  const engine = await harness.create();
  t.teardown(() => engine.close());
  await t.rejects(rebuildReadModels({ store: engine.store, db: engine.db, rowsInMemoryMax: 0 }), {
    code: 'PROJECTION_INVALID_ARGUMENT',
  });
  await t.rejects(rebuildReadModels({ store: engine.store, db: engine.db, pageEvents: 1.5 }), {
    code: 'PROJECTION_INVALID_ARGUMENT',
  });
  t.notOk(await tableSetExists(engine.db, REBUILD_PREFIX));
});

t.test('a signal that comes while the last rows are written stops the rebuild before the swap', async (t) => {
  const engine = await sqliteHarness.create();
  t.teardown(() => engine.close());
  await generateLedger(engine.store, { volunteers: 20, eventsTarget: 400, partners: 1 });
  await rebuildReadModels({ store: engine.store, db: engine.db });
  const before = await dumpLiveTables(engine.db);
  // SQLite reads and folds without leaving the microtask queue, so a signal handler (here: an
  // abort queued as a macrotask, as Node queues a SIGINT's) runs only when the rebuild yields. The
  // abort is queued at the final write, after the last page: before, the rebuild never yielded
  // again, swapped its tables in and returned, and the Ctrl-C was silently lost.
  const controller = new AbortController();
  let queued = false;
  const db = new Proxy(engine.db, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'commit' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!queued) {
          queued = true;
          setImmediate(() => controller.abort());
        }
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const failure = await rebuildReadModels({
    store: engine.store,
    db,
    backgroundWrites: false,
    signal: controller.signal,
  }).catch((error: unknown) => error);
  t.ok(queued, 'the abort was queued at the final write');
  t.ok(isProjectionError(failure, 'PROJECTION_INTERRUPTED'), `stopped: ${String(failure)}`);
  t.same(await dumpLiveTables(engine.db), before, 'the live read models are untouched');
  t.notOk(await tableSetExists(engine.db, REBUILD_PREFIX), 'the half-built set is dropped');
});
