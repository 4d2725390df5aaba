/**
 * The auditor CLI: `pnpm ledger rebuild | verify | export | verify --bundle <dir> | backup | restore`,
 * and the exchange with the national volunteer platform (`export-records`, `import-records`).
 * Reports go to stdout, progress and errors to stderr; the exit status says what happened.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  directoryProblem,
  isBackupError,
  isLedgerOpenError,
  openLedger,
  type StoreConfig,
} from '@timebank/ledger-opener';
import type { EventStore } from '@timebank/event-store';
import {
  EVENTS_FILE,
  exportLedger,
  isProjectionError,
  MANIFEST_FILE,
  ProjectionError,
  ensureCurrentReadModels,
  rebuildReadModels,
  verifyBundle,
  verifyLedger,
  type ReplayProgress,
} from '@timebank/projections';
import { USAGE, parseCommand, type Backend, type Command } from './args.js';
import { runBackup, runRestore } from './backup-commands.js';
import { clockCommand } from './clock-commands.js';
import { interruptOnSignals, untilInterrupted, type Interruptible } from './interrupt.js';
import { runMigrate } from './migrate-command.js';
import { checkExportRecordsArguments, runExportRecords, runImportRecords } from './interchange-commands.js';
import { refuseMissingPersonalKeys, runEraseDue, runRotateMasterKey } from './privacy-commands.js';
import { isReadOnlyDataDir, privateCopyOf, type CopyingCommand } from './read-only-copy.js';
import { MIGRATION_ON_STDERR, stderrSchemaLogger } from './schema-logger.js';

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;
const EXIT_FAILED = 3;

const json = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2);

function progressPrinter(label: string, quiet: boolean): ((progress: ReplayProgress) => void) | undefined {
  if (quiet) return undefined;
  return (progress) => {
    const eta = progress.etaSeconds === null ? '?' : `${Math.ceil(progress.etaSeconds)} s`;
    process.stderr.write(
      `${label}: ${progress.events} events, position ${progress.position}/${progress.headPosition}, ${progress.eventsPerSecond} events/s, ETA ${eta}\n`,
    );
  };
}

async function runPrivacy(
  command: Extract<Command, { name: 'erase-due' | 'rotate-master-key' }>,
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  if (command.name === 'erase-due') {
    const erased = await runEraseDue({ backend: command.backend, environment });
    if (command.json) process.stdout.write(json({ erased }) + '\n');
    else process.stdout.write(`erased the personal data of ${erased.length} volunteers\n`);
    return EXIT_OK;
  }
  const result = await runRotateMasterKey({ backend: command.backend, environment });
  if (command.json) process.stdout.write(json(result) + '\n');
  else {
    const where =
      result.keyFile === null
        ? 'set LEDGER_MASTER_KEY to the new key before starting the API'
        : `the new key is in ${result.keyFile}`;
    process.stdout.write(`re-wrapped ${result.rewrapped} data keys; ${where}\n`);
  }
  return EXIT_OK;
}

async function runMigrateCommand(
  command: Extract<Command, { name: 'migrate' }>,
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  const masterKey = environment.LEDGER_MASTER_KEY?.trim();
  const result = await runMigrate({
    from: command.from,
    dataDir: command.dataDir,
    masterKey: masterKey === undefined || masterKey === '' ? null : masterKey,
    ...optional(
      'onProgress',
      command.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`),
    ),
  });
  if (command.json) process.stdout.write(json(result) + '\n');
  else {
    process.stdout.write(
      `migrated ${result.events} events in ${result.streams} streams from ${command.from} to ${command.dataDir}; ` +
        `${result.registrationsClaimed} registrations claimed in the new key store; national-ID key ${result.nationalIdKeyCopied ? 'copied' : 'not found (set LEDGER_NATIONAL_ID_KEY)'}; ` +
        `verify ${result.verified ? 'OK' : `FAILED with ${result.findings} findings (run pnpm ledger verify)`}\n`,
    );
  }
  return result.verified ? EXIT_OK : EXIT_FINDINGS;
}

async function runInterchange(
  command: Extract<Command, { name: 'export-records' | 'import-records' }>,
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  if (command.name === 'export-records') return runExportRecordsCommand(command, environment);
  const onProgress = command.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  // A first Ctrl-C stops between two rows: what landed stands, and the report says what was left.
  const interruption = interruptOnSignals('import-records');
  let report: Awaited<ReturnType<typeof runImportRecords>>;
  try {
    report = await runImportRecords({
      backend: command.backend,
      file: command.file,
      report: command.report,
      environment,
      signal: interruption.signal,
      ...optional('onProgress', onProgress),
    });
  } finally {
    interruption.release();
  }
  const rejected = report.rejections.length;
  const stoppedWith = interruption.exitCode();
  // A signal that came after the last row was tried stopped nothing: the import is whole.
  if (stoppedWith !== undefined && report.rowsNotAttempted > 0) {
    process.stderr.write(
      `ledger import-records: stopped with ${report.rowsNotAttempted} of ${report.rowsTotal} rows not attempted (${report.landed} landed, ${report.alreadyPresent} already present, ${rejected} rejected); run it again with the same file for the rest; report in ${report.reportFile}\n`,
    );
    return stoppedWith;
  }
  if (command.json) {
    const { rejections: _rows, ...summary } = report;
    process.stdout.write(json({ ...summary, rejected }) + '\n');
  } else {
    const codes = Object.entries(report.rejectedByCode)
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    process.stdout.write(
      `imported ${report.landed} of ${report.rowsTotal} rows (${report.alreadyPresent} already present, ${rejected} rejected${codes === '' ? '' : `: ${codes}`}); report in ${report.reportFile}\n`,
    );
  }
  // Rejected rows are findings about the file, like verify's: the good rows stand.
  return rejected === 0 ? EXIT_OK : EXIT_FINDINGS;
}

async function runExportRecordsCommand(
  command: Extract<Command, { name: 'export-records' }>,
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  const onProgress = command.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  // Checked on the given directory, before a read-only one is copied: a wrong month or --out, or
  // keys that are not there (never created by an export), are refused without copying anything.
  checkExportRecordsArguments(command);
  refuseMissingPersonalKeys(command.backend, environment);
  const copied = await privateCopyFor('export-records', command.backend.store, command.quiet);
  if (copied?.stopped === true) return copied.exitCode;
  const copy = copied?.value;
  try {
    // A first Ctrl-C stops the read between two pages; nothing is written.
    const outcome = await untilInterrupted('export-records', (signal) =>
      runExportRecords({
        backend: copy === undefined ? command.backend : { ...command.backend, store: copy.store },
        period: command.period,
        out: command.out,
        format: command.format,
        environment,
        signal,
        ...optional('onProgress', onProgress),
      }),
    );
    if (outcome.stopped) return outcome.exitCode;
    const result = outcome.value;
    if (command.json) process.stdout.write(json({ counts: result.counts, files: result.files }) + '\n');
    else {
      const { volunteer, service, training, commendation, evaluation } = result.counts;
      process.stdout.write(
        `exported ${volunteer} volunteers, ${service} service records, ${training} trainings, ${commendation} commendations and ${evaluation} evaluations for ${command.period} to ${result.files.join(' and ')}\n`,
      );
    }
    return EXIT_OK;
  } finally {
    copy?.remove();
  }
}

/** `due` (reads; a read-only data directory through a private copy) and `tick` (writes). */
async function runClock(
  command: {
    readonly name: 'tick' | 'due';
    readonly backend: Backend;
    readonly json: boolean;
    readonly quiet: boolean;
  },
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  const copied =
    command.name === 'due' ? await privateCopyFor('due', command.backend.store, command.quiet) : undefined;
  if (copied?.stopped === true) return copied.exitCode;
  const copy = copied?.value;
  try {
    const backend = copy === undefined ? command.backend : { ...command.backend, store: copy.store };
    process.stdout.write(await clockCommand({ ...command, backend }, environment));
    return EXIT_OK;
  } finally {
    copy?.remove();
  }
}

