import pg from 'pg';
import { isQueryReadTimeout } from './connection-errors.js';

/**
 * Migrations, applied in order and recorded in `<schema>.schema_migrations`. They are idempotent
 * and serialised by a transaction-scoped advisory lock, so several processes may start at once.
 *
 * Design notes (see docs/event-store.md, "PostgreSQL"):
 * - `position` is assigned by the writer while it holds the store's append lock, so positions are
 *   gapless and become visible in order; no sequence is involved.
 * - `data` and `metadata` are `json`, not `jsonb`: `json` keeps the text the adapter wrote and
 *   accepts every string the port accepts (jsonb rejects `\u0000` and lone surrogates), so the
 *   hash chain always re-verifies from what is read back.
 * - `(stream_name, revision)` and `id` are unique: the database itself refuses a forked stream
 *   or a duplicated event even if a writer ever bypassed the lock.
 */
const MIGRATIONS: readonly ((schema: string) => string)[] = [
  (schema) => `
    CREATE TABLE IF NOT EXISTS ${schema}.events (
      position bigint PRIMARY KEY CHECK (position > 0),
      stream_name text NOT NULL,
      revision bigint NOT NULL CHECK (revision >= 0),
      id uuid NOT NULL,
      type text NOT NULL,
      data json NOT NULL,
      metadata json NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      hash char(64) NOT NULL,
      CONSTRAINT events_id_unique UNIQUE (id),
      CONSTRAINT events_stream_revision_unique UNIQUE (stream_name, revision)
    );
    -- Events are facts: nothing may change or remove them once written.
    CREATE OR REPLACE FUNCTION ${schema}.events_are_immutable() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are immutable: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$;
    DROP TRIGGER IF EXISTS events_are_immutable ON ${schema}.events;
    CREATE TRIGGER events_are_immutable BEFORE UPDATE OR DELETE ON ${schema}.events
      FOR EACH ROW EXECUTE FUNCTION ${schema}.events_are_immutable();
  `,
  // Idempotency claims, written in the append's transaction under the append lock: one row per
  // key, the hashes as 32-byte bytea. Claims made before this migration are events of their
  // `idempotency-*` streams, which readers still honour.
  (schema) => `
    CREATE TABLE IF NOT EXISTS ${schema}.idempotency_claims (
      key_hash bytea PRIMARY KEY CHECK (octet_length(key_hash) = 32),
      request_hash bytea NOT NULL CHECK (octet_length(request_hash) = 32),
      stream_name text NOT NULL,
      revision bigint NOT NULL,
      position bigint NOT NULL
    );
  `,
  // Snapshots of folded state (snapshot-store.ts): a cache, one row per stream, never an event.
  (schema) => `
    CREATE TABLE IF NOT EXISTS ${schema}.snapshots (
      stream_name text PRIMARY KEY,
      revision bigint NOT NULL CHECK (revision >= 0),
      event_hash char(64) NOT NULL,
      fold_version text NOT NULL,
      payload bytea NOT NULL
    );
  `,
];

/** Arbitrary constant that names "event-store migrations" in the advisory-lock key space. */
const MIGRATION_LOCK_KEY = 7_230_517_001;

/** A store that must already exist (`mustExist`) has no events table in its schema. */
export class PostgresStoreMissingError extends Error {
  override readonly name = 'PostgresStoreMissingError';

  constructor(readonly schema: string) {
    super(`schema ${schema} holds no event store`);
  }
}

/** Whether the schema already holds the store's events table; reads only, creates nothing. */
export async function storeExists(pool: pg.Pool, schemaName: string): Promise<boolean> {
  const found = await pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    `${pg.escapeIdentifier(schemaName)}.events`,
  ]);
  return found.rows[0]?.present === true;
}

/** Creates the schema and its tables if missing; returns the advisory-lock key of appends. */
export async function migrate(pool: pg.Pool, schemaName: string): Promise<bigint> {
  const schema = pg.escapeIdentifier(schemaName);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // No statement timeout here: a migration rewrites tables that may hold millions of events,
    // and waits for another process's migration; both can rightly take minutes. It is one
    // transaction, so giving up half-way would only start it over at the next start-up.
    await client.query('SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0');
    await client.query(untimed('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]));
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists, so a
    // role that owns its schema and may create nothing else in the database could not open it.
    const present = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaName]);
    if (present.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const applied = await client.query<{ version: number }>(
      `SELECT version FROM ${schema}.schema_migrations`,
    );
    const done = new Set(applied.rows.map((row) => row.version));
    for (const [index, migration] of MIGRATIONS.entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      await client.query(untimed(migration(schema)));
      await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [version]);
    }
    // The append lock's key is the events table's oid: unique per store within the database,
    // stable for the table's lifetime, and known to every process that opens the same schema.
    const key = await client.query<{ key: string }>(`SELECT $1::regclass::oid::bigint AS key`, [
      `${schema}.events`,
    ]);
    await client.query('COMMIT');
    const row = key.rows[0];
    if (row === undefined) throw new Error('events table has no oid');
    return BigInt(row.key);
  } catch (error) {
    // After the driver's own timeout the connection still runs the statement: discard it.
    if (isQueryReadTimeout(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * The driver's `query_timeout` (when the pool has one) replaced by the longest a timer can wait,
 * about 24.8 days (2^31 - 1 ms, setTimeout's limit): the driver takes 0 as "use the pool's". The
 * driver reads it from the query's config, which its types leave out.
 */
function untimed(text: string, values?: unknown[]): pg.QueryConfig & { readonly query_timeout: number } {
  return { text, ...(values === undefined ? {} : { values }), query_timeout: 2_147_483_647 };
}
