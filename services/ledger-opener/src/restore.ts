/**
 * `pnpm ledger restore`: checks every file of a backup against its manifest, copies the files
 * into a staging directory beside the new data directory (checking each copy's hash again),
 * re-applies the erasure list there through an ErasureHook so that nobody erased after the backup
 * was taken comes back, runs the caller's check (the auditor CLI runs `verify`) on it, and only
 * when that passes renames it into place: the data directory is either absent or restored,
 * erasures re-applied and verified. Refuses, having written nothing, when the backup does not
 * match its manifest or the data directory is not new or empty. An interrupted restore removes
 * its staging directory (staging-dir.ts), and the next restore to the same target removes one
 * that a killed process left.
 */
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  BackupError,
  assertEmptyOrAbsent,
  manifestSchema,
  sha256OfFile,
  syncFile,
  type BackupManifest,
} from './backup-manifest.js';
import {
  erasureListAt,
  parseErasureList,
  type ErasureHook,
  type ErasureReapplication,
  type ErasureRecord,
} from './erasure-list.js';
import { BACKUP_MANIFEST_FILE, ERASURE_LIST_FILE, EVENT_STORE_FILE } from './file-names.js';
import { createStagingDir, failureAfterStaging, renameIntoPlace } from './staging-dir.js';

export interface RestoreOptions {
  /** A directory written by `pnpm ledger backup`. */
  readonly from: string;
  /** A new or empty directory to restore into. */
  readonly dataDir: string;
  /**
   * The live erasure list (a copy of the current data directory's erasures.jsonl, kept outside
   * the backups). Its records are merged with the backup's own and all are re-applied; without
   * it only the backup's own list is, and erasures made after the backup are not.
   */
  readonly erasureList?: string;
  readonly erasureHook: ErasureHook;
  /**
   * Runs on the staging directory once the files are in and the erasures re-applied; it is
   * renamed to `dataDir` only when this resolves true, and removed otherwise.
   */
  readonly check?: (stagingDir: string) => Promise<boolean>;
  readonly onProgress?: (line: string) => void;
  /** One line per leftover staging directory of an interrupted restore found beside `dataDir`. */
  readonly onNotice?: (line: string) => void;
}

export interface RestoreReport {
  readonly dataDir: string;
  readonly manifest: BackupManifest;
  readonly reapplied: readonly ErasureReapplication[];
  /** False when `check` failed: nothing was left at `dataDir`. */
  readonly placed: boolean;
}

export async function restoreDataDir(options: RestoreOptions): Promise<RestoreReport> {
  const from = resolve(options.from);
  const dataDir = resolve(options.dataDir);
  const manifest = readManifest(from);
  // As backup refuses an --out inside the data directory: a live ledger (and its master.key)
  // inside a backup would be archived, copied and deleted with it.
  const inside = relative(from, dataDir);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new BackupError('refused', `--data-dir ${dataDir} is inside the backup ${from}; restore elsewhere`);
  }
  assertEmptyOrAbsent(dataDir, 'restore', '--data-dir');
  const given = options.erasureList === undefined ? [] : readGivenErasureList(resolve(options.erasureList));
  await checkAgainstManifest(from, manifest, options.onProgress);

  const guarded = createStagingDir(
    dataDir,
    'restoring',
    { label: 'restore', flag: '--data-dir' },
    options.onNotice,
  );
  const staging = guarded.path;
  const reapplied: ErasureReapplication[] = [];
  let placed = false;
  try {
    await copyInto(staging, from, manifest);
    const erasures = await mergeErasureList(staging, given);
    options.onProgress?.(`copied ${manifest.files.length} files into ${staging}`);
    // The hook sees the staging directory: the restored ledger is never in place without them.
    for (const record of erasures) {
      const result = await options.erasureHook.reapply(record, staging);
      options.onProgress?.(`erasure of ${result.volunteerId}: ${result.outcome} (${result.detail})`);
      reapplied.push(result);
    }
    placed = options.check === undefined ? true : await options.check(staging);
    if (placed) {
      renameIntoPlace(staging, dataDir, '--data-dir', 'another restore (or a server started on it)');
      options.onProgress?.(`restored ${manifest.files.length} files into ${dataDir}`);
    } else {
      rmSync(staging, { recursive: true, force: true });
      options.onProgress?.(`the check failed: removed ${staging}, nothing restored into ${dataDir}`);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw failureAfterStaging(error, dataDir, 'restore');
  } finally {
    guarded.release();
  }
  return { dataDir, manifest, reapplied, placed };
}

