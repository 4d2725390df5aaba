/**
 * Every connection the adapter opens gives up in bounded time. A port that accepts TCP and never
 * speaks PostgreSQL (a hung server, another service, a firewall) is played by a local listener
 * that accepts and says nothing: the store, the snapshot store and the sweep lease each fail
 * within their connect timeout. A statement blocked behind another session's lock, or lost in a
 * network partition (a proxy that stops forwarding), fails with STORE_UNAVAILABLE after the
 * statement timeout and writes nothing; once the lock is released the store works again.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t, { type Test } from 'tap';
import { EventStoreError } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import {
  createPostgresEventStore,
  createPostgresSnapshotStore,
  createPostgresSweepLease,
  QUERY_TIMEOUT_MARGIN_MILLISECONDS,
} from '../src/index.js';
import { failure, freezableProxy, silentPort } from '../src/testing/index.js';
import { dropSchema, newEvent, openStore } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');
const skip = url === undefined ? 'POSTGRES_URL is not set' : false;
/** Short timeouts, in milliseconds, so that the test waits seconds, not the defaults' 10 and 30. */
const CONNECT_TIMEOUT_MILLISECONDS = 500;
const STATEMENT_TIMEOUT_MILLISECONDS = 700;

function schemaName(): string {
  return `pgops_es_${randomBytes(6).toString('hex')}`;
}

t.test(
  'a port that accepts and never answers fails every connection within its connect timeout',
  async (t) => {
    const port = await silentPort(t);
    const silent = `postgres://ledger:pw@127.0.0.1:${port}/ledger`;
    const timeouts = { connectTimeoutMilliseconds: CONNECT_TIMEOUT_MILLISECONDS };
    const bound = CONNECT_TIMEOUT_MILLISECONDS + 3000;

    const store = await failure(
      createPostgresEventStore({ connectionString: silent, schema: 'pgops_silent', limits: timeouts }),
    );
    t.match(String(store.error), /timeout/i, 'the event store');
    t.ok(store.elapsedMilliseconds < bound, `the event store gave up in ${store.elapsedMilliseconds} ms`);

    const snapshots = createPostgresSnapshotStore({
      connectionString: silent,
      schema: 'pgops_silent',
      timeouts,
    });
    t.teardown(() => snapshots.close());
    const snapshot = await failure(snapshots.readSnapshot('volunteer-1'));
    t.match(String(snapshot.error), /timeout/i, 'the snapshot store');
    t.ok(
      snapshot.elapsedMilliseconds < bound,
      `the snapshot store gave up in ${snapshot.elapsedMilliseconds} ms`,
    );

    const lease = createPostgresSweepLease({ connectionString: silent, schema: 'pgops_silent', timeouts });
    const started = Date.now();
    t.equal(await lease.acquire(), false, 'the sweep lease is not held');
    t.ok(Date.now() - started < bound, `the sweep lease gave up in ${Date.now() - started} ms`);
    await lease.release();
  },
);

/** A second session holding `LOCK TABLE … IN <mode> MODE` until `release()`. */
async function holdLock(t: Test, table: string, mode: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end().catch(() => undefined));
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ${mode} MODE`);
  return { release: () => client.query('ROLLBACK') };
}

async function countEvents(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.events`);
    return Number(result.rows[0]?.count);
  } finally {
    await client.end();
  }
}

t.test(
  'a statement blocked by a lock fails with STORE_UNAVAILABLE after the statement timeout, then the store recovers',
  { skip },
  async (t) => {
    const schema = schemaName();
    t.teardown(() => dropSchema(url!, schema));
    const store = await openStore(t, url!, {
      schema,
      limits: { statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS },
    });
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });
    const bound = STATEMENT_TIMEOUT_MILLISECONDS + QUERY_TIMEOUT_MARGIN_MILLISECONDS;

    const lock = await holdLock(t, `${schema}.events`, 'ACCESS EXCLUSIVE');
    const late = newEvent();
    const attempts = {
      appendToStream: () => store.appendToStream('thing-1', [late], { expectedRevision: 0n }),
      readStream: () => store.readStream('thing-1'),
      readAll: () => store.readAll(),
      headPosition: () => store.headPosition(),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      const { error, elapsedMilliseconds } = await failure(attempt());
      t.ok(error instanceof EventStoreError, `${name}: an EventStoreError (${String(error)})`);
      t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', `${name}: STORE_UNAVAILABLE`);
      t.ok(elapsedMilliseconds < bound, `${name}: gave up after ${elapsedMilliseconds} ms`);
    }

    await lock.release();
    t.equal(await countEvents(schema), 1, 'the timed-out append wrote nothing');
    const retried = await store.appendToStream('thing-1', [late], { expectedRevision: 0n });
    t.equal(retried.nextExpectedRevision, 1n, 'the same append succeeds once the lock is gone');
    t.equal((await store.readStream('thing-1')).length, 2, 'reads work again');
  },
);