async function runVerifyBundle(command: Extract<Command, { name: 'verify-bundle' }>): Promise<number> {
  // A path that is no bundle at all is a mistyped argument (exit 2), not a finding about a bundle.
  if (!(await stat(command.bundle).catch(() => undefined))?.isDirectory()) {
    process.stderr.write(`ledger verify: --bundle ${command.bundle} does not exist or is not a directory\n`);
    return EXIT_USAGE;
  }
  if (!existsSync(join(command.bundle, MANIFEST_FILE))) {
    process.stderr.write(
      `ledger verify: --bundle ${command.bundle} holds no ${MANIFEST_FILE}: it is not an export bundle\n`,
    );
    return EXIT_USAGE;
  }
  const report = await verifyBundle(command.bundle);
  if (command.json) process.stdout.write(json(report) + '\n');
  else {
    for (const finding of report.findings) {
      const where =
        finding.streamName === undefined ? '' : `${finding.streamName}@${finding.revision ?? '?'}: `;
      process.stdout.write(`FAIL ${where}${finding.message}\n`);
    }
    process.stdout.write(
      `${report.ok ? 'OK' : 'FAILED'}: ${report.events} events in ${report.streams} streams, root hash ${report.rootHash}\n`,
    );
  }
  return report.ok ? EXIT_OK : EXIT_FINDINGS;
}

