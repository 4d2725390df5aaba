/**
 * The personal-data key store on PostgreSQL: tables of its own (`personal_data_keys`,
 * `personal_registrations`) in the ledger's schema, never the events table, so that a key is
 * destroyed with a DELETE-like update while every event stays immutable. Claims use
 * `INSERT … ON CONFLICT DO NOTHING`, atomic across every API process.
 */
import type pg from 'pg';
import type { PersonalKeyStore, StoredDataKey } from '@timebank/application';
import type { PostgresTimeouts } from '@timebank/event-store-postgres';
import { reportingUnavailable } from './key-store-unavailable.js';

/** Same rule as the event store's schema names: a lower-case identifier, quoted in every statement. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The schema as SQL names it: quoted, so that a name PostgreSQL reserves (`user`, `order`,
 * `select`) is a schema like any other. Unquoted, such a schema got the event store's tables (which
 * are quoted) and then stopped the server with `syntax error at or near "user"`.
 */
function quotedSchema(schema: string): string {
  return `"${schema}"`;
}
/** Connections for key look-ups; each is short. Default 4. */
const POOL_CONNECTIONS_MAX = 4;

interface KeyRow {
  readonly wrapped_key: Buffer | null;
  readonly erased_at: string | null;
}

function storedOf(row: KeyRow | undefined): StoredDataKey | null {
  if (row === undefined) return null;
  if (row.wrapped_key === null) return { state: 'erased', erasedAt: row.erased_at ?? '' };
  return { state: 'active', wrappedKey: row.wrapped_key };
}

async function claim(
  tables: {
    readonly pool: pg.Pool;
    readonly keys: string;
    readonly registrations: string;
    readonly registrationOf: (nationalIdHash: string) => Promise<string | null>;
  },
  nationalIdHash: string,
  volunteerId: string,
  wrappedKey: Buffer,
): Promise<string> {
  const { pool, keys, registrations, registrationOf } = tables;
  let owner: string | undefined;
  await inTransaction(pool, async (client) => {
    const claimed = await client.query(
      `INSERT INTO ${registrations} (national_id_hash, volunteer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [nationalIdHash, volunteerId],
    );
    if (claimed.rowCount === 1) {
      await client.query(
        `INSERT INTO ${keys} (volunteer_id, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [volunteerId, wrappedKey],
      );
      owner = volunteerId;
    }
  });
  // Only an erasure between the insert and this read removes the row; then the claim starts over.
  return (
    owner ?? (await registrationOf(nationalIdHash)) ?? claim(tables, nationalIdHash, volunteerId, wrappedKey)
  );
}

/** The two single-row reads, by volunteer and by national-ID hash. */
function lookups(pool: pg.Pool, keys: string, registrations: string) {
  const keyOf = async (volunteerId: string): Promise<StoredDataKey | null> =>
    storedOf(
      (
        await pool.query<KeyRow>(`SELECT wrapped_key, erased_at FROM ${keys} WHERE volunteer_id = $1`, [
          volunteerId,
        ])
      ).rows[0],
    );
  const registrationOf = async (nationalIdHash: string): Promise<string | null> =>
    (
      await pool.query<{ volunteer_id: string }>(
        `SELECT volunteer_id FROM ${registrations} WHERE national_id_hash = $1`,
        [nationalIdHash],
      )
    ).rows[0]?.volunteer_id ?? null;
  return { keyOf, registrationOf };
}

function assertSchema(schema: string): void {
  if (!SCHEMA_PATTERN.test(schema))
    throw new Error(`schema ${JSON.stringify(schema)} must match ${String(SCHEMA_PATTERN)}`);
}

async function createTables(
  pool: pg.Pool,
  keys: string,
  registrations: string,
  schema: string,
): Promise<void> {
  // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
  // schema exists, which a role that owns its schema need not have.
  const present = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (present.rowCount === 0) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema(schema)}`);
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${keys} (
      volunteer_id text PRIMARY KEY,
      wrapped_key bytea,
      erased_at text
    );
    CREATE TABLE IF NOT EXISTS ${registrations} (
      national_id_hash text PRIMARY KEY,
      volunteer_id text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS personal_registrations_by_volunteer ON ${registrations} (volunteer_id);
  `);
}

