/**
 * `pnpm ledger backup`: an online, consistent copy of the SQLite data directory while the server
 * keeps writing. Every file of BACKUP_FILES that exists is copied in that list's order (SQLite
 * files through the online backup API, the others byte for byte with their mode) into a staging
 * directory beside the target, the manifest is written last, and only then is the staging
 * directory renamed to the target: a backup directory either is complete or does not exist.
 * An interrupted backup removes its staging directory (staging-dir.ts), and the next backup to
 * the same target removes one that a killed process left.
 */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { copySqliteOnline } from '@timebank/event-store-sqlite';
import { saysDiskFull } from '@timebank/event-store';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  assertEmptyOrAbsent,
  modeString,
  sha256OfFile,
  syncFile,
  type BackupManifest,
  type BackupManifestEntry,
} from './backup-manifest.js';
import { diskIsFull, isMalformed, isNotADatabase, sqliteOpenError } from './derived-file.js';
import {
  BACKUP_FILES,
  BACKUP_MANIFEST_FILE,
  EVENT_STORE_FILE,
  READ_MODELS_FILE,
  type BackupFile,
} from './file-names.js';
import { createStagingDir, failureAfterStaging, renameIntoPlace } from './staging-dir.js';

export interface BackupOptions {
  /** The SQLite data directory of a running or stopped ledger. */
  readonly dataDir: string;
  /** A new or empty directory to write the backup into. */
  readonly out: string;
  /** One line per step, for a human watching. */
  readonly onProgress?: (line: string) => void;
  /** One line per leftover staging directory of an interrupted backup found beside `out`. */
  readonly onNotice?: (line: string) => void;
  readonly clock?: () => Date;
}

export async function backupDataDir(options: BackupOptions): Promise<BackupManifest> {
  const dataDir = resolve(options.dataDir);
  const out = resolve(options.out);
  assertBackupInput(dataDir, out);
  const guarded = createStagingDir(out, 'incomplete', { label: 'backup', flag: '--out' }, options.onNotice);
  const staging = guarded.path;
  try {
    const entries: BackupManifestEntry[] = [];
    for (const file of BACKUP_FILES) {
      const entry = await copyOne(file, dataDir, staging, options.onProgress);
      if (entry !== undefined) entries.push(entry);
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      createdAt: (options.clock ?? (() => new Date()))().toISOString(),
      sourceDataDir: dataDir,
      files: entries,
    };
    const manifestPath = join(staging, BACKUP_MANIFEST_FILE);
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    await syncFile(manifestPath);
    renameIntoPlace(staging, out, '--out', 'another backup');
    return manifest;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw failureAfterStaging(error, out, 'backup');
  } finally {
    guarded.release();
  }
}

function assertBackupInput(dataDir: string, out: string): void {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new BackupError('refused', `--data-dir ${dataDir} does not exist or is not a directory`);
  }
  if (!existsSync(join(dataDir, EVENT_STORE_FILE))) {
    throw new BackupError(
      'refused',
      `no event store at ${join(dataDir, EVENT_STORE_FILE)} (check --data-dir)`,
    );
  }
  const inside = relative(dataDir, out);
  if (inside === '' || (!inside.startsWith('..') && !inside.startsWith('/'))) {
    throw new BackupError('refused', `--out ${out} is inside the data directory; put the backup elsewhere`);
  }
  assertEmptyOrAbsent(out, 'backup', '--out');
}

/**
 * The copy of the event store holds a store: schema version 0 is an empty file or another
 * program's database, which a backup would otherwise keep as if it were the ledger (until this
 * release a 0-byte `ledger.sqlite` was "backed up 1 files" with exit 0).
 */
function assertCopyIsAStore(source: string, copy: string): void {
  // The copy is a whole database in one file (no -wal): its header's user version (bytes 60-63)
  // is the store's schema version. Read from the bytes, since opening it would leave -wal and -shm
  // files in the backup.
  const header = Buffer.alloc(64);
  const file = openSync(copy, 'r');
  try {
    readSync(file, header, 0, 64, 0);
  } finally {
    closeSync(file);
  }
  if (header.readUInt32BE(60) !== 0) return;
  throw new BackupError(
    'refused',
    `no event store at ${source}: it holds an empty database or another program's (check --data-dir)`,
  );
}

async function copyOne(
  file: BackupFile,
  dataDir: string,
  staging: string,
  onProgress: ((line: string) => void) | undefined,
): Promise<BackupManifestEntry | undefined> {
  const source = join(dataDir, file.name);
  const target = join(staging, file.name);
  if (!existsSync(source)) {
    // Checked again here, not only up front: the event store must be in every backup.
    if (file.required) throw new BackupError('refused', `${source} disappeared during the backup`);
    onProgress?.(`${file.name}: not present, skipped`);
    return undefined;
  }
  const mode = statSync(source).mode;
  if (file.kind === 'sqlite') {
    const copied = await copySqliteOnline({
      source,
      destination: target,
      onProgress: (progress) =>
        onProgress?.(`${file.name}: ${progress.copiedPages}/${progress.totalPages} pages`),
    }).catch((error: unknown) => {
      // SQLite's own words ("file is not a database", "database disk image is malformed") do not
      // say which file.
      if (file.name === READ_MODELS_FILE && (isNotADatabase(error) || isMalformed(error))) {
        throw new Error(
          `${source} is not a SQLite database (${(error as Error).message}); it holds only data derived ` +
            'from the events: run pnpm ledger rebuild (or start the server), then back up again',
          { cause: error },
        );
      }
      // The copy's own disk filled up: SQLite reports it as it writes the copy, and naming the
      // source there sent the operator to free space on a disk that had plenty.
      if (saysDiskFull(error) && diskIsFull(dirname(target)) && !diskIsFull(dataDir)) {
        throw new Error(`copying ${file.name} filled the disk (${(error as Error).message})`, {
          cause: error,
        });
      }
      const role =
        file.name === EVENT_STORE_FILE
          ? 'the event store'
          : file.name === READ_MODELS_FILE
            ? 'the read models'
            : `the key store ${file.name}`;
      throw sqliteOpenError(error, role, source);
    });
    if (file.name === EVENT_STORE_FILE) assertCopyIsAStore(source, target);
    const restarted = copied.restarts > 0 ? `, restarted ${copied.restarts}× by concurrent writes` : '';
    onProgress?.(`${file.name}: ${copied.totalPages} pages copied online${restarted}`);
  } else {
    copyFileSync(source, target);
  }
  chmodSync(target, mode & 0o7777);
  await syncFile(target);
  const entry = {
    name: file.name,
    kind: file.kind,
    bytes: statSync(target).size,
    sha256: await sha256OfFile(target),
    mode: modeString(mode),
  };
  onProgress?.(`${file.name}: ${entry.bytes} bytes, sha256 ${entry.sha256}`);
  return entry;
}