/** `rebuild`: a first Ctrl-C stops it between two pages, dropping the half-built tables. */
async function runRebuild(
  command: { readonly json: boolean; readonly quiet: boolean },
  backends: Awaited<ReturnType<typeof openLedger>>,
): Promise<number> {
  const outcome = await untilInterrupted('rebuild', (signal) =>
    rebuildReadModels({
      store: backends.store,
      db: backends.readModels,
      signal,
      ...optional('onProgress', progressPrinter('rebuild', command.quiet)),
      ...optional(
        'onIndexing',
        command.quiet ? undefined : () => process.stderr.write('rebuild: building the indexes\n'),
      ),
    }),
  );
  if (outcome.stopped) return outcome.exitCode;
  const result = outcome.value;
  const rate = Math.round(result.events / Math.max(result.elapsedMs / 1000, 1e-3));
  if (command.json) process.stdout.write(json({ ...result, eventsPerSecond: rate }) + '\n');
  else
    process.stdout.write(
      `rebuilt read models from ${result.events} events up to position ${result.position} (${rate} events/s)\n`,
    );
  return EXIT_OK;
}

async function run(
  command: Exclude<Command, { name: 'help' }>,
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  if (command.name === 'erase-due' || command.name === 'rotate-master-key')
    return runPrivacy(command, environment);
  if (command.name === 'verify-bundle') return runVerifyBundle(command);
  if (command.name === 'backup') return runBackup(command);
  if (command.name === 'restore') return runRestore(command);
  if (command.name === 'migrate') return runMigrateCommand(command, environment);
  if (command.name === 'export-records' || command.name === 'import-records')
    return runInterchange(command, environment);
  // An auditor's read-only copy cannot be opened in place: verify and export work on a private copy.
  const copied =
    command.name === 'verify' || command.name === 'export'
      ? await privateCopyFor(command.name, command.backend.store, command.quiet)
      : undefined;
  if (copied?.stopped === true) return copied.exitCode;
  const copy = copied?.value;
  let backends: Awaited<ReturnType<typeof openLedger>>;
  try {
    backends = await openLedger(copy?.store ?? command.backend.store, {
      mustExist: true,
      readModelDataDir: command.backend.readModelDataDir,
      ...MIGRATION_ON_STDERR,
    });
  } catch (error) {
    copy?.remove();
    throw error;
  }
  try {
    if (command.name === 'rebuild') return await runRebuild(command, backends);
    if (command.name === 'export') return await runExport(command, backends.store);
    return await runVerify(command, backends);
  } finally {
    await backends.close();
    copy?.remove();
  }
}

