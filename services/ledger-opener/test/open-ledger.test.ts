import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import {
  EVENT_STORE_FILE,
  isLedgerOpenError,
  openEventStore,
  openLedger,
  READ_MODELS_FILE,
} from '../src/index.js';

function temporaryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-opener-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

t.test(
  'SQLite: the store and the read models are opened under their names in the data directory',
  async (t) => {
    const dataDir = join(temporaryDirectory(t), 'data');
    const opened = await openLedger({ engine: 'sqlite', dataDir });
    t.equal(await opened.store.headPosition(), 0n);
    await opened.close();
    t.ok(existsSync(join(dataDir, EVENT_STORE_FILE)));
    t.ok(existsSync(join(dataDir, READ_MODELS_FILE)));
  },
);

t.test('mustExist refuses to create an empty SQLite store', async (t) => {
  const dataDir = temporaryDirectory(t);
  const error: unknown = await openLedger({ engine: 'sqlite', dataDir }, { mustExist: true }).catch(
    (caught: unknown) => caught,
  );
  t.ok(isLedgerOpenError(error) && error.reason === 'missing', 'a LedgerOpenError, reason missing');
  t.match(String(error), /no event store at .*ledger\.sqlite/);
  t.notOk(existsSync(join(dataDir, EVENT_STORE_FILE)), 'nothing was created');
});

t.test('an unreachable EventStoreDB fails at opening, naming the store', async (t) => {
  const url = 'kurrentdb://admin:secret@127.0.0.1:1?tls=false';
  const error: unknown = await openEventStore({ engine: 'esdb', url }).catch((caught: unknown) => caught);
  t.ok(isLedgerOpenError(error) && error.reason === 'unreachable', 'a LedgerOpenError, reason unreachable');
  t.match(String(error), 'cannot reach the event store (esdb at kurrentdb://127.0.0.1:1?tls=false)');
  t.notMatch(String(error), /secret/, 'credentials are not repeated');
});

t.test('a PostgreSQL that refuses the connection fails at opening in one line', async (t) => {
  const closedPort = 'postgres://postgres:secret@127.0.0.1:1/test';
  const refused: unknown = await openEventStore({
    engine: 'postgres',
    url: closedPort,
    schema: 'ledger',
  }).catch((caught: unknown) => caught);
  t.ok(
    isLedgerOpenError(refused) && refused.reason === 'unreachable',
    'a LedgerOpenError, reason unreachable',
  );
  t.match(String(refused), 'cannot reach the event store (postgres schema ledger at 127.0.0.1:1): ');
  t.match(String(refused), /ECONNREFUSED/);
  t.notMatch(String(refused), /secret/, 'credentials are not repeated');
});

const postgresUrl = requireServerUrl('POSTGRES_URL');

t.test(
  'a PostgreSQL without the configured database fails at opening in one line',
  { skip: postgresUrl === undefined },
  async (t) => {
    const url = new URL(postgresUrl ?? '');
    url.pathname = '/no_such_database_here';
    const missing: unknown = await openEventStore({
      engine: 'postgres',
      url: url.href,
      schema: 'ledger',
    }).catch((caught: unknown) => caught);
    t.ok(isLedgerOpenError(missing) && missing.reason === 'unreachable');
    t.match(String(missing), /database "no_such_database_here" does not exist/);
  },
);

t.test(
  'mustExist refuses a PostgreSQL schema without a store, and creates nothing in it',
  { skip: postgresUrl === undefined },
  async (t) => {
    const schema = `opener_missing_${process.pid}_${Date.now()}`;
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 1 });
    t.teardown(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    });
    const error: unknown = await openLedger(
      { engine: 'postgres', url: postgresUrl ?? '', schema },
      { mustExist: true },
    ).catch((caught: unknown) => caught);
    t.ok(isLedgerOpenError(error) && error.reason === 'missing', 'a LedgerOpenError, reason missing');
    t.match(String(error), `no event store in postgres schema ${schema} at `);
    const created = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    t.equal(created.rowCount, 0, 'the schema was not created');
  },
);
