/**
 * Command-line parsing for `pnpm ledger`: long-form flags only, environment as fallback
 * (the same variable names as the API), and a usage error that says what to type instead.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_DATA_DIR,
  postgresSchemaProblem,
  SCAN_PAGE_CACHE_KIB,
  type StoreConfig,
} from '@timebank/ledger-opener';
import { ProjectionError } from '@timebank/projections';

export const USAGE = `Usage: pnpm ledger <command> [options]

Commands:
  rebuild                 rebuild every read model from the events into fresh tables, then swap them in
  verify                  check every stream's hash chain and event schema, replay into shadow tables
                          and diff them against the live read models, check that Σ balances = 0
  verify --bundle <dir>   check an export offline, without any database
  export --out <dir>      write every event as NDJSON with its hash, plus manifest.json
  backup --out <dir>      copy the SQLite data directory online (while the server writes) into a
                          new or empty directory, with backup-manifest.json (sizes, SHA-256)
  restore --from <dir> --data-dir <dir> [--erasure-list <file>]
                          check a backup against its manifest, restore it into a new or empty data
                          directory, re-apply the erasure list, then verify the restored ledger
  migrate --from <dir> --data-dir <dir>
                          copy a ledger written before personal fields were sealed into a new
                          store in a new or empty directory, sealing them (SQLite only; stop the
                          API first; docs/privacy.md), then verify the new store
  tick                    run one sweep of the ledger's clock: expire the holds that are due, heal
                          interrupted transfers and donations (the API does this every second)
  due                     list the due items (hold expiries) that are overdue and those coming next
  erase-due               erase the personal data of volunteers deactivated more than
                          LEDGER_RETENTION_DAYS (default 1095) days ago
  rotate-master-key       re-wrap every data key under LEDGER_NEW_MASTER_KEY (stop the API first)
  export-records --period YYYY-MM [--out <dir>] [--format csv|json|both]
                          write the month's volunteers, confirmed service, training, commendations
                          and evaluations for the national volunteer platform (docs/interchange.md)
                          as records-YYYY-MM.csv (UTF-8 with BOM) and/or .json (default: both, in .)
  import-records <file.csv|file.json> [--report <file>]
                          import volunteers registered on the platform and records kept there,
                          idempotent by source record id; rejected rows and why go to the report
                          (default <file>.report.json)
  help                    show this text

Store options (flags win over the environment):
  --store sqlite|postgres|esdb  engine (env LEDGER_STORE; default sqlite)
  --data-dir <dir>            SQLite directory; with esdb where the read models live; with
                              postgres the API's LEDGER_DATA_DIR, where master.key and the
                              erasure list are (env LEDGER_DATA_DIR; default ./data)
  --postgres-url <url>        PostgreSQL URL (env POSTGRES_URL; required with --store postgres)
  --postgres-schema <name>    PostgreSQL schema (env POSTGRES_SCHEMA; default ledger)
  --esdb-url <url>            EventStoreDB / KurrentDB URL, esdb:// or kurrentdb://
                              (env ESDB_URL; required with --store esdb)

Backup, restore and migrate options (SQLite only; for PostgreSQL see docs/operations.md):
  --from <dir>                the backup to restore, or the old data directory to migrate
  --erasure-list <file>       the live erasures.jsonl (kept outside the backups), re-applied on restore

Other options:
  --json                      print the report as JSON on stdout
  --quiet                     no progress on stderr
  --help                      show this text

Exit status: 0 all good, 1 verification found problems (or a backup does not match its
manifest; import-records: some rows were rejected, the good rows stand), 2 usage error or
refused input (nothing written), 3 the command failed, 130, 143, 129 stopped by Ctrl-C (SIGINT),
SIGTERM or SIGHUP (nothing half-written left behind).

Examples:
  pnpm ledger rebuild --data-dir ./data
  pnpm ledger verify --store postgres --postgres-url postgres://postgres@127.0.0.1:5432/test
  pnpm ledger verify --store esdb --esdb-url 'esdb://127.0.0.1:2113?tls=false'
  pnpm ledger export --out ./audit-2026-03
  pnpm ledger verify --bundle ./audit-2026-03
  pnpm ledger backup --data-dir ./data --out /backups/ledger-2026-03-01
  pnpm ledger restore --from /backups/ledger-2026-03-01 --data-dir ./data-restored \\
    --erasure-list /secure/erasures.jsonl
  pnpm ledger migrate --from ./data --data-dir ./data-sealed
  pnpm ledger due --data-dir ./data
  pnpm ledger tick --data-dir ./data
  pnpm ledger export-records --period 2026-11 --out ./platform
  pnpm ledger import-records ./platform/from-platform.csv
`;

/** The store to open, and where SQLite read models live when the engine has no tables (esdb). */
export interface Backend {
  readonly store: StoreConfig;
  readonly readModelDataDir: string;
}