/** What a private copy is for, as its stderr line says it. */
const COPY_PURPOSE: Readonly<Record<CopyingCommand, string>> = {
  verify: 'verify it',
  export: 'export it',
  due: 'list what is due',
  'export-records': 'export its records',
};

/**
 * For `verify`, `export`, `due` or `export-records` of a SQLite data directory this process cannot
 * write (an auditor's read-only copy): a private copy to work on instead, said on stderr.
 * Undefined for a writable one.
 */
async function privateCopyFor(
  label: CopyingCommand,
  store: StoreConfig,
  quiet: boolean,
): Promise<Interruptible<{ readonly store: StoreConfig; remove(): void }> | undefined> {
  if (store.engine !== 'sqlite' || !isReadOnlyDataDir(store.dataDir, label)) return undefined;
  return untilInterrupted(label, async (signal) => {
    // Said once the signals are ours: a Ctrl-C that answers this line must find the handler in
    // place, not Node's default (a process that reads the line can signal within microseconds).
    if (!quiet)
      process.stderr.write(
        `ledger ${label}: ${store.dataDir} is read-only: copying it into a private directory under ${tmpdir()} to ${COPY_PURPOSE[label]} there (removed afterwards)\n`,
      );
    const copy = await privateCopyOf(store.dataDir, label, signal);
    return { store: { ...store, dataDir: copy.dataDir }, remove: () => copy.remove() };
  });
}

/** `verify`: the log's chains and schema, and the read models replayed and compared. */
async function runVerify(
  command: { readonly json: boolean; readonly quiet: boolean },
  backends: Awaited<ReturnType<typeof openLedger>>,
): Promise<number> {
  if (!command.quiet) {
    await ensureCurrentReadModels({
      store: backends.store,
      db: backends.readModels,
      logger: stderrSchemaLogger,
    });
  } else await ensureCurrentReadModels({ store: backends.store, db: backends.readModels });
  // A first Ctrl-C stops the replay between two pages and drops its shadow tables.
  const outcome = await untilInterrupted('verify', (signal) =>
    verifyLedger({
      store: backends.store,
      db: backends.readModels,
      signal,
      ...optional('onProgress', progressPrinter('verify', command.quiet)),
    }),
  );
  if (outcome.stopped) return outcome.exitCode;
  const report = outcome.value;
  await warnIfReadModelsBehind(backends.store, report.checkpoint);
  if (command.json) process.stdout.write(json(report) + '\n');
  else {
    for (const finding of report.findings) {
      const where = 'streamName' in finding ? `${finding.streamName}@${finding.revision}: ` : '';
      process.stdout.write(`FAIL [${finding.kind}] ${where}${finding.message}\n`);
    }
    process.stdout.write(
      `${report.ok ? 'OK' : `FAILED with ${report.findings.length} findings`}: ${report.events} events in ${report.streams} streams, read models compared at position ${report.checkpoint}\n`,
    );
  }
  return report.ok ? EXIT_OK : EXIT_FINDINGS;
}

/**
 * Rows are compared as of the read models' own checkpoint: says so on stderr when that is behind
 * the log, so that an OK does not read as "the read models match the whole log".
 */
async function warnIfReadModelsBehind(store: EventStore, checkpoint: bigint): Promise<void> {
  const head = await store.headPosition();
  if (checkpoint >= head) return;
  process.stderr.write(
    `ledger verify: warning: the read models are at position ${checkpoint}, behind the store's last position ${head}; ` +
      `their rows were compared as of ${checkpoint} only (start the server or run \`pnpm ledger rebuild\` to bring them up to date)\n`,
  );
}

/**
 * `export`: the log as a bundle an auditor verifies elsewhere, never over an earlier bundle. Progress
 * on stderr about once a second; a first Ctrl-C stops it between two pages, leaving no bundle.
 */
