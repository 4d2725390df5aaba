/**
 * Read models in their own SQLite file (never the event store's): WAL and synchronous=FULL like
 * the store, so a checkpoint that committed survives a power cut together with its rows.
 */
import Database from 'better-sqlite3';
import { ProjectionError } from '../errors.js';
import {
  READ_MODEL_SCHEMA_FINGERPRINT,
  SHADOW_PREFIX,
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
  type TableChanges,
} from './dialect.js';
import { startBackgroundWriter, type BackgroundWriter } from './sqlite-background-writer.js';
import { describeHolder, holdLockFile } from './sqlite-lock-file.js';

/**
 * Rows per multi-row INSERT or upsert, in rows. 100 rows of the widest table (22 columns) bind
 * 2,200 parameters, far below SQLite's 32,766 (SQLITE_MAX_VARIABLE_NUMBER since 3.32); 20 and
 * 500 measured the same here: past a few rows per call, SQLite's own B-tree work dominates.
 */
const ROWS_PER_STATEMENT = 100;

/** `PRAGMA synchronous` value for FULL. */
const SYNCHRONOUS_FULL = 2;

export interface SqliteReadModelOptions {
  /** Database file of the read models; created if missing. */
  readonly path: string;
  /** How long a writer waits for another process's write lock, in milliseconds. Default 5,000, as the store. */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's page cache of this connection, in KiB. Default: SQLite's as built, 16,000 KiB in
   * better-sqlite3, for the queries a server answers.
   */
  readonly pageCacheKib?: number;
}

/**
 * The SQLite schema a table set lives in. Verify's shadow set (`vf_`) lives in `temp`, the
 * connection's private temporary database: a file SQLite makes under the temp directory (TMPDIR)
 * and deletes when the connection closes (or at once, on Unix), never the read-model file. An
 * auditor's verify so leaves the audited files byte for byte as they were; and `temp` is searched
 * first for unqualified names, so a `vf_` set an older build left in `main` is never read instead.
 */
function schemaOf(prefix: TableSetPrefix): 'main' | 'temp' {
  return prefix === SHADOW_PREFIX ? 'temp' : 'main';
}

function createIndexSql(prefix: TableSetPrefix, table: TableSpec, suffix: string): string[] {
  return table.indexes.map(
    (columnsOfIndex, index) =>
      `CREATE INDEX ${schemaOf(prefix)}.${prefix}${table.name}_${index}_${suffix} ON ${prefix}${table.name} (${columnsOfIndex.join(', ')})`,
  );
}

function createTableSql(prefix: TableSetPrefix, table: TableSpec): string[] {
  const columns = Object.entries(table.columns).map(
    ([name, type]) => `${name} ${type === 'int' ? 'INTEGER' : 'TEXT'}`,
  );
  const statements = [
    `CREATE TABLE ${schemaOf(prefix)}.${prefix}${table.name} (${columns.join(', ')}, PRIMARY KEY (${table.key.join(', ')})) WITHOUT ROWID`,
  ];
  return statements;
}