t.test(
  'an append whose idempotency claim cannot be written in time leaves neither its events nor its claim',
  { skip },
  async (t) => {
    const schema = schemaName();
    t.teardown(() => dropSchema(url!, schema));
    const store = await openStore(t, url!, {
      schema,
      limits: { statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS },
    });
    // EXCLUSIVE lets the batch read the claims (its state query) and insert its events, and
    // blocks it at the claim's INSERT, after the events': the one place a half-written append could come from.
    const lock = await holdLock(t, `${schema}.idempotency_claims`, 'EXCLUSIVE');
    const claim = { keyHash: 'ab'.repeat(32), requestHash: 'cd'.repeat(32) };
    const events = [newEvent(), newEvent()];
    const { error } = await failure(
      store.appendToStream('thing-1', events, { expectedRevision: 'no_stream', idempotencyClaim: claim }),
    );
    t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', String(error));
    await lock.release();
    t.equal(await countEvents(schema), 0, 'no event of the timed-out append was kept');
    t.equal(await store.readIdempotencyClaim(claim.keyHash), undefined, 'nor its claim');
    const retried = await store.appendToStream('thing-1', events, {
      expectedRevision: 'no_stream',
      idempotencyClaim: claim,
    });
    t.equal(retried.nextExpectedRevision, 1n, 'the retry writes both events');
    t.equal(await countEvents(schema), 2);
  },
);

t.test(
  'a partition that swallows the statement and any answer fails it after the statement timeout and its margin',
  { skip },
  async (t) => {
    const schema = schemaName();
    t.teardown(() => dropSchema(url!, schema));
    const proxy = await freezableProxy(t, new URL(url!));
    const through = new URL(url!);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const store = await openStore(t, through.toString(), {
      schema,
      limits: {
        statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS,
        connectTimeoutMilliseconds: CONNECT_TIMEOUT_MILLISECONDS,
      },
    });
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });

    proxy.freeze();
    const bound = STATEMENT_TIMEOUT_MILLISECONDS + QUERY_TIMEOUT_MARGIN_MILLISECONDS + 3000;
    for (const [name, attempt] of Object.entries({
      readStream: () => store.readStream('thing-1'),
      appendToStream: () => store.appendToStream('thing-1', [newEvent()], { expectedRevision: 0n }),
    })) {
      const { error, elapsedMilliseconds } = await failure(attempt());
      t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', `${name}: ${String(error)}`);
      t.ok(elapsedMilliseconds < bound, `${name}: gave up after ${elapsedMilliseconds} ms`);
    }
    proxy.thaw();
    // The connections the partition held were discarded; the pool opens fresh ones.
    t.equal((await store.readStream('thing-1')).length, 1, 'reads work again after the partition');
  },
);

t.test(
  'opening waits out another process’s migration beyond the statement timeout: migrations have none',
  { skip },
  async (t) => {
    const schema = schemaName();
    t.teardown(() => dropSchema(url!, schema));
    // Another process migrating: it holds the migration lock (schema.ts, MIGRATION_LOCK_KEY) for a while.
    const migrating = new pg.Client({ connectionString: url });
    await migrating.connect();
    t.teardown(() => migrating.end().catch(() => undefined));
    await migrating.query('SELECT pg_advisory_lock(7230517001)');
    const holdMilliseconds = STATEMENT_TIMEOUT_MILLISECONDS * 3;
    setTimeout(
      () => void migrating.query('SELECT pg_advisory_unlock(7230517001)').catch(() => undefined),
      holdMilliseconds,
    );

    const started = Date.now();
    const store = await openStore(t, url!, {
      schema,
      limits: { statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS },
    });
    t.ok(
      Date.now() - started >= holdMilliseconds - 50,
      `opened after the lock was released (${Date.now() - started} ms)`,
    );
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });
    t.equal(await store.headPosition(), 1n, 'and works');
  },
);

t.test(
  'a writer stalled inside its transaction loses it after the statement timeout, so other writers are not held behind its append lock',
  { skip },
  async (t) => {
    const schema = schemaName();
    t.teardown(() => dropSchema(url!, schema));
    // Writer A stops between its INSERT and its COMMIT for longer than any statement may run, as
    // a process partitioned from the server (or frozen) mid-transaction would: it holds the append lock.
    const stalledMilliseconds = 8000;
    const stalled = await openStore(t, url!, {
      schema,
      limits: { statementTimeoutMilliseconds: STATEMENT_TIMEOUT_MILLISECONDS },
      hooks: { beforeCommit: () => new Promise((resolve) => setTimeout(resolve, stalledMilliseconds)) },
    });
    // Writer B, another process on the same store, whose statements may wait up to 5 s.
    const other = await openStore(t, url!, { schema, limits: { statementTimeoutMilliseconds: 5000 } });

    const stalledAppend = failure(
      stalled.appendToStream('thing-a', [newEvent()], { expectedRevision: 'no_stream' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const appended = await other.appendToStream('thing-b', [newEvent()], { expectedRevision: 'no_stream' });
    t.equal(
      appended.position,
      1n,
      `B appended once the server ended A's transaction (${Date.now() - started} ms)`,
    );
    t.ok(Date.now() - started < 5000, 'B did not wait for A to wake up');

    const { error } = await stalledAppend;
    t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', `A is told: ${String(error)}`);
    t.same(
      (await other.readAll()).map((event) => event.streamName),
      ['thing-b'],
      'nothing of A was written',
    );
  },
);