async function runExport(
  command: { out: string; json: boolean; quiet: boolean },
  store: EventStore,
): Promise<number> {
  assertNoBundleAt(command.out);
  // Only probed: the export makes the directory itself, and removes it again if it fails.
  const problem = directoryProblem(command.out, { probe: true });
  if (problem !== undefined)
    throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', `--out ${command.out}: ${problem}`);
  const head = await store.headPosition();
  let lastReportMs = performance.now();
  const onProgress = (events: number, position: bigint): void => {
    const now = performance.now();
    if (now - lastReportMs < 1000) return;
    lastReportMs = now;
    process.stderr.write(`export: ${events} events, position ${position}/${head}\n`);
  };
  const outcome = await untilInterrupted('export', (signal) =>
    exportLedger({
      store,
      directory: command.out,
      signal,
      ...optional('onProgress', command.quiet ? undefined : onProgress),
    }),
  );
  if (outcome.stopped) return outcome.exitCode;
  const manifest = outcome.value;
  if (command.json) process.stdout.write(json(manifest) + '\n');
  else {
    process.stdout.write(
      `exported ${manifest.eventCount} events in ${manifest.streamCount} streams to ${command.out}, last position ${manifest.lastPosition}, root hash ${manifest.rootHash}\n`,
    );
  }
  return EXIT_OK;
}

/** An export never writes over an earlier bundle (an auditor's evidence): a new directory each time. */
function assertNoBundleAt(out: string): void {
  for (const file of [MANIFEST_FILE, EVENTS_FILE])
    if (existsSync(join(out, file)))
      throw new ProjectionError(
        'PROJECTION_INVALID_ARGUMENT',
        `--out ${out} already holds a bundle (${file}); export into a new directory`,
      );
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * `pnpm ledger verify | head`: a reader that goes away early is not the command's failure. Output
 * to a closed pipe is dropped (Node would otherwise die of an unhandled EPIPE with a stack trace
 * and exit 1, even after an export had finished), and the command's work and exit status stand.
 */
function dropOutputToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}

export async function main(argv: readonly string[], environment: NodeJS.ProcessEnv): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, environment);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  if (command.name === 'help') {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  try {
    if (command.name === 'tick' || command.name === 'due')
      return await runClock({ ...command, name: command.name }, environment);
    return await run(command, environment);
  } catch (error) {
    const code = isProjectionError(error) ? `${error.code}: ` : '';
    // `verify --bundle` is parsed as its own command; the operator typed `verify`.
    const typed = command.name === 'verify-bundle' ? 'verify' : command.name;
    process.stderr.write(
      `ledger ${typed}: ${code}${error instanceof Error ? error.message : String(error)}\n`,
    );
    // A backup that does not match its manifest is a finding about the backup, like verify's.
    if (isBackupError(error) && error.reason === 'damaged') return EXIT_FINDINGS;
    const usage =
      (isBackupError(error) && error.reason === 'refused') ||
      isProjectionError(error, 'PROJECTION_INVALID_ARGUMENT') ||
      isProjectionError(error, 'PROJECTION_REBUILD_RUNNING') ||
      (isLedgerOpenError(error) &&
        (error.reason === 'missing' || error.reason === 'locked' || error.reason === 'wrong-key'));
    return usage ? EXIT_USAGE : EXIT_FAILED;
  }
}

/**
 * pnpm runs a root script in the repository's root whatever directory it was typed in, and names
 * that directory in INIT_CWD. Started as `pnpm ledger`, the CLI works there instead, so that a
 * relative path (`--out ./export`, `--data-dir data`, LEDGER_DATA_DIR) means what it means in the
 * operator's shell, and the messages that repeat it name the right place.
 */
function workWhereTyped(environment: NodeJS.ProcessEnv): void {
  const typedIn = environment.INIT_CWD;
  if (environment.npm_lifecycle_event === 'ledger' && typedIn !== undefined && typedIn !== '') {
    process.chdir(typedIn);
  }
}

dropOutputToClosedPipes();
workWhereTyped(process.env);
process.exitCode = await main(process.argv.slice(2), process.env);