function readManifest(from: string): BackupManifest {
  const path = join(from, BACKUP_MANIFEST_FILE);
  if (!existsSync(from) || !statSync(from).isDirectory()) {
    throw new BackupError('refused', `--from ${from} does not exist or is not a directory`);
  }
  if (!existsSync(path)) {
    throw new BackupError(
      'refused',
      `--from ${from} has no ${BACKUP_MANIFEST_FILE}; it is not a complete backup`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new BackupError('damaged', `${path} is not JSON`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BackupError(
      'damaged',
      `${path} is not a backup manifest: ${issue?.path.join('.')} ${issue?.message}`,
    );
  }
  const names = result.data.files.map((file) => file.name);
  if (new Set(names).size !== names.length) throw new BackupError('damaged', `${path} names a file twice`);
  if (!names.includes(EVENT_STORE_FILE)) {
    throw new BackupError('damaged', `${path} has no ${EVENT_STORE_FILE}`);
  }
  return result.data;
}

function readGivenErasureList(path: string): ErasureRecord[] {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new BackupError('refused', `--erasure-list ${path} does not exist or is not a file`);
  }
  try {
    return parseErasureList(readFileSync(path, 'utf8'), path);
  } catch (error) {
    throw new BackupError(
      'refused',
      `--erasure-list ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function checkAgainstManifest(
  from: string,
  manifest: BackupManifest,
  onProgress: ((line: string) => void) | undefined,
): Promise<void> {
  for (const file of manifest.files) {
    const path = join(from, file.name);
    if (!existsSync(path)) throw new BackupError('damaged', `${path} is in the manifest but missing`);
    const bytes = statSync(path).size;
    if (bytes !== file.bytes) {
      throw new BackupError('damaged', `${path} has ${bytes} bytes, the manifest says ${file.bytes}`);
    }
    const sha256 = await sha256OfFile(path);
    if (sha256 !== file.sha256) {
      throw new BackupError('damaged', `${path} has sha256 ${sha256}, the manifest says ${file.sha256}`);
    }
    onProgress?.(`${file.name}: ${bytes} bytes, sha256 matches the manifest`);
  }
}

async function copyInto(staging: string, from: string, manifest: BackupManifest): Promise<void> {
  for (const file of manifest.files) {
    const target = join(staging, file.name);
    copyFileSync(join(from, file.name), target);
    chmodSync(target, Number.parseInt(file.mode, 8));
    await syncFile(target);
    // The backup could change between the check and the copy; what lands must be what was checked.
    if ((await sha256OfFile(target)) !== file.sha256) {
      throw new BackupError('damaged', `${join(from, file.name)} changed while it was being restored`);
    }
  }
}

/**
 * The restored data directory's erasure list becomes the backup's own records followed by those
 * of the given list it lacks, so that the next backup carries every erasure known; returns them all.
 */
async function mergeErasureList(staging: string, given: readonly ErasureRecord[]): Promise<ErasureRecord[]> {
  const list = erasureListAt(join(staging, ERASURE_LIST_FILE));
  const own = await list.read();
  const seen = new Set(own.map((record) => JSON.stringify(record)));
  const missing = given.filter((record) => !seen.has(JSON.stringify(record)));
  for (const record of missing) await list.append(record);
  return [...own, ...missing];
}
