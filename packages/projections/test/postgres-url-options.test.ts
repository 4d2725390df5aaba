/**
 * A POSTGRES_URL may carry startup options of its own (`?options=-c work_mem=…`). The
 * driver lets the URL's `options` replace the search_path the read models set beside it, so
 * their unqualified tables were created in `public`, where every ledger on the database would
 * share them. The read models keep to their schema and the URL's own options still apply.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { dropSchema } from '@timebank/event-store-postgres/testing';
import { openPostgresReadModels, withSearchPath } from '../src/dialect/postgres.js';
import { LIVE_PREFIX } from '../src/tables.js';

const url = requireServerUrl('POSTGRES_URL');

/** The URL with `options` added to its query. */
function withUrlOptions(base: string, options: string): string {
  return `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(options)}`;
}

t.test(
  'read models keep to their schema when the URL sets startup options of its own',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `projections_urlopts_${randomBytes(6).toString('hex')}`;
    t.teardown(() => dropSchema(url!, schema));
    const connectionString = withUrlOptions(url!, '-c work_mem=4321kB -c search_path=public');
    const db = await openPostgresReadModels({ connectionString, schema });
    t.teardown(() => db.close());
    await db.ensureTableSet(LIVE_PREFIX);

    const admin = new pg.Client({ connectionString: url! });
    await admin.connect();
    t.teardown(() => admin.end());
    const tables = async (namespace: string): Promise<string[]> =>
      (
        await admin.query<{ relname: string }>(
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE $2 ORDER BY 1`,
          [namespace, `${LIVE_PREFIX}%`],
        )
      ).rows.map((row) => row.relname);
    t.ok(
      (await tables(schema)).includes(`${LIVE_PREFIX}checkpoint`),
      'the checkpoint table is in the schema',
    );
    t.same(await tables('public'), [], 'nothing was created in public');

    const settings = (await db.query(
      "SELECT current_setting('work_mem') AS memory, current_setting('search_path') AS path",
    )) as { memory: string; path: string }[];
    t.equal(settings[0]!.memory, '4321kB', "the URL's own option still applies");
    t.equal(settings[0]!.path, schema, 'the search_path is the schema');
  },
);

t.test('the search_path joins the options of any URL form', async (t) => {
  t.same(withSearchPath('postgres://u@h:5432/d', 's1'), {
    connectionString: 'postgres://u@h:5432/d',
    options: '-c search_path=s1',
  });
  t.same(withSearchPath('postgres://u@h/d?sslmode=disable', 's1'), {
    connectionString: 'postgres://u@h/d?sslmode=disable',
    options: '-c search_path=s1',
  });
  const joined = withSearchPath('postgres://u@/d?host=/run/pg&options=-c%20work_mem%3D8MB', 's1');
  t.equal(joined.options, undefined, 'no separate options for the driver to drop');
  t.equal(
    new URLSearchParams(joined.connectionString.split('?')[1]).get('options'),
    '-c work_mem=8MB -c search_path=s1',
  );
  t.equal(new URLSearchParams(joined.connectionString.split('?')[1]).get('host'), '/run/pg');
});