/** Opens (or creates) the read-model database at `options.path`. */
// eslint-disable-next-line max-lines-per-function -- not yet split: a factory closing over one open connection and its prepared statements; its seam is a class per concern, a follow-up
export function openSqliteReadModels(options: SqliteReadModelOptions): ReadModelDatabase {
  const db = new Database(options.path);
  const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? 5000);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  if (options.pageCacheKib !== undefined) db.pragma(`cache_size = -${Math.trunc(options.pageCacheKib)}`);
  let journalMode: unknown;
  try {
    journalMode = db.pragma('journal_mode = WAL', { simple: true });
  } catch (error) {
    // The first statement that reads the file: "file is not a database" surfaces here.
    db.close();
    throw error;
  }
  if (journalMode !== 'wal') {
    db.close();
    throw new Error(`SQLite at ${options.path} refused WAL mode (got ${String(journalMode)})`);
  }
  db.pragma('synchronous = FULL');
  if (db.pragma('synchronous', { simple: true }) !== SYNCHRONOUS_FULL) {
    db.close();
    throw new Error(`SQLite at ${options.path} does not run at synchronous=FULL`);
  }
  /** The background writer while one runs: this connection reads what it wrote only after it did. */
  let background: BackgroundWriter | undefined;
  const settle = (): void => background?.settleSync();
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const exists = (prefix: TableSetPrefix, name: string): boolean =>
    db
      .prepare(`SELECT 1 FROM ${schemaOf(prefix)}.sqlite_schema WHERE type = 'table' AND name = ?`)
      .get(`${prefix}${name}`) !== undefined;
  const selectByKey = (prefix: TableSetPrefix, table: TableSpec): Database.Statement => {
    assertPrefix(prefix);
    const where = table.key.map((column) => `${column} = ?`).join(' AND ');
    return prepare(`SELECT * FROM ${prefix}${table.name} WHERE ${where}`);
  };
  /** One row's values in column order, written into `values` (a statement's parameters) from `at`. */
  const putValues = (values: unknown[], at: number, columns: readonly string[], row: Row): void => {
    for (let index = 0; index < columns.length; index += 1) values[at + index] = row[columns[index]!] ?? null;
  };
  /**
   * Writes rows with multi-row statements of ROWS_PER_STATEMENT rows, so one call into SQLite
   * carries many rows; the remainder goes one row at a time through a cached statement. Plain
   * INSERTs when the caller knows every row is new, upserts otherwise.
   */
  const writeRows = (
    prefix: TableSetPrefix,
    table: TableSpec,
    rows: readonly Row[],
    insertOnly: boolean,
  ): void => {
    const columns = Object.keys(table.columns);
    const head = `INSERT INTO ${prefix}${table.name} (${columns.join(', ')}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const tail = insertOnly ? '' : ` ${upsertTail(table)}`;
    let start = 0;
    if (rows.length >= ROWS_PER_STATEMENT) {
      const many = prepare(head + new Array<string>(ROWS_PER_STATEMENT).fill(tuple).join(', ') + tail);
      // One parameter array for every statement: each run overwrites all of it.
      const values = new Array<unknown>(ROWS_PER_STATEMENT * columns.length);
      for (; start + ROWS_PER_STATEMENT <= rows.length; start += ROWS_PER_STATEMENT) {
        for (let index = 0; index < ROWS_PER_STATEMENT; index += 1) {
          putValues(values, index * columns.length, columns, rows[start + index] as Row);
        }
        many.run(values);
      }
    }
    const one = prepare(head + tuple + tail);
    const values = new Array<unknown>(columns.length);
    for (let index = start; index < rows.length; index += 1) {
      putValues(values, 0, columns, rows[index] as Row);
      one.run(values);
    }
  };

  const commit = db.transaction(
    (
      prefix: TableSetPrefix,
      changes: readonly TableChanges[],
      from: bigint,
      to: bigint,
      insertOnly: boolean,
      // eslint-disable-next-line max-params -- mirrors the port's commit(prefix, changes, from, to, options) as one SQLite transaction
    ) => {
      const moved = prepare(`UPDATE ${prefix}${CHECKPOINT_TABLE} SET position = ? WHERE position = ?`).run(
        to.toString(),
        from.toString(),
      );
      if (moved.changes !== 1) {
        throw new ProjectionError(
          'PROJECTION_CHECKPOINT_CONFLICT',
          `checkpoint of ${prefix} is no longer ${from}: another projector or a rebuild moved it`,
        );
      }
      for (const { table, rows } of changes) writeRows(prefix, table, rows, insertOnly);
    },
  );

  const inMemory =
    options.path === '' || options.path === ':memory:' || options.path.startsWith('file::memory:');
  return {
    engine: 'sqlite',

    // Beside the database file: `projections.sqlite.rebuild.lock`.
    ...(inMemory
      ? {}
      : {
          lockRebuild: async (): Promise<RebuildLock> => {
            const lock = holdLockFile(`${options.path}.rebuild.lock`);
            return lock.held
              ? { held: true, release: async () => lock.release() }
              : { held: false, holder: describeHolder(lock.holder) };
          },
        }),

    async ensureTableSet(prefix, options = {}) {
      settle();
      assertPrefix(prefix);
      db.transaction(() => {
        if (exists(prefix, CHECKPOINT_TABLE)) return;
        const schema = schemaOf(prefix);
        const suffix = generationSuffix();
        for (const table of TABLES) {
          for (const sql of createTableSql(prefix, table)) db.exec(sql);
          if (options.secondaryIndexes !== false)
            for (const sql of createIndexSql(prefix, table, suffix)) db.exec(sql);
        }
        db.exec(
          `CREATE TABLE ${schema}.${prefix}${CHECKPOINT_TABLE} (position TEXT NOT NULL); INSERT INTO ${schema}.${prefix}${CHECKPOINT_TABLE} VALUES ('0')`,
        );
        db.exec(`DROP TABLE IF EXISTS ${schema}.${prefix}${SCHEMA_TABLE}`);
        db.exec(`CREATE TABLE ${schema}.${prefix}${SCHEMA_TABLE} (fingerprint TEXT NOT NULL)`);
        db.prepare(`INSERT INTO ${schema}.${prefix}${SCHEMA_TABLE} VALUES (?)`).run(
          READ_MODEL_SCHEMA_FINGERPRINT,
        );
      }).immediate();
    },

    async createSecondaryIndexes(prefix, options = {}) {
      settle();
      assertPrefix(prefix);
      const suffix = generationSuffix();
      // One transaction per table: the set is not live until swapped in, so nobody sees it with
      // some of its indexes, and between two tables the caller may stop (a dropped set takes its
      // indexes with it).
      for (const table of TABLES) {
        await options.beforeTable?.();
        db.transaction(() => {
          for (const sql of createIndexSql(prefix, table, suffix)) db.exec(sql);
        }).immediate();
      }
    },

    async dropTableSet(prefix) {
      settle();
      assertPrefix(prefix);
      const schema = schemaOf(prefix);
      db.transaction(() => {
        for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${schema}.${prefix}${table.name}`);
        db.exec(`DROP TABLE IF EXISTS ${schema}.${prefix}${CHECKPOINT_TABLE}`);
        db.exec(`DROP TABLE IF EXISTS ${schema}.${prefix}${SCHEMA_TABLE}`);
      }).immediate();
      statements.clear();
    },

    async loadRows(prefix, table, keys) {
      settle();
      // One indexed point lookup per key: better-sqlite3 runs them synchronously at a few
      // microseconds each, cheaper than shipping the key list as JSON and joining it.
      const select = selectByKey(prefix, table);
      const rows: Row[] = [];
      for (const key of keys) {
        const row = select.get(...key) as Row | undefined;
        if (row !== undefined) rows.push(row);
      }
      return rows;
    },

    // No wait for the background writer: the bulk loader that runs it keeps the rows of the
    // commit in flight in memory and looks up only rows committed before it (`WorkingSet.leaving`).
    loadRowSync(prefix, table, key) {
      return selectByKey(prefix, table).get(...key) as Row | undefined;
    },

    async readSchemaFingerprint(prefix) {
      settle();
      assertPrefix(prefix);
      if (!exists(prefix, CHECKPOINT_TABLE)) return undefined;
      if (!exists(prefix, SCHEMA_TABLE)) return null;
      const row = db.prepare(`SELECT fingerprint FROM ${prefix}${SCHEMA_TABLE}`).get() as
        { fingerprint: string } | undefined;
      return row?.fingerprint ?? null;
    },

    async readCheckpoint(prefix) {
      settle();
      assertPrefix(prefix);
      const row = prepare(`SELECT position FROM ${prefix}${CHECKPOINT_TABLE}`).get() as
        { position: string } | undefined;
      if (row === undefined) throw new Error(`table set ${prefix} has no checkpoint row`);
      return BigInt(row.position);
    },

    // eslint-disable-next-line max-params -- the ReadModelDatabase port's commit(prefix, changes, from, to, options); one object there changes both dialects and the applier, a follow-up
    async commit(prefix, changes, from, to, options = {}) {
      settle();
      assertPrefix(prefix);
      commit.immediate(prefix, changes, from, to, options.insertOnly === true);
    },

    async swapTableSet(source, target) {
      settle();
      assertPrefix(source);
      assertPrefix(target);
      db.transaction(() => {
        for (const name of [...TABLES.map((table) => table.name), CHECKPOINT_TABLE, SCHEMA_TABLE]) {
          db.exec(`DROP TABLE IF EXISTS ${target}${name}`);
          db.exec(`ALTER TABLE ${source}${name} RENAME TO ${target}${name}`);
        }
      }).immediate();
      // Statements prepared against the old tables would be re-prepared by SQLite anyway; start clean.
      statements.clear();
    },

    async query(sql, params = []) {
      settle();
      return prepare(sql).all(...params) as Row[];
    },

    startBackgroundWriter() {
      if (background !== undefined)
        throw new Error(`a background writer of ${options.path} is already running`);
      const writer = startBackgroundWriter(options.path, busyTimeoutMs);
      background = writer;
      return {
        ...writer,
        close: async () => {
          await writer.close();
          if (background === writer) background = undefined;
        },
      };
    },

    async close() {
      await background?.close();
      background = undefined;
      db.close();
    },
  };
}
