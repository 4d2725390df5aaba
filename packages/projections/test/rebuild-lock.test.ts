/**
 * Two rebuilds of the same read models at once (two `pnpm ledger rebuild`, or one beside a
 * server's start-up rebuild): the second is refused with PROJECTION_REBUILD_RUNNING, naming the
 * holder, and changes nothing; the first completes. Before, the second dropped the first's
 * half-built tables under it: both failed, the first with a PROJECTION_CORRUPT_HISTORY that read
 * like a damaged ledger. On SQLite the lock is a file beside the database, so a second connection
 * (here in this process, as for another process) is refused; on PostgreSQL an advisory lock,
 * another pooled session.
 */
import t from 'tap';
import { rebuildReadModels } from '../src/audit/rebuild.js';
import { openSqliteReadModels } from '../src/dialect/sqlite.js';
import { REBUILD_PREFIX } from '../src/tables.js';
import { generateLedger } from '../src/testing/index.js';
import { harnesses } from './harness.js';

for (const harness of harnesses()) {
  t.test(
    `${harness.name}: a second rebuild beside a running one is refused and changes nothing`,
    async (t) => {
      const engine = await harness.create();
      t.teardown(() => engine.close());
      await generateLedger(engine.store, { volunteers: 200, eventsTarget: 4000, partners: 1 });
      const head = await engine.store.headPosition();

      const first = rebuildReadModels({ store: engine.store, db: engine.db });
      // SQLite: another connection to the same file, as another process would open it.
      const other =
        harness.name === 'sqlite' ? openSqliteReadModels({ path: engine.readModelsPath! }) : engine.db;
      const second = await rebuildReadModels({ store: engine.store, db: other }).then(
        () => undefined,
        (error: unknown) => error,
      );
      t.match(second, {
        code: 'PROJECTION_REBUILD_RUNNING',
        message:
          /^another rebuild of these read models is running \(.+\); nothing was changed: wait for it to finish$/,
      });
      const result = await first;
      t.equal(result.position, head, 'the first rebuild completes');
      const again = await rebuildReadModels({ store: engine.store, db: other });
      t.equal(again.position, head, 'once it ended, the next rebuild takes the lock');
      const leftovers = await other.query(
        harness.name === 'sqlite'
          ? `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '${REBUILD_PREFIX}%'`
          : `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '${REBUILD_PREFIX}%'`,
      );
      t.same(leftovers, [], 'no half-built tables left');
      if (other !== engine.db) await other.close();
    },
  );
}
