/**
 * Every PostgreSQL connection the opener makes takes the configured timeouts, not only the event
 * store's. A port that accepts TCP and never answers (a hung server, another service) made the
 * read models, the snapshot store and the personal-data key store wait for ever; each now fails
 * within the connect timeout. A read-model query or a key look-up blocked behind another
 * session's lock fails with the port's STORE_UNAVAILABLE (the API's 503) after the statement
 * timeout, instead of hanging, and works again once the lock is gone.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { EventStoreError } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { dropSchema, failure, freezableProxy, silentPort } from '@timebank/event-store-postgres/testing';
import { LIVE_PREFIX, TABLES } from '@timebank/projections';
import {
  openEventStore,
  openPersonalKeyStore,
  openReadModels,
  openSnapshotStore,
  openSweepLease,
  type StoreConfig,
} from '../src/index.js';

const url = requireServerUrl('POSTGRES_URL');
/** Milliseconds; short, so that the test waits seconds and not the defaults' 10 and 30. */
const CONNECT_TIMEOUT_MILLISECONDS = 500;
const STATEMENT_TIMEOUT_MILLISECONDS = 700;
/** Generous: the timeout plus a loaded machine's scheduling, far below "for ever". */
const BOUND_MILLISECONDS = 4000;

t.test('a port that accepts and never answers fails each pool within the connect timeout', async (t) => {
  const port = await silentPort(t);
  const config: StoreConfig = {
    engine: 'postgres',
    url: `postgres://ledger:pw@127.0.0.1:${port}/ledger`,
    schema: 'pgops_silent',
    timeouts: { connectTimeoutMilliseconds: CONNECT_TIMEOUT_MILLISECONDS },
  };
  const opens: Record<string, () => Promise<unknown>> = {
    'event store': () => openEventStore(config),
    'read models': () => openReadModels(config),
    'personal-data key store': () => openPersonalKeyStore(config),
    'snapshot store': async () => {
      const snapshots = await openSnapshotStore(config);
      try {
        return await snapshots!.readSnapshot('volunteer-1');
      } finally {
        await snapshots!.close();
      }
    },
  };
  for (const [name, open] of Object.entries(opens)) {
    const { error, elapsedMilliseconds } = await failure(open());
    t.match(String(error), /timeout/i, `${name}: ${String(error)}`);
    t.ok(elapsedMilliseconds < BOUND_MILLISECONDS, `${name}: gave up after ${elapsedMilliseconds} ms`);
  }
  const lease = openSweepLease(config);
  const started = Date.now();
  t.equal(await lease.acquire(), false, 'sweep lease: not held');
  t.ok(Date.now() - started < BOUND_MILLISECONDS, `sweep lease: gave up after ${Date.now() - started} ms`);
  await lease.release();
});

t.test(
  'read models and key look-ups blocked by a lock answer STORE_UNAVAILABLE after the statement timeout, then recover',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `pgops_opener_${randomBytes(6).toString('hex')}`;
    t.teardown(() => dropSchema(url!, schema));
    const config: StoreConfig = {
      engine: 'postgres',
      url: url!,
      schema,
      timeouts: { statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS },
    };
    const readModels = await openReadModels(config);
    t.teardown(() => readModels.close());
    await readModels.ensureTableSet(LIVE_PREFIX);
    const keys = await openPersonalKeyStore(config);
    t.teardown(() => keys.close());

    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    t.teardown(() => locker.end());
    await locker.query('BEGIN');
    await locker.query(
      `LOCK TABLE ${schema}.rm_checkpoint, ${schema}.personal_data_keys IN ACCESS EXCLUSIVE MODE`,
    );

    const blocked: Record<string, () => Promise<unknown>> = {
      'read-model checkpoint': () => readModels.readCheckpoint(LIVE_PREFIX),
      'read-model query': () => readModels.query('SELECT position FROM rm_checkpoint'),
      'data key look-up': () => keys.dataKey('volunteer-1'),
    };
    for (const [name, attempt] of Object.entries(blocked)) {
      const { error, elapsedMilliseconds } = await failure(attempt());
      t.ok(error instanceof EventStoreError, `${name}: ${String(error)}`);
      t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', `${name}: STORE_UNAVAILABLE`);
      t.ok(elapsedMilliseconds < BOUND_MILLISECONDS, `${name}: gave up after ${elapsedMilliseconds} ms`);
    }

    await locker.query('ROLLBACK');
    t.equal(await readModels.readCheckpoint(LIVE_PREFIX), 0n, 'the read models answer again');
    t.equal(await keys.dataKey('volunteer-1'), null, 'the key store answers again');
  },
);

t.test(
  'a partition fails a key-store transaction once, after the statement timeout and its margin, and discards the connection',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `pgops_opener_${randomBytes(6).toString('hex')}`;
    t.teardown(() => dropSchema(url!, schema));
    const proxy = await freezableProxy(t, new URL(url!));
    const through = new URL(url!);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const keys = await openPersonalKeyStore({
      engine: 'postgres',
      url: through.toString(),
      schema,
      timeouts: {
        statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS,
        connectTimeoutMilliseconds: CONNECT_TIMEOUT_MILLISECONDS,
      },
    });
    t.teardown(() => keys.close());
    t.equal(await keys.findRegistration('a'.repeat(64)), null, 'a pooled connection through the proxy');

    proxy.freeze();
    const { error, elapsedMilliseconds } = await failure(
      keys.claimRegistration('b'.repeat(64), 'volunteer-1', Buffer.alloc(60)),
    );
    t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', String(error));
    // One driver timeout (0.7 s + 5 s), not a second one for a ROLLBACK queued behind the lost statement.
    const bound = STATEMENT_TIMEOUT_MILLISECONDS + 5000 + 2000;
    t.ok(elapsedMilliseconds < bound, `gave up after ${elapsedMilliseconds} ms (bound ${bound})`);

    proxy.thaw();
    t.equal(
      await keys.claimRegistration('b'.repeat(64), 'volunteer-1', Buffer.alloc(60)),
      'volunteer-1',
      'the key store works again once the network is back',
    );
  },
);

t.test(
  'a rebuild’s index build waits out a lock beyond the statement timeout: it has none',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `pgops_opener_${randomBytes(6).toString('hex')}`;
    t.teardown(() => dropSchema(url!, schema));
    const readModels = await openReadModels({
      engine: 'postgres',
      url: url!,
      schema,
      timeouts: { statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS },
    });
    t.teardown(() => readModels.close());
    await readModels.ensureTableSet('rb_', { secondaryIndexes: false });
    // A writer still inside its transaction on a table to index (CREATE INDEX waits for it), as
    // a long index build over millions of rows would take time.
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    t.teardown(() => writer.end().catch(() => undefined));
    await writer.query('BEGIN');
    await writer.query(`LOCK TABLE ${schema}.rb_${TABLES[0]!.name} IN ROW EXCLUSIVE MODE`);
    const holdMilliseconds = STATEMENT_TIMEOUT_MILLISECONDS * 3;
    setTimeout(() => void writer.query('ROLLBACK').catch(() => undefined), holdMilliseconds);

    const started = Date.now();
    await readModels.createSecondaryIndexes('rb_');
    t.ok(
      Date.now() - started >= holdMilliseconds - 50,
      `indexed once the writer was done (${Date.now() - started} ms)`,
    );
  },
);
