/**
 * The reading commands (`verify`, `export`, `due`, `export-records`) of a read-only SQLite data
 * directory: the copy an auditor is given, on a read-only mount or without write permission.
 * SQLite cannot open a WAL database there even to read (it keeps its -shm file beside the
 * database, and this driver cannot open it `immutable`), and `due` and `export-records` first
 * bring the read models up to the log's head. So the store and the read models (for
 * `export-records` also the personal-data keys) are copied into a private directory under the
 * system's temp directory (TMPDIR), read there and the copy removed; the given directory is never
 * written.
 */
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  EVENT_STORE_FILE,
  MASTER_KEY_FILE,
  PERSONAL_KEYS_FILE,
  READ_MODELS_FILE,
} from '@timebank/ledger-opener';
import { isProjectionError, ProjectionError } from '@timebank/projections';
import { exitCleanlyOnSignals } from './interrupt.js';

/** The commands that read a private copy of a read-only data directory. */
export type CopyingCommand = 'verify' | 'export' | 'due' | 'export-records';

/** What is copied: each database with its WAL (committed writes not yet in the file). */
const COPIED_FILES = [EVENT_STORE_FILE, READ_MODELS_FILE].flatMap((name) => [name, `${name}-wal`]);
/** `export-records` opens sealed personal fields: the key store too, and the master key (mode 0600 in the copy). */
const KEY_STORE_FILES = [PERSONAL_KEYS_FILE, `${PERSONAL_KEYS_FILE}-wal`];

/** The SQLite files `label` opens, which SQLite must be able to write beside. */
function databaseFiles(label: CopyingCommand): readonly string[] {
  return label === 'export-records' ? [...COPIED_FILES, ...KEY_STORE_FILES] : COPIED_FILES;
}

function copiedFiles(label: CopyingCommand): readonly string[] {
  return label === 'export-records' ? [...databaseFiles(label), MASTER_KEY_FILE] : databaseFiles(label);
}

function writable(path: string): boolean {
  try {
    // W_OK answers EROFS on a read-only mount, even for root.
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `dataDir` holds a SQLite store this process cannot open in place: the directory, or
 * one of the files SQLite writes to, is not writable. A missing store is not (it is refused later).
 */
export function isReadOnlyDataDir(dataDir: string, label: CopyingCommand): boolean {
  const directory = resolve(dataDir);
  if (!existsSync(join(directory, EVENT_STORE_FILE))) return false;
  if (!writable(directory)) return true;
  // Not master.key: it is only read, and may well be read-only where the rest is not.
  return databaseFiles(label).some(
    (name) => existsSync(join(directory, name)) && !writable(join(directory, name)),
  );
}

export interface PrivateCopy {
  readonly dataDir: string;
  remove(): void;
}

/**
 * Copies the store and read models of `dataDir` into a new private directory under TMPDIR. When
 * `signal` fires (Ctrl-C) it stops after the file being copied, removes the copy and throws
 * PROJECTION_INTERRUPTED: a copy of a large ledger left in TMPDIR would fill it.
 */
export async function privateCopyOf(
  dataDir: string,
  label: CopyingCommand,
  signal?: AbortSignal,
): Promise<PrivateCopy> {
  const copy = mkdtempSync(join(tmpdir(), `ledger-${label}-`));
  // Also when the process ends at once (a second Ctrl-C exits from its handler): synchronous,
  // as an 'exit' listener must be.
  const onExit = (): void => rmSync(copy, { recursive: true, force: true });
  process.on('exit', onExit);
  const remove = (): void => {
    process.off('exit', onExit);
    onExit();
  };
  try {
    for (const name of copiedFiles(label)) {
      const source = join(resolve(dataDir), name);
      if (!existsSync(source)) continue;
      // Asynchronous, so that a signal handler runs meanwhile (and aborts `signal`).
      await copyFile(source, join(copy, name));
      // The copy keeps the source's mode: read-only files would be read-only here too.
      chmodSync(join(copy, name), 0o600);
      if (signal?.aborted === true)
        throw new ProjectionError(
          'PROJECTION_INTERRUPTED',
          `${label} interrupted while copying ${dataDir}; the partial copy was removed`,
        );
    }
  } catch (error) {
    remove();
    if (isProjectionError(error)) throw error;
    throw new Error(
      `cannot copy the read-only ${dataDir} into ${copy} for ${label} (${error instanceof Error ? error.message : String(error)}); set TMPDIR to a directory with room for it`,
      { cause: error },
    );
  }
  // From here until it is removed, a signal between two steps of the command removes it too.
  const exitCleanly = exitCleanlyOnSignals(label);
  return {
    dataDir: copy,
    remove: () => {
      exitCleanly.release();
      remove();
    },
  };
}
