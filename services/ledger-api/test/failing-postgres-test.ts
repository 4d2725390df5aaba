/**
 * Not a test of its own (no `.test.ts`): a tap test that fails on purpose after taking a fresh
 * PostgreSQL schema, run as a child process by postgres-fixtures.test.ts, which then checks that
 * the failed test's teardown dropped the schema. Usage: `failing-postgres-test.ts <url> fresh|wired`;
 * prints `# schema <name>` once the schema exists.
 */
import pg from 'pg';
import t from 'tap';
import { freshPostgresSchema, wirePostgresApi } from './fixtures.js';

const [url, mode] = process.argv.slice(2);
if (url === undefined || (mode !== 'fresh' && mode !== 'wired')) {
  throw new Error('usage: failing-postgres-test.ts <postgres url> fresh|wired');
}

t.test('a test that fails after taking a schema', async (t) => {
  if (mode === 'fresh') {
    // Closing what the test opened fails as well: the drop must not depend on it.
    const schema = freshPostgresSchema(t, url, 'fixture_fresh', () =>
      Promise.reject(new Error('closing failed on purpose')),
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`);
    await client.end();
    t.comment(`schema ${schema}`);
  } else {
    const { schema, wired } = await wirePostgresApi(t, url, 'fixture_wired');
    t.equal((await wired.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    t.comment(`schema ${schema}`);
  }
  throw new Error('the test fails on purpose');
});
