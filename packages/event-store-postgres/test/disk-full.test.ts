/**
 * PostgreSQL's disk filling up under the store, for real: the store's tables and indexes are moved
 * into a tablespace on a 16 MiB tmpfs, which the test then fills. Appends (one alone and a group
 * commit of several) fail with the port's `STORE_UNAVAILABLE` naming the full disk (SQLSTATE
 * 53100) rather than the driver's raw error, which the API answered as a 500 after retrying each
 * append of the batch alone; nothing is written, and the same appends succeed once space is freed.
 *
 * It needs root (to mount the tmpfs), the `postgres` user owning the server on this machine and a
 * superuser connection (to create the tablespace): the development machine and CI, where
 * scripts/postgres.sh starts the server. Elsewhere it skips and says which of these is missing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { EventStoreError, isStorageFull } from '@timebank/event-store';
import { fillDisk, mountTmpfs, requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.js';
import { dropSchema, freshSchemaName, newEvent } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');

const directory = mkdtempSync(join(tmpdir(), 'timebank-pg-disk-full-'));
const mount = join(directory, 'small');
mkdirSync(mount);
// mkdtemp's 0700 would keep the server's user out of the tablespace below it.
chmodSync(directory, 0o755);
let mounted = false;
/** Why this machine cannot run the test, or undefined. */
function unavailable(): string | undefined {
  if (url === undefined) return 'POSTGRES_URL is not set';
  try {
    const notMounted = mountTmpfs(mount, '16m');
    if (notMounted !== undefined) return notMounted;
    mounted = true;
    execFileSync('chown', ['postgres:postgres', mount], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `needs a local postgres user (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
}
const skip = unavailable();
t.teardown(() => {
  if (mounted) execFileSync('umount', [mount]);
  rmSync(directory, { recursive: true, force: true });
});

t.test(
  'appends on a full disk fail as STORE_UNAVAILABLE, write nothing, and succeed once space is freed',
  { skip: skip ?? false },
  async (t) => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const tablespace = `es_small_${randomBytes(6).toString('hex')}`;
    const schema = freshSchemaName();
    const opened: { store?: PostgresEventStore } = {};
    t.teardown(async () => {
      try {
        await opened.store?.close();
        const moveBack = await admin.query<{ sql: string }>(
          `SELECT format('ALTER TABLE %I.%I SET TABLESPACE pg_default', schemaname, tablename) AS sql
             FROM pg_tables WHERE tablespace = $1
           UNION ALL
           SELECT format('ALTER INDEX %I.%I SET TABLESPACE pg_default', schemaname, indexname)
             FROM pg_indexes WHERE tablespace = $1`,
          [tablespace],
        );
        for (const { sql } of moveBack.rows) await admin.query(sql);
        await dropSchema(url!, schema);
        await admin.query(`DROP TABLESPACE IF EXISTS ${tablespace}`);
      } finally {
        await admin.end();
      }
    });
    await admin.query(`CREATE TABLESPACE ${tablespace} LOCATION '${mount}'`);
    const store = await createPostgresEventStore({ connectionString: url!, schema });
    opened.store = store;
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });
    const tables = await admin.query<{ sql: string }>(
      `SELECT format('ALTER TABLE %I.%I SET TABLESPACE ${tablespace}', schemaname, tablename) AS sql
       FROM pg_tables WHERE schemaname = $1`,
      [schema],
    );
    t.ok(tables.rows.length > 0, `${tables.rows.length} tables of the store's schema`);
    for (const { sql } of tables.rows) await admin.query(sql);
    const indexes = await admin.query<{ sql: string }>(
      `SELECT format('ALTER INDEX %I.%I SET TABLESPACE ${tablespace}', schemaname, indexname) AS sql
       FROM pg_indexes WHERE schemaname = $1`,
      [schema],
    );
    for (const { sql } of indexes.rows) await admin.query(sql);

    const filler = join(mount, 'filler');
    fillDisk(filler);
    // Incompressible text, so that rows (and their TOAST) take pages: the table's file must grow.
    const big = (index: number) =>
      newEvent('ThingHappened', { index, text: randomBytes(3000).toString('base64') });
    const append = (stream: string) =>
      store.appendToStream(stream, [big(1), big(2), big(3), big(4)], { expectedRevision: 'no_stream' }).then(
        () => undefined,
        (error: unknown) => error,
      );
    // The last pages the table holds may still take a few appends; the first to need a new page fails.
    let filled = 0;
    let first: unknown;
    for (; filled < 200 && first === undefined; filled += 1) first = await append(`fill-${filled}`);
    const head = await store.headPosition();
    t.ok(first instanceof EventStoreError, `an append failed after ${filled - 1} fitted: ${String(first)}`);
    t.equal((first as EventStoreError).code, 'STORE_UNAVAILABLE', 'as STORE_UNAVAILABLE');
    t.ok(isStorageFull(first), 'saying the disk is full');
    // A group commit of several appends: each fails the same way, none is retried alone for ever.
    const together = await Promise.all([1, 2, 3, 4].map((index) => append(`full-${index}`)));
    for (const [index, error] of together.entries()) {
      t.ok(isStorageFull(error), `concurrent append ${index + 1}: STORE_UNAVAILABLE, disk full`);
    }
    t.equal(await store.headPosition(), head, 'nothing was written');

    rmSync(filler);
    for (const stream of [`fill-${filled - 1}`, 'full-1', 'full-2', 'full-3', 'full-4']) {
      t.equal(await append(stream), undefined, `${stream} appended once space is freed`);
    }
    t.equal(await store.headPosition(), head + 20n, 'five appends of four events after the refusals');
  },
);
