/**
 * A rebuild whose read-model file's disk fills up (a 16 MiB tmpfs, filled by a file once the live
 * read models are on it; mounting needs root, as CI and the development machine run, and elsewhere
 * the test skips and says why): it fails with PROJECTION_DISK_FULL saying so, drops what it
 * half-built, and leaves the live read models as they were; with space freed it succeeds.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { fillDisk, smallDisk } from '@timebank/event-store/testing';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { rebuildReadModels } from '../src/audit/rebuild.js';
import { openSqliteReadModels } from '../src/dialect/sqlite.js';
import { LIVE_PREFIX, REBUILD_PREFIX } from '../src/tables.js';
import { generateLedger } from '../src/testing/index.js';

const disk = smallDisk('timebank-rebuild-disk-full-', '16m');
const { directory, small } = disk;
t.teardown(() => disk.cleanup());

/** Row count of every table with `prefix`, by name. */
function rowCounts(path: string, prefix: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare<[string], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
      )
      .all(`${prefix}%`);
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n,
      ]),
    );
  } finally {
    db.close();
  }
}

t.test(
  'a rebuild that runs out of disk fails as PROJECTION_DISK_FULL and leaves the live read models as they were',
  { skip: disk.skip },
  async (t) => {
    const store = createSqliteEventStore({ path: join(directory, 'events.sqlite') });
    const path = join(small, 'read-models.sqlite');
    const db = openSqliteReadModels({ path });
    t.teardown(async () => {
      await db.close();
      await store.close();
    });
    await generateLedger(store, { volunteers: 2000, eventsTarget: 20_000, partners: 2 });
    await rebuildReadModels({ store, db });
    const live = rowCounts(path, LIVE_PREFIX);
    t.ok(
      Object.values(live).some((count) => count > 1000),
      'live read models with rows',
    );

    const filler = join(small, 'filler');
    fillDisk(filler);
    const failure = await rebuildReadModels({ store, db }).then(
      () => undefined,
      (error: unknown) => error,
    );
    t.match(failure, {
      code: 'PROJECTION_DISK_FULL',
      message:
        /^no space left on the read models' disk \(.+\); the half-built tables were dropped and the read models are unchanged: free space and rebuild again$/,
    });
    t.same(rowCounts(path, REBUILD_PREFIX), {}, 'the half-built tables were dropped');
    t.same(rowCounts(path, LIVE_PREFIX), live, 'the live read models are as they were');

    rmSync(filler);
    await rebuildReadModels({ store, db });
    t.same(rowCounts(path, LIVE_PREFIX), live, 'with space freed, the rebuild succeeds with the same rows');
  },
);
