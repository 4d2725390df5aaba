/**
 * The swap at the end of a rebuild on PostgreSQL (the server rebuilds at start-up when its read
 * models are from another build) runs without the statement timeout, as the index build before
 * it does: it drops the live tables, which waits for every reader of them, and cancelling it
 * there failed the whole rebuild, and so the start-up, after the work was done.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import { dropSchema } from '@timebank/event-store-postgres/testing';
import { rebuildReadModels } from '../src/audit/rebuild.js';
import { openPostgresReadModels } from '../src/dialect/postgres.js';
import { LIVE_PREFIX } from '../src/tables.js';
import { seedScenario } from './scenario.js';

const url = requireServerUrl('POSTGRES_URL');

/** The statement timeout of the read models' pool in this test, in milliseconds: short, so the wait outlasts it. */
const STATEMENT_TIMEOUT_MS = 1000;

t.test(
  'a rebuild whose swap waits past the statement timeout for a reader still swaps',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `projections_swap_${randomBytes(6).toString('hex')}`;
    t.teardown(() => dropSchema(url!, schema));
    const store = await createPostgresEventStore({ connectionString: url!, schema });
    t.teardown(() => store.close());
    const db = await openPostgresReadModels({
      connectionString: url!,
      schema,
      statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MS,
    });
    t.teardown(() => db.close());
    // The live read models, made before any event: the rebuild below is told by its checkpoint.
    await rebuildReadModels({ store, db });
    const { last } = await seedScenario(store);

    // A reader of the live read models in a long transaction: its lock stands until it commits.
    const reader = new pg.Client({ connectionString: url! });
    await reader.connect();
    t.teardown(() => reader.end());
    await reader.query('BEGIN');
    await reader.query(`SELECT position FROM ${pg.escapeIdentifier(schema)}.${LIVE_PREFIX}checkpoint`);

    const rebuilt = rebuildReadModels({ store, db });
    const outcome = rebuilt.then(
      () => 'swapped',
      (error: unknown) => `failed: ${(error as Error).message}`,
    );
    // The swap waits for the reader's lock; it is released only after the statement timeout.
    let waiting = false;
    for (let attempt = 0; attempt < 200 && !waiting; attempt += 1) {
      const locks = await reader.query<{ count: string }>(
        `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND NOT l.granted`,
        [schema],
      );
      waiting = Number(locks.rows[0]?.count) > 0;
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.ok(waiting, 'the swap waits for the reader');
    await new Promise((resolve) => setTimeout(resolve, STATEMENT_TIMEOUT_MS * 2));
    await reader.query('COMMIT');
    t.equal(await outcome, 'swapped', 'and swaps once the reader is done, past the statement timeout');
    const [checkpoint] = await db.query(`SELECT position FROM ${LIVE_PREFIX}checkpoint`);
    t.equal(BigInt(checkpoint!.position as string), last, 'the live read models are the rebuilt ones');
  },
);