export type Command =
  | { readonly name: 'help' }
  | {
      readonly name: 'rebuild' | 'verify' | 'tick' | 'due';
      readonly backend: Backend;
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | {
      readonly name: 'erase-due' | 'rotate-master-key';
      readonly backend: Backend;
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | {
      readonly name: 'export';
      readonly backend: Backend;
      readonly out: string;
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | {
      readonly name: 'export-records';
      readonly backend: Backend;
      readonly period: string;
      readonly out: string;
      readonly format: 'csv' | 'json' | 'both';
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | {
      readonly name: 'import-records';
      readonly backend: Backend;
      readonly file: string;
      readonly report: string | undefined;
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | { readonly name: 'verify-bundle'; readonly bundle: string; readonly json: boolean }
  | {
      readonly name: 'backup';
      readonly dataDir: string;
      readonly out: string;
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | {
      readonly name: 'migrate';
      readonly from: string;
      readonly dataDir: string;
      readonly json: boolean;
      readonly quiet: boolean;
    }
  | {
      readonly name: 'restore';
      readonly from: string;
      readonly dataDir: string;
      readonly erasureList: string | undefined;
      readonly json: boolean;
      readonly quiet: boolean;
    };

const usageError = (message: string): ProjectionError =>
  new ProjectionError('PROJECTION_INVALID_ARGUMENT', `${message}\nRun 'pnpm ledger --help' for usage.`);

export function parseCommand(argv: readonly string[], environment: NodeJS.ProcessEnv): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals[0] === 'help' || argv.length === 0) return { name: 'help' };
  // Options typed without a command (`pnpm ledger --data-dir x`): a mistake, not a request for help.
  if (positionals.length === 0)
    throw usageError(`no command before ${argv.join(' ')}; name one, e.g. verify`);
  const command = positionals[0];
  const json = values.json === true;
  const quiet = values.quiet === true || json;
  if (command === 'import-records')
    return importRecordsCommand(positionals, values, environment, { json, quiet });
  if (values.report !== undefined) throw usageError('--report belongs to the import-records command');
  if (positionals.length > 1) throw usageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  if (command === 'export-records') return exportRecordsCommand(values, environment, { json, quiet });
  if (values.period !== undefined || values.format !== undefined)
    throw usageError('--period and --format belong to the export-records command');
  if (command === 'verify' && values.bundle !== undefined) {
    if (
      values.store !== undefined ||
      values['data-dir'] !== undefined ||
      values['postgres-url'] !== undefined ||
      values['esdb-url'] !== undefined
    ) {
      throw usageError('--bundle checks an export offline; it takes no store options');
    }
    return { name: 'verify-bundle', bundle: values.bundle, json };
  }
  if (values.bundle !== undefined) throw usageError('--bundle belongs to the verify command');
  if (command !== 'restore' && command !== 'migrate' && values.from !== undefined)
    throw usageError('--from belongs to the restore command and to migrate');
  if (command !== 'restore' && values['erasure-list'] !== undefined) {
    throw usageError('--erasure-list belongs to the restore command');
  }
  if (command === 'backup' || command === 'restore' || command === 'migrate')
    return backupCommand(command, values, environment);
  if (command === 'rebuild' || command === 'verify' || command === 'tick' || command === 'due') {
    if (values.out !== undefined) throw usageError(`--out belongs to the export and backup commands`);
    return { name: command, backend: backendOf(values, environment), json, quiet };
  }
  if (command === 'erase-due' || command === 'rotate-master-key') {
    if (values.out !== undefined) throw usageError(`--out belongs to the export and backup commands`);
    return { name: command, backend: backendOf(values, environment), json, quiet };
  }
  if (command === 'export') {
    if (values.out === undefined || values.out === '') throw usageError('export needs --out <dir>');
    return { name: 'export', backend: backendOf(values, environment), out: values.out, json, quiet };
  }
  throw usageError(`unknown command ${JSON.stringify(command)}`);
}

function parse(argv: readonly string[]) {
  const parsed = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      store: { type: 'string' },
      'data-dir': { type: 'string' },
      'postgres-url': { type: 'string' },
      'postgres-schema': { type: 'string' },
      'esdb-url': { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      'erasure-list': { type: 'string' },
      period: { type: 'string' },
      format: { type: 'string' },
      report: { type: 'string' },
      bundle: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  // parseArgs keeps the last of a repeated flag: `--out a --out b` would silently write to b.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (seen.has(token.name)) throw new Error(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  return parsed;
}

type Values = ReturnType<typeof parse>['values'];

/** An environment variable set to the empty string counts as unset. */
function fromEnvironment(environment: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = environment[name];
  return value === undefined || value === '' ? undefined : value;
}

function backendOf(values: Values, environment: NodeJS.ProcessEnv): Backend {
  const engine = values.store ?? fromEnvironment(environment, 'LEDGER_STORE') ?? 'sqlite';
  const dataDir = values['data-dir'] ?? fromEnvironment(environment, 'LEDGER_DATA_DIR') ?? DEFAULT_DATA_DIR;
  if (engine !== 'postgres' && values['postgres-url'] !== undefined) {
    throw usageError('--postgres-url needs --store postgres');
  }
  if (engine !== 'esdb' && values['esdb-url'] !== undefined)
    throw usageError('--esdb-url needs --store esdb');
  if (engine === 'sqlite') {
    // Every command here reads the history through once: a small page cache (SCAN_PAGE_CACHE_KIB).
    return { store: { engine, dataDir, pageCacheKib: SCAN_PAGE_CACHE_KIB }, readModelDataDir: dataDir };
  }
  if (engine === 'postgres') return { store: postgresStore(values, environment), readModelDataDir: dataDir };
  if (engine === 'esdb') {
    const url = values['esdb-url'] ?? fromEnvironment(environment, 'ESDB_URL');
    if (url === undefined)
      throw usageError('--store esdb needs --esdb-url esdb://… or kurrentdb://… (or ESDB_URL)');
    if (!/^(esdb|kurrentdb)(\+discover)?:\/\//.test(url)) {
      throw usageError('--esdb-url (or ESDB_URL) must start with esdb://… or kurrentdb://…');
    }
    return { store: { engine, url }, readModelDataDir: dataDir };
  }
  throw usageError(
    `--store (or LEDGER_STORE) must be sqlite, postgres or esdb, not ${JSON.stringify(engine)}`,
  );
}

function postgresStore(values: Values, environment: NodeJS.ProcessEnv): StoreConfig {
  const url = values['postgres-url'] ?? fromEnvironment(environment, 'POSTGRES_URL');
  if (url === undefined)
    throw usageError('--store postgres needs --postgres-url postgres://… (or POSTGRES_URL)');
  // Not repeated: a URL may hold a password.
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw usageError('--postgres-url (or POSTGRES_URL) must start with postgres:// or postgresql://');
  }
  const schema = values['postgres-schema'] ?? fromEnvironment(environment, 'POSTGRES_SCHEMA') ?? 'ledger';
  const schemaProblem = postgresSchemaProblem(schema);
  if (schemaProblem !== undefined)
    throw usageError(`--postgres-schema (or POSTGRES_SCHEMA) ${schemaProblem}`);
  const connectTimeout = fromEnvironment(environment, 'POSTGRES_CONNECT_TIMEOUT_MS');
  if (connectTimeout !== undefined && !/^[1-9]\d{0,6}$/.test(connectTimeout)) {
    throw usageError(
      'POSTGRES_CONNECT_TIMEOUT_MS must be a whole number of milliseconds from 1 to 9,999,999',
    );
  }
  // No statement timeout: rebuild, export, verify and backup read or write whole tables, which
  // can rightly take minutes; an operator stops them with Ctrl-C (docs/operations.md).
  return {
    engine: 'postgres',
    url,
    schema,
    timeouts: {
      statementTimeoutMilliseconds: 0,
      ...(connectTimeout === undefined ? {} : { connectTimeoutMilliseconds: Number(connectTimeout) }),
    },
  };
}

/**
 * Why backup, restore or migrate refuses another engine, and what to use instead. One sentence
 * served all three and named pg_dump whatever the engine: `migrate --store postgres` was told to
 * back up, and `restore` or `--store esdb` to use pg_dump.
 */
function engineRefusal(command: 'backup' | 'restore' | 'migrate', engine: string): string {
  const tools = engine === 'postgres' ? 'pg_dump and pg_restore' : "the engine's own backup tools";
  switch (command) {
    case 'backup':
      return `backup copies the SQLite data directory; with --store ${engine} back up with ${tools} (docs/operations.md, Backup and restore)`;
    case 'restore':
      return `restore writes a SQLite data directory; with --store ${engine} restore with ${tools} (docs/operations.md, Backup and restore)`;
    case 'migrate':
      return `migrate copies a SQLite ledger written before personal fields were sealed into a new SQLite data directory; it takes no --store ${engine} (docs/privacy.md)`;
  }
}

/**
 * backup and restore copy the SQLite data directory, so they take no other engine: PostgreSQL
 * has pg_dump (docs/operations.md). restore wants --data-dir spelled out, never the default.
 */
function backupCommand(
  command: 'backup' | 'restore' | 'migrate',
  values: Values,
  environment: NodeJS.ProcessEnv,
): Command {
  const json = values.json === true;
  const quiet = values.quiet === true || json;
  const engine = values.store ?? fromEnvironment(environment, 'LEDGER_STORE') ?? 'sqlite';
  if (engine !== 'sqlite') {
    throw usageError(engineRefusal(command, engine));
  }
  if (
    values['postgres-url'] !== undefined ||
    values['postgres-schema'] !== undefined ||
    values['esdb-url'] !== undefined
  ) {
    throw usageError(`${command} takes no --postgres-url, --postgres-schema or --esdb-url`);
  }
  if (command === 'backup') {
    if (values.out === undefined || values.out === '') throw usageError('backup needs --out <dir>');
    const dataDir = values['data-dir'] ?? fromEnvironment(environment, 'LEDGER_DATA_DIR') ?? DEFAULT_DATA_DIR;
    return { name: 'backup', dataDir, out: values.out, json, quiet };
  }
  if (values.out !== undefined) throw usageError(`${command} takes --from <dir>, not --out`);
  if (values.from === undefined || values.from === '') {
    throw usageError(`${command} needs --from <${command === 'restore' ? 'backup' : 'old data'} dir>`);
  }
  const dataDir = values['data-dir'];
  if (dataDir === undefined || dataDir === '') {
    throw usageError(`${command} needs --data-dir <dir>, a new or empty directory (no default)`);
  }
  if (command === 'migrate') {
    if (values['erasure-list'] !== undefined)
      throw usageError('--erasure-list belongs to the restore command');
    return { name: 'migrate', from: values.from, dataDir, json, quiet };
  }
  const erasureList = values['erasure-list'];
  if (erasureList === '') throw usageError('--erasure-list needs a file');
  return { name: 'restore', from: values.from, dataDir, erasureList, json, quiet };
}

interface Output {
  readonly json: boolean;
  readonly quiet: boolean;
}

function exportRecordsCommand(values: Values, environment: NodeJS.ProcessEnv, output: Output): Command {
  if (values.period === undefined || values.period === '')
    throw usageError('export-records needs --period YYYY-MM (e.g. --period 2026-11)');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(values.period))
    throw usageError(
      `--period must be a month YYYY-MM with a month 01-12 (e.g. 2026-11), not ${JSON.stringify(values.period)}`,
    );
  const format = values.format ?? 'both';
  if (format !== 'csv' && format !== 'json' && format !== 'both')
    throw usageError(`--format must be csv, json or both, not ${JSON.stringify(format)}`);
  if (values.out === '') throw usageError('--out needs a directory');
  return {
    name: 'export-records',
    backend: backendOf(values, environment),
    period: values.period,
    out: values.out ?? '.',
    format,
    ...output,
  };
}

function importRecordsCommand(
  positionals: readonly string[],
  values: Values,
  environment: NodeJS.ProcessEnv,
  output: Output,
): Command {
  const file = positionals[1];
  if (file === undefined || file === '')
    throw usageError('import-records needs a file: import-records <file.csv|file.json>');
  if (positionals.length > 2) throw usageError(`unexpected argument ${JSON.stringify(positionals[2])}`);
  if (/\.ndjson$/i.test(file))
    throw usageError(
      `import-records reads a .csv or .json file, not ${JSON.stringify(file)}: an audit bundle from \`pnpm ledger export\` is checked with \`pnpm ledger verify --bundle <dir>\`, never imported`,
    );
  if (!/\.(csv|json)$/i.test(file))
    throw usageError(`import-records reads a .csv or .json file, not ${JSON.stringify(file)}`);
  if (values.out !== undefined) throw usageError('import-records takes --report <file>, not --out');
  if (values.period !== undefined || values.format !== undefined)
    throw usageError('--period and --format belong to the export-records command');
  if (values.report === '') throw usageError('--report needs a file');
  return {
    name: 'import-records',
    backend: backendOf(values, environment),
    file,
    report: values.report,
    ...output,
  };
}
