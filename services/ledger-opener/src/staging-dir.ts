/**
 * The hidden staging directory that `backup` and `restore` assemble their result in before
 * renaming it into place: `.<target>.<tag>-<pid>` beside the target. Two guards keep it from
 * outliving its command:
 * - while it exists, SIGINT, SIGTERM and SIGHUP remove it and end the process with 128 + the
 *   signal's number (130, 143, 129), saying so on stderr;
 * - a later run for the same target removes the staging directories of that target whose process
 *   is gone (SIGKILL, a power cut), and reports each one it removed or left alone.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { saysDiskFull } from '@timebank/event-store';
import { BackupError } from './backup-manifest.js';
import { directoryProblem } from './ensure-directory.js';

export type StagingTag = 'incomplete' | 'restoring';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StagingDir {
  readonly path: string;
  /** Stops guarding the directory (after it was renamed into place or removed). */
  release(): void;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `.<target>.<tag>-<pid>` directories beside `target` that an earlier, interrupted run
 * left (its process no longer exists); `notice` gets one line per leftover found.
 */
export function removeStaleStaging(target: string, tag: StagingTag, notice?: (line: string) => void): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.${tag}-(\\d+)$`);
  for (const entry of readdirSync(parent)) {
    const pid = pattern.exec(entry)?.[1];
    if (pid === undefined) continue;
    const path = join(parent, entry);
    if (Number(pid) !== process.pid && processIsAlive(Number(pid))) {
      notice?.(`left ${path} alone: process ${pid}, which may still be writing it, is running`);
      continue;
    }
    rmSync(path, { recursive: true, force: true });
    notice?.(`removed ${path}, the staging directory of an interrupted run (process ${pid})`);
  }
}

/**
 * Creates the staging directory for `target` (after removing stale ones) and guards it until
 * `release()`: a signal removes it and ends the process. A place where it cannot be created (a
 * file on the path, a read-only or pseudo file system) is refused naming `command.flag`, the
 * target's flag; `command.label` starts the line a signal prints.
 */
export function createStagingDir(
  target: string,
  tag: StagingTag,
  command: { readonly label: string; readonly flag: string },
  notice?: (line: string) => void,
): StagingDir {
  const { label, flag } = command;
  const problem = directoryProblem(dirname(target));
  if (problem !== undefined) throw new BackupError('refused', `${flag} ${target}: ${problem}`);
  removeStaleStaging(target, tag, notice);
  const path = join(dirname(target), `.${basename(target)}.${tag}-${process.pid}`);
  mkdirSync(path, { mode: 0o700 });
  const onSignal = (signal: NodeJS.Signals): void => {
    // Gone already when it was renamed into place just before the signal: then nothing to undo.
    const removed = existsSync(path) ? `; removed the staging directory ${path}` : '';
    rmSync(path, { recursive: true, force: true });
    process.stderr.write(`${label}: interrupted by ${signal}${removed}\n`);
    process.exit(128 + constants.signals[signal]);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    path,
    release() {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}

/**
 * Renames the finished staging directory to `target` (rename(2) replaces an empty directory). A
 * target that something else filled meanwhile (`filledBy`: another run, a server started on it)
 * is refused naming `flag`; the caller then removes its staging directory.
 */
export function renameIntoPlace(staging: string, target: string, flag: string, filledBy: string): void {
  try {
    renameSync(staging, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
    throw new BackupError(
      'refused',
      `${flag} ${target} was filled by ${filledBy} while this one ran; this copy was discarded and that one left as it is`,
    );
  }
}

/**
 * What to throw once a failed `backup` or `restore` removed its staging directory: a full disk
 * said as such, naming the target and that nothing was kept (SQLite's own words, "database or disk
 * is full", did not say which disk, nor that the half-written copy was gone); anything else as it
 * was.
 */
export function failureAfterStaging(error: unknown, target: string, label: 'backup' | 'restore'): unknown {
  if (!saysDiskFull(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Error(
    `no space left on the disk of ${target} (${message}); the partly written ${label} was removed`,
    { cause: error },
  );
}
