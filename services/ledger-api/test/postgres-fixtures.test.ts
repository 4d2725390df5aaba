/**
 * The PostgreSQL test fixtures clean up after a test that fails: the fresh schema is dropped at
 * teardown even when the test threw halfway and even when closing what it opened threw, so a red
 * run leaves no schema behind in the shared test database. The failing test runs as a child
 * process (failing-postgres-test.ts), since a failing subtest would fail this file too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { MASTER_KEY_FILE } from '@timebank/ledger-opener';
import { wirePostgresApi } from './fixtures.js';

const url = requireServerUrl('POSTGRES_URL');
const skip = url === undefined ? 'POSTGRES_URL is not set' : false;
const tsxLoader = import.meta.resolve('tsx');
const failingTest = join(dirname(fileURLToPath(import.meta.url)), 'failing-postgres-test.ts');

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

for (const [mode, prefix, what] of [
  ['fresh', 'fixture_fresh', 'freshPostgresSchema, whose closeFirst threw'],
  ['wired', 'fixture_wired', 'wirePostgresApi, after the app answered'],
] as const) {
  t.test(`a failed test's schema is dropped at teardown: ${what}`, { skip }, async (t) => {
    const child = spawnSync(process.execPath, ['--import', tsxLoader, failingTest, url!, mode], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.equal(child.status, 1, 'the child test failed');
    const schema = new RegExp(`# schema (${prefix}_[0-9a-f]{12})$`, 'm').exec(child.stdout)?.[1];
    t.ok(schema, 'the child took a schema', { stdout: child.stdout, stderr: child.stderr });
    t.notOk(await schemaExists(schema!), 'and its teardown dropped it');
  });
}

// Found by the PostgreSQL operator pass: every test wired through wirePostgresApi wrote master.key
// and reactor.checkpoint.json into ./data of the repository (the server's default LEDGER_DATA_DIR),
// which a PostgreSQL server started there later named as a leftover to move.
t.test(
  'wirePostgresApi keeps the process’s local files out of the working directory',
  { skip },
  async (t) => {
    const api = await wirePostgresApi(t, url!, 'fixture_files');
    const dataDir = resolve(api.config.dataDir);
    t.notOk(dataDir.startsWith(`${process.cwd()}${sep}`), `${dataDir} is not under the working directory`);
    t.ok(existsSync(join(dataDir, MASTER_KEY_FILE)), 'master.key is in the test’s own directory');
  },
);