async function inTransaction(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The server ending the session between statements makes the driver emit 'error', which unheard
  // would crash the process; the next statement fails instead.
  const onError = (error: Error): void => void (broken ??= error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    // After the driver's own query timeout the connection still runs the statement, and a
    // ROLLBACK would queue behind it: discard the connection (the server then rolls back).
    if (error instanceof Error && error.message === 'Query read timeout') broken = error;
    else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** The key store's pool, with the ledger's timeouts, and the adapter's test for an unreachable server. */
async function openPool(options: {
  readonly connectionString: string;
  readonly timeouts?: Partial<PostgresTimeouts>;
}): Promise<{ pool: pg.Pool; isTransientConnectionError: (error: unknown) => boolean }> {
  // Imported only here, so that a SQLite server's threads never load the driver (see open-event-store.ts).
  const { default: driver } = await import('pg');
  const { clientSettings, driverConnection, isTransientConnectionError } =
    await import('@timebank/event-store-postgres');
  const pool = new driver.Pool({
    ...driverConnection(options.connectionString),
    max: POOL_CONNECTIONS_MAX,
    application_name: 'timebank-personal-keys',
    ...clientSettings(options.timeouts ?? {}),
  });
  return { pool, isTransientConnectionError };
}

export async function openPostgresKeyStore(options: {
  readonly connectionString: string;
  readonly schema: string;
  /** The store's timeouts (see StoreConfig); default the event store's. */
  readonly timeouts?: Partial<PostgresTimeouts>;
}): Promise<PersonalKeyStore> {
  const { schema } = options;
  assertSchema(schema);
  const { pool, isTransientConnectionError } = await openPool(options);
  // An idle pooled client whose backend dies (PostgreSQL restarted, a failover, a network cut)
  // emits 'error' on the pool; unhandled, it would crash the server. The pool discards that
  // client by itself and the next look-up connects afresh.
  pool.on('error', () => undefined);
  const keys = `${quotedSchema(schema)}.personal_data_keys`;
  const registrations = `${quotedSchema(schema)}.personal_registrations`;
  await createTables(pool, keys, registrations, schema).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  const { keyOf, registrationOf } = lookups(pool, keys, registrations);

  const claimRegistration = (nationalIdHash: string, volunteerId: string, wrappedKey: Buffer) =>
    claim({ pool, keys, registrations, registrationOf }, nationalIdHash, volunteerId, wrappedKey);

  return reportingUnavailable(
    {
      async insertDataKey(volunteerId, wrappedKey) {
        await pool.query(
          `INSERT INTO ${keys} (volunteer_id, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [volunteerId, wrappedKey],
        );
        const stored = await keyOf(volunteerId);
        if (stored === null) throw new Error(`data key of ${volunteerId} vanished after insertion`);
        return stored;
      },
      dataKey: keyOf,
      erase: (volunteerId, erasedAt) =>
        inTransaction(pool, async (client) => {
          await client.query(
            `INSERT INTO ${keys} (volunteer_id, wrapped_key, erased_at) VALUES ($1, NULL, $2)
           ON CONFLICT (volunteer_id) DO UPDATE SET wrapped_key = NULL, erased_at = excluded.erased_at
           WHERE ${keys}.wrapped_key IS NOT NULL`,
            [volunteerId, erasedAt],
          );
          await client.query(`DELETE FROM ${registrations} WHERE volunteer_id = $1`, [volunteerId]);
        }),
      claimRegistration,
      findRegistration: registrationOf,
      async anyActiveDataKey() {
        const { rows } = await pool.query<{ volunteer_id: string; wrapped_key: Buffer }>(
          `SELECT volunteer_id, wrapped_key FROM ${keys} WHERE wrapped_key IS NOT NULL LIMIT 1`,
        );
        const row = rows[0];
        return row === undefined ? null : { volunteerId: row.volunteer_id, wrappedKey: row.wrapped_key };
      },
      async activeDataKeys() {
        const { rows } = await pool.query<{ volunteer_id: string; wrapped_key: Buffer }>(
          `SELECT volunteer_id, wrapped_key FROM ${keys} WHERE wrapped_key IS NOT NULL ORDER BY volunteer_id`,
        );
        return rows.map((row) => ({ volunteerId: row.volunteer_id, wrappedKey: row.wrapped_key }));
      },
      replaceWrappedKeys: (replacements) =>
        inTransaction(pool, async (client) => {
          for (const key of replacements) {
            await client.query(
              `UPDATE ${keys} SET wrapped_key = $1 WHERE volunteer_id = $2 AND wrapped_key IS NOT NULL`,
              [key.wrappedKey, key.volunteerId],
            );
          }
        }),
      close: () => pool.end(),
    },
    isTransientConnectionError,
  );
}
