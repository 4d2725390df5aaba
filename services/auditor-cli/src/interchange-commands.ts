/**
 * Exchange with the national volunteer platform (docs/interchange.md):
 *
 * - `export-records --period YYYY-MM`: volunteers and their confirmed service of the month, with
 *   training, commendations and evaluations, as CSV (UTF-8 with BOM) and/or JSON.
 * - `import-records FILE`: volunteers registered on the platform and records kept there, through
 *   the ledger's own commands; a rejection report beside the file (or at --report).
 *
 * Both open personal data through the key store, like the API (LEDGER_MASTER_KEY or master.key).
 */
import {
  accessSync,
  constants,
  existsSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import {
  createLedger,
  CsvFormatError,
  DEFAULT_LEDGER_RULES,
  exportRecords,
  formatCsv,
  importRecords,
  INTERCHANGE_COLUMNS,
  INTERCHANGE_FORMAT,
  INTERCHANGE_VERSION,
  parseCsvObjects,
  parseCsvRecords,
  parsePeriod,
  rowsOfJson,
  volunteerDirectoryOf,
  type ExportResult,
  type ImportReport,
} from '@timebank/application';
import { directoryProblem, personalDataDirectory } from '@timebank/ledger-opener';
import type { EventStore } from '@timebank/event-store';
import { ProjectionError } from '@timebank/projections';
import type { Backend } from './args.js';
import { nationalIdKeyOf, openLedgerWithKeys } from './privacy-commands.js';

export type RecordsFormat = 'csv' | 'json' | 'both';

/** Who an import acts as: an administrator, since imported service is an administrator's intake. */
const IMPORT_ACTOR = { id: 'interchange-import', role: 'administrator' as const };

function invalid(message: string): ProjectionError {
  return new ProjectionError('PROJECTION_INVALID_ARGUMENT', message);
}

export interface ExportRecordsCommand {
  readonly backend: Backend;
  readonly period: string;
  readonly out: string;
  readonly format: RecordsFormat;
  readonly environment: NodeJS.ProcessEnv;
  readonly onProgress?: (line: string) => void;
  readonly clock?: () => number;
  /** Stops the read between two pages (Ctrl-C): PROJECTION_INTERRUPTED, nothing written. */
  readonly signal?: AbortSignal;
}

export interface ExportRecordsOutcome extends ExportResult {
  readonly files: readonly string[];
}

/**
 * Writes `text` to `path` readable and writable by its owner only (mode 0600: the files hold
 * names, phone numbers and masked ID numbers, as backups do, which are 0700), and whole or not at
 * all: into a file beside it, then renamed over it, so an interrupted or failed write leaves the
 * previous file (or none), never half of one.
 */
function writePrivateFile(path: string, text: string): void {
  writePrivateFiles([[path, text]]);
}

/**
 * `writePrivateFile` for files that belong together (an export's CSV and JSON): every one is
 * written beside its place first and renamed only when all are, so a failure leaves none of them.
 * Synchronous, so that a signal is handled only once they are all in place.
 */
function writePrivateFiles(files: readonly (readonly [path: string, text: string])[]): void {
  const partials = files.map(([path]) => `${path}.partial-${process.pid}`);
  try {
    files.forEach(([, text], index) => writeFileSync(partials[index]!, text, { mode: 0o600 }));
    files.forEach(([path], index) => renameSync(partials[index]!, path));
  } catch (error) {
    for (const partial of partials) rmSync(partial, { force: true });
    throw error;
  }
}

/** The month's rows, read to the end unless `signal` stops the read (then PROJECTION_INTERRUPTED). */
async function readRecords(
  command: ExportRecordsCommand,
  store: EventStore,
  period: Exclude<ReturnType<typeof parsePeriod>, string>,
  nowMs: number,
): Promise<ExportResult> {
  let eventsRead = 0;
  try {
    return await exportRecords({
      store,
      rules: DEFAULT_LEDGER_RULES,
      period,
      nowMs,
      ...(command.signal === undefined ? {} : { signal: command.signal }),
      onProgress: (events: number) => {
        eventsRead = events;
        command.onProgress?.(`export-records: ${events} events read`);
      },
    });
  } catch (error) {
    if (command.signal?.aborted !== true) throw error;
    throw new ProjectionError(
      'PROJECTION_INTERRUPTED',
      `export-records interrupted after ${eventsRead} events read; nothing was written`,
    );
  }
}

/**
 * The month and the --out directory of an export, checked before the log is read (or a read-only
 * data directory copied to read it): either wrong is the caller's mistake (exit 2).
 */
export function checkExportRecordsArguments(command: { readonly period: string; readonly out: string }): {
  period: Exclude<ReturnType<typeof parsePeriod>, string>;
  directory: string;
} {
  const period = parsePeriod(command.period, DEFAULT_LEDGER_RULES);
  if (typeof period === 'string') throw invalid(period);
  const directory = resolve(command.out);
  if (existsSync(directory) && !statSync(directory).isDirectory())
    throw invalid(`--out ${command.out} is a file, not a directory`);
  // A place that cannot be a directory (read-only, under /proc) is refused naming --out (exit 2)
  // before the log is read; it is made only once the records are, so a failure leaves nothing.
  const probed = directoryProblem(directory, { probe: true });
  if (probed !== undefined) throw invalid(`--out ${command.out}: ${probed}`);
  return { period, directory };
}

export async function runExportRecords(command: ExportRecordsCommand): Promise<ExportRecordsOutcome> {
  const { period, directory } = checkExportRecordsArguments(command);
  const clock = command.clock ?? (() => Date.now());
  // A read: it never creates a master key or key store (refused, exit 2, when they are missing).
  const opened = await openLedgerWithKeys(command.backend, command.environment, { mustExist: true });
  try {
    const result = await readRecords(command, opened.store, period, clock());
    const existed = existsSync(directory);
    const problem = directoryProblem(directory);
    if (problem !== undefined) throw invalid(`--out ${command.out}: ${problem}`);
    const files: [path: string, text: string][] = [];
    const base = join(directory, `records-${period.label}`);
    if (command.format !== 'json') files.push([`${base}.csv`, formatCsv(INTERCHANGE_COLUMNS, result.rows)]);
    if (command.format !== 'csv') {
      const document = {
        format: INTERCHANGE_FORMAT,
        version: INTERCHANGE_VERSION,
        period: period.label,
        exportedAt: new Date(clock()).toISOString(),
        records: result.rows,
      };
      files.push([`${base}.json`, `${JSON.stringify(document, null, 2)}\n`]);
    }
    try {
      writePrivateFiles(files);
    } catch (error) {
      // Nothing of this export is left: not its files (writePrivateFiles), nor a directory it made.
      if (!existed) removeIfEmpty(directory);
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      throw new Error(
        `no space left on the disk of ${directory} (${(error as Error).message}); nothing was written`,
        { cause: error },
      );
    }
    return { ...result, files: files.map(([path]) => path) };
  } finally {
    await opened.close();
  }
}

/** Removes `directory` if it is empty; leaves it (and says nothing) otherwise. */
function removeIfEmpty(directory: string): void {
  try {
    rmdirSync(directory);
  } catch {
    // Not empty, or already gone: either way nothing of ours is left in it.
  }
}

/** What `export-records` writes in source_system for the ledger's own records. */
const OWN_SOURCE_SYSTEM = 'timebank';

/**
 * Refuses a file `export-records` wrote (its layout, with rows of the ledger's own records): it
 * is the ledger's report to the national platform, not records kept there. Imported, each of its
 * rows was rejected (source_system `timebank`, an `evaluation` row, no ID number), exit 1, which
 * read as a broken round trip rather than the wrong command.
 */
function refuseOwnExport(
  file: string,
  rows: readonly Record<string, unknown>[],
  exportLayout: boolean,
): void {
  if (!exportLayout) return;
  if (
    !rows.some(
      (row) => typeof row.source_system === 'string' && row.source_system.trim() === OWN_SOURCE_SYSTEM,
    )
  )
    return;
  throw invalid(
    `${file} was written by \`pnpm ledger export-records\` (source_system ${OWN_SOURCE_SYSTEM}): it is the ledger's report for the national platform, and import-records reads the platform's files (source_system national_platform, city_platform or other); nothing was imported. To copy a ledger use \`pnpm ledger backup\` and \`restore\`; an audit bundle is checked with \`pnpm ledger verify --bundle\``,
  );
}

/** The rows of an import file: CSV (with or without BOM) or the JSON document, by extension. */
export function readImportFile(file: string): Record<string, unknown>[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw invalid(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let text: string;
  try {
    // Fatal: a UTF-16 or GBK file, or binary garbage, is refused whole, not read as mangled rows.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid(`${file} is not UTF-8 text: save it as UTF-8 (CSV with or without a BOM)`);
  }
  const extension = extname(file).toLowerCase();
  if (extension === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalid(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const rows = rowsOfJson(value);
    if (typeof rows === 'string') throw invalid(`${file}: ${rows}`);
    // `exportedAt` is written by the export (and ignored by an import).
    refuseOwnExport(file, rows, typeof value === 'object' && value !== null && 'exportedAt' in value);
    return rows;
  }
  if (extension !== '.csv') throw invalid(`${file}: an import file ends in .csv or .json`);
  if (text.trim() === '')
    throw invalid(`${file} is empty: expected a header line naming the columns, with record_kind`);
  let records: string[][];
  try {
    records = parseCsvRecords(text);
  } catch (error) {
    if (error instanceof CsvFormatError) throw invalid(`${file}: ${error.message}`);
    throw error;
  }
  // Without a record_kind column no row can be decided: that is a wrong file, not rejected rows.
  const header = (records[0] ?? []).map((name) => name.trim());
  if (!header.includes('record_kind'))
    throw invalid(
      `${file}: the header line has no record_kind column (it starts ${JSON.stringify(header.slice(0, 3).join(',').slice(0, 60))}); see docs/interchange.md`,
    );
  // RFC 4180: every line has the header's fields. An unquoted comma or a lost field shifts every
  // later value into the wrong column, which may pass the checks as other data: refuse the file.
  const uneven = records.findIndex((fields, index) => index > 0 && fields.length !== header.length);
  if (uneven > 0)
    throw invalid(
      `${file}: data row ${uneven} has ${records[uneven]?.length} fields but the header has ${header.length} (a comma inside a value must be quoted: "a,b"); nothing was imported`,
    );
  const rows = parseCsvObjects(text);
  refuseOwnExport(file, rows, header.join(',') === INTERCHANGE_COLUMNS.join(','));
  return rows;
}

export interface ImportRecordsCommand {
  readonly backend: Backend;
  readonly file: string;
  /** Where the report goes; default `<file>.report.json`. */
  readonly report: string | undefined;
  readonly environment: NodeJS.ProcessEnv;
  readonly onProgress?: (line: string) => void;
  readonly clock?: () => number;
  /** Stops the import between two rows (Ctrl-C); the report then counts the rows not attempted. */
  readonly signal?: AbortSignal;
}

export interface ImportRecordsOutcome extends ImportReport {
  readonly reportFile: string;
}

/**
 * Where the report goes, checked before anything is imported: rows that landed with no report of
 * what was rejected (or the import file overwritten by its report) cannot be undone.
 */
export function reportFileOf(file: string, report: string | undefined): string {
  const path = resolve(report ?? `${file}.report.json`);
  const flag =
    report === undefined ? `the report ${path} (name another with --report <file>)` : `--report ${report}`;
  if (path === resolve(file)) throw invalid(`${flag} is the import file itself; name another file`);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory() === true) throw invalid(`${flag} is a directory; name a file`);
  const directory = dirname(path);
  if (statSync(directory, { throwIfNoEntry: false })?.isDirectory() !== true)
    throw invalid(`${flag}: the directory ${directory} does not exist`);
  try {
    accessSync(existing === undefined ? directory : path, constants.W_OK);
  } catch {
    throw invalid(`${flag} cannot be written`);
  }
  return path;
}

export async function runImportRecords(command: ImportRecordsCommand): Promise<ImportRecordsOutcome> {
  const reportFile = reportFileOf(command.file, command.report);
  const inputs = readImportFile(command.file);
  const directory = personalDataDirectory(command.backend.store, command.backend.readModelDataDir);
  const nationalIdKey = nationalIdKeyOf(command.environment, directory, command.backend.store.engine);
  const opened = await openLedgerWithKeys(command.backend, command.environment, { nationalIdKey });
  try {
    const ledger = createLedger({
      store: opened.opened.store,
      clock: command.clock ?? (() => Date.now()),
      nationalIdKey,
      personalKeys: opened.keys.keys,
    });
    const progress = command.onProgress;
    const knownVolunteers = await volunteerDirectoryOf(opened.store);
    const report = await importRecords(inputs, {
      ledger,
      actor: IMPORT_ACTOR,
      knownVolunteers,
      ...(command.signal === undefined ? {} : { signal: command.signal }),
      ...(progress === undefined
        ? {}
        : {
            onProgress: (p) =>
              progress(
                `import-records: ${p.rowsDone}/${p.rowsTotal} rows, ${p.landed} landed, ${p.alreadyPresent} already present, ${p.rejected} rejected`,
              ),
          }),
    });
    writePrivateFile(
      reportFile,
      `${JSON.stringify({ file: resolve(command.file), ...report, rejected: report.rejections.length }, null, 2)}\n`,
    );
    return { ...report, reportFile };
  } finally {
    await opened.close();
  }
}
