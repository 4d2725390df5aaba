/**
 * Read models in PostgreSQL, in the same schema as the event store (their tables carry a prefix).
 * Changed rows go up in one `INSERT … SELECT FROM unnest(…)` per table and chunk, so a batch of
 * thousands of events costs a handful of round trips, not one per row.
 */
import type pg from 'pg';
import { EventStoreError } from '@timebank/event-store';
import { ProjectionError } from '../errors.js';
import {
  READ_MODEL_SCHEMA_FINGERPRINT,
  TABLES,
  type Row,
  type TableSetPrefix,
  type TableSpec,
} from '../tables.js';
import {
  CHECKPOINT_TABLE,
  SCHEMA_TABLE,
  assertPrefix,
  generationSuffix,
  upsertTail,
  type ReadModelDatabase,
  type RebuildLock,
} from './dialect.js';

export interface PostgresReadModelOptions {
  readonly connectionString: string;
  /** Schema of the read-model tables; created if missing. Lower-case identifier. */
  readonly schema: string;
  /** Connections in the read models' own pool. Default 4: one writer (the projector) plus queries. */
  readonly poolSizeMax?: number;
  /**
   * Opening a connection, or waiting for a pooled one, in milliseconds. Default 10,000, the event
   * store's: a server that accepts the connection and never answers otherwise held every caller for ever.
   */
  readonly connectTimeoutMilliseconds?: number;
  /**
   * Longest one statement may run, in milliseconds; 0 for no limit (a rebuild's index builds over
   * millions of rows). Default 30,000, the event store's: a query still running after 30 s waits on
   * a lock or a server that stopped answering. The driver gives up `QUERY_TIMEOUT_MARGIN_MILLISECONDS`
   * after the server should have cancelled it, for a network partition.
   */
  readonly statementTimeoutMilliseconds?: number;
  /**
   * Makes each connection's socket, when the caller negotiates TLS itself: libpq's `sslmode=prefer`
   * and `allow`, which the driver lacks (the event store's `driverConnection` gives it, with the
   * `connectionString` to use beside it).
   */
  readonly stream?: pg.ClientConfig['stream'];
}

/** As the event store's adapter (its client-settings.ts), which this library may not import. */
const QUERY_TIMEOUT_MARGIN_MILLISECONDS = 5000;
/** Idle time before TCP keepalive probes, in milliseconds; as the event store's adapter. */
const KEEPALIVE_INITIAL_DELAY_MILLISECONDS = 10_000;

/** The driver's timeout settings; see the options above. */
function timeoutSettings(options: PostgresReadModelOptions): pg.PoolConfig {
  const statement = options.statementTimeoutMilliseconds ?? 30_000;
  return {
    connectionTimeoutMillis: options.connectTimeoutMilliseconds ?? 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MILLISECONDS,
    // As the event store's: a session idle inside a transaction that long has lost its client.
    ...(statement > 0
      ? {
          statement_timeout: statement,
          query_timeout: statement + QUERY_TIMEOUT_MARGIN_MILLISECONDS,
          idle_in_transaction_session_timeout: statement,
        }
      : {}),
  };
}

/** SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P operator intervention, 53300 too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08|57P|53300$|57014$)/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/** The driver's `query_timeout` fired: the connection still runs the statement and must be discarded. */
function isQueryReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/**
 * A read-model query that could not reach PostgreSQL, or ran out of time (a statement timeout,
 * 57014, or the driver's query timeout), is the port's `STORE_UNAVAILABLE`, which the API answers
 * 503 as for the event store: the read models live in the same server. Anything else is returned as it is.
 */
function asUnavailable(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof EventStoreError) return error;
  const code = (error as { code?: unknown }).code;
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) ||
    isQueryReadTimeout(error) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
      error.message,
    );
  return unavailable
    ? new EventStoreError('STORE_UNAVAILABLE', `PostgreSQL read models are unavailable: ${error.message}`)
    : error;
}

/**
 * The driver's `query_timeout` replaced by the longest a timer can wait, about 24.8 days
 * (2^31 - 1 ms): the driver takes 0 as "use the pool's". It reads it from the query's config,
 * which its types leave out.
 */
function untimed(text: string): pg.QueryConfig & { readonly query_timeout: number } {
  return { text, query_timeout: 2_147_483_647 };
}

function rethrowAsUnavailable(error: unknown): never {
  throw asUnavailable(error);
}

/** Rows per upsert statement, in rows. 5,000 keeps one bind message a few hundred KiB. */
const UPSERT_CHUNK_ROWS = 5000;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
/** OIDs of int8 and numeric: amounts are safe integers, so they come back as numbers, not strings. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

function parseWhole(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`read-model number ${text} is not a safe integer`);
  return value;
}

const sqlType = (type: 'text' | 'int'): string => (type === 'int' ? 'int8' : 'text');

function createIndexSql(prefix: TableSetPrefix, table: TableSpec, suffix: string): string[] {
  return table.indexes.map(
    (columnsOfIndex, index) =>
      `CREATE INDEX ${prefix}${table.name}_${index}_${suffix} ON ${prefix}${table.name} (${columnsOfIndex.join(', ')})`,
  );
}

function createTableSql(prefix: TableSetPrefix, table: TableSpec, suffix: string): string[] {
  // Keys compare in byte order (COLLATE "C"), as in SQLite and in JavaScript, so verify's
  // merge-join of two sorted tables sees the same order on both engines.
  const columns = Object.entries(table.columns).map(
    ([name, type]) => `${name} ${type === 'int' ? 'int8' : 'text COLLATE "C"'}`,
  );
  const statements = [
    `CREATE TABLE ${prefix}${table.name} (${columns.join(', ')}, CONSTRAINT ${prefix}${table.name}_pk_${suffix} PRIMARY KEY (${table.key.join(', ')}))`,
  ];
  return statements;
}

/** `?` placeholders (the queries are shared with SQLite) become `$1`, `$2`, …. */
function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${(index += 1)}`);
}

async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The server ending the session between statements makes the driver emit 'error', which unheard
  // would crash the process; the next statement fails instead.
  const onError = (error: Error): void => void (broken ??= error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // After the driver's own timeout the connection still runs the statement, and a ROLLBACK
    // would queue behind it: discard the connection instead (the server then rolls back).
    if (isQueryReadTimeout(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * The connection settings that put the read models' unqualified tables in `schema`: its
 * search_path as a startup option. The driver lets a connection string's own `options` parameter
 * replace the `options` given beside it, so a POSTGRES_URL carrying
 * `?options=-c statement_timeout=…` used to put every read-model table in `public`, shared by all
 * the ledgers on that database. The search_path is added after the URL's own options instead
 * (the last `-c` of a setting wins, so a search_path in the URL cannot move the tables either).
 */
export function withSearchPath(
  connectionString: string,
  schema: string,
): { connectionString: string; options?: string } {
  const searchPath = `-c search_path=${schema}`;
  const queryAt = connectionString.indexOf('?');
  if (queryAt < 0) return { connectionString, options: searchPath };
  const query = new URLSearchParams(connectionString.slice(queryAt + 1));
  const own = query.get('options');
  if (own === null) return { connectionString, options: searchPath };
  query.set('options', own.trim() === '' ? searchPath : `${own} ${searchPath}`);
  return { connectionString: `${connectionString.slice(0, queryAt)}?${query.toString()}` };
}

// eslint-disable-next-line max-lines-per-function -- not yet split: a factory closing over one open connection and its prepared statements; its seam is a class per concern, a follow-up
export async function openPostgresReadModels(options: PostgresReadModelOptions): Promise<ReadModelDatabase> {
  if (!SCHEMA_PATTERN.test(options.schema)) {
    throw new ProjectionError(
      'PROJECTION_INVALID_ARGUMENT',
      `schema ${JSON.stringify(options.schema)} must match ${String(SCHEMA_PATTERN)}`,
    );
  }
  // Imported here, not at the top: the package's SQLite users (the projector thread among them)
  // would otherwise load the driver too, about 11 MiB resident per thread (measured).
  const { default: driver } = await import('pg');
  const schema = driver.escapeIdentifier(options.schema);
  const pool = new driver.Pool({
    ...withSearchPath(options.connectionString, options.schema),
    max: options.poolSizeMax ?? 4,
    application_name: 'timebank-projections',
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    ...timeoutSettings(options),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? parseWhole
          : (driver.types.getTypeParser(oid, format ?? 'text') as unknown)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => undefined);
  // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
  // schema exists, which a role that owns its schema need not have.
  const present = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [options.schema]);
  if (present.rowCount === 0) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const tableExists = async (client: pg.ClientBase, name: string): Promise<boolean> => {
    const result = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      `${options.schema}.${name}`,
    ]);
    return (result.rows[0] as { present: boolean }).present;
  };

  return {
    engine: 'postgres',

    // A session-level advisory lock on a connection kept for the rebuild: the server drops it if
    // the process dies. Who holds it is the backend's application name and pid.
    async lockRebuild(): Promise<RebuildLock> {
      const key = `${options.schema}.rebuild`;
      const client = await pool.connect();
      try {
        const taken = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS taken', [key]);
        if ((taken.rows[0] as { taken: boolean }).taken) {
          return {
            held: true,
            release: async () => {
              try {
                await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
                client.release();
              } catch (error) {
                client.release(error as Error);
              }
            },
          };
        }
        // Who holds it, if this role may see: best effort, the refusal is what counts.
        const holder = await client
          .query(
            `SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.objid = hashtext($1)::oid AND l.granted LIMIT 1`,
            [key],
          )
          .catch(() => ({ rows: [] }));
        client.release();
        const row = holder.rows[0] as { pid: number; application_name: string } | undefined;
        return {
          held: false,
          holder:
            row === undefined ? 'another process' : `PostgreSQL backend ${row.pid} (${row.application_name})`,
        };
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    },

    async ensureTableSet(prefix, create = {}) {
      assertPrefix(prefix);
      await inTransaction(pool, async (client) => {
        // Two processes creating the same set at once serialise here instead of colliding.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${options.schema}.${prefix}`]);
        if (await tableExists(client, `${prefix}${CHECKPOINT_TABLE}`)) return;
        const suffix = generationSuffix();
        for (const table of TABLES) {
          for (const sql of createTableSql(prefix, table, suffix)) await client.query(sql);
          if (create.secondaryIndexes !== false) {
            for (const sql of createIndexSql(prefix, table, suffix)) await client.query(sql);
          }
        }
        await client.query(`CREATE TABLE ${prefix}${CHECKPOINT_TABLE} (position text NOT NULL)`);
        await client.query(`INSERT INTO ${prefix}${CHECKPOINT_TABLE} VALUES ('0')`);
        await client.query(`DROP TABLE IF EXISTS ${prefix}${SCHEMA_TABLE}`);
        await client.query(`CREATE TABLE ${prefix}${SCHEMA_TABLE} (fingerprint text NOT NULL)`);
        await client.query(`INSERT INTO ${prefix}${SCHEMA_TABLE} VALUES ($1)`, [
          READ_MODEL_SCHEMA_FINGERPRINT,
        ]);
      });
    },

    async createSecondaryIndexes(prefix, options = {}) {
      assertPrefix(prefix);
      const suffix = generationSuffix();
      // A rebuild's last step, also run by the server at start-up when its read models are from
      // another build: indexing tables of millions of rows can rightly take minutes, so no
      // statement timeout here (a timeout would fail every start-up of a large ledger).
      await inTransaction(pool, async (client) => {
        await client.query(
          'SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0',
        );
        for (const table of TABLES) {
          // A throw here (Ctrl-C) rolls back the indexes built so far with the transaction.
          await options.beforeTable?.();
          for (const sql of createIndexSql(prefix, table, suffix)) await client.query(untimed(sql));
        }
      });
    },

    async dropTableSet(prefix) {
      assertPrefix(prefix);
      const names = [...TABLES.map((table) => table.name), CHECKPOINT_TABLE, SCHEMA_TABLE].map(
        (name) => prefix + name,
      );
      await pool.query(`DROP TABLE IF EXISTS ${names.join(', ')}`);
    },

    async loadRows(prefix, table, keys) {
      if (keys.length === 0) return [];
      const arrays = table.key.map((_, part) => keys.map((key) => key[part]));
      const join = table.key.map((column, part) => `t.${column} = k.p${part}`).join(' AND ');
      const unnest = table.key.map((_, part) => `$${part + 1}::text[]`).join(', ');
      const aliases = table.key.map((_, part) => `p${part}`).join(', ');
      const result = await pool
        .query(
          `SELECT t.* FROM ${prefix}${table.name} t JOIN unnest(${unnest}) AS k(${aliases}) ON ${join}`,
          arrays,
        )
        .catch(rethrowAsUnavailable);
      return result.rows as Row[];
    },

    async readSchemaFingerprint(prefix) {
      assertPrefix(prefix);
      const client = await pool.connect();
      try {
        if (!(await tableExists(client, `${prefix}${CHECKPOINT_TABLE}`))) return undefined;
        if (!(await tableExists(client, `${prefix}${SCHEMA_TABLE}`))) return null;
        const result = await client.query(`SELECT fingerprint FROM ${prefix}${SCHEMA_TABLE}`);
        return (result.rows[0] as { fingerprint: string } | undefined)?.fingerprint ?? null;
      } finally {
        client.release();
      }
    },

    async readCheckpoint(prefix) {
      assertPrefix(prefix);
      const result = await pool
        .query(`SELECT position FROM ${prefix}${CHECKPOINT_TABLE}`)
        .catch(rethrowAsUnavailable);
      const row = result.rows[0] as { position: string } | undefined;
      if (row === undefined) throw new Error(`table set ${prefix} has no checkpoint row`);
      return BigInt(row.position);
    },

    // eslint-disable-next-line max-params -- the ReadModelDatabase port's commit(prefix, changes, from, to, options); one object there changes both dialects and the applier, a follow-up
    async commit(prefix, changes, from, to, commitOptions = {}) {
      assertPrefix(prefix);
      await inTransaction(pool, async (client) => {
        const moved = await client.query(
          `UPDATE ${prefix}${CHECKPOINT_TABLE} SET position = $1 WHERE position = $2`,
          [to.toString(), from.toString()],
        );
        if (moved.rowCount !== 1) {
          throw new ProjectionError(
            'PROJECTION_CHECKPOINT_CONFLICT',
            `checkpoint of ${prefix} is no longer ${from}: another projector or a rebuild moved it`,
          );
        }
        for (const { table, rows } of changes) {
          const columns = Object.entries(table.columns);
          const unnest = columns.map(([, type], index) => `$${index + 1}::${sqlType(type)}[]`).join(', ');
          const tail = commitOptions.insertOnly === true ? '' : ` ${upsertTail(table)}`;
          const sql = `INSERT INTO ${prefix}${table.name} (${columns.map(([name]) => name).join(', ')}) SELECT * FROM unnest(${unnest})${tail}`;
          for (let start = 0; start < rows.length; start += UPSERT_CHUNK_ROWS) {
            const chunk = rows.slice(start, start + UPSERT_CHUNK_ROWS);
            await client.query(
              sql,
              columns.map(([name]) => chunk.map((row) => row[name] ?? null)),
            );
          }
        }
      });
    },

    async swapTableSet(source, target) {
      assertPrefix(source);
      assertPrefix(target);
      // A rebuild's last step, after its index build: dropping the live tables waits for every
      // transaction that reads them (another process's long query, a projector's commit), so no
      // statement timeout here either, as for the index build and `pnpm ledger rebuild`: a
      // cancelled swap failed the whole rebuild, and with it the server's start-up, after the work.
      await inTransaction(pool, async (client) => {
        await client.query(
          'SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0',
        );
        for (const name of [...TABLES.map((table) => table.name), CHECKPOINT_TABLE, SCHEMA_TABLE]) {
          await client.query(untimed(`DROP TABLE IF EXISTS ${target}${name}`));
          await client.query(untimed(`ALTER TABLE ${source}${name} RENAME TO ${target}${name}`));
        }
      });
    },

    async query(sql, params = []) {
      const result = await pool.query(numberPlaceholders(sql), [...params]).catch(rethrowAsUnavailable);
      return result.rows as Row[];
    },

    async close() {
      await pool.end();
    },
  };
}
