/**
 * LEDGER_DATA_DIR, checked and created before anything else uses it, so that a path that cannot be
 * a data directory stops start-up as bad configuration (exit 2, naming the variable).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config.js';

function refusal(detail: string): ConfigError {
  return new ConfigError(['LEDGER_DATA_DIR'], `invalid configuration:\n  LEDGER_DATA_DIR: ${detail}`);
}

/**
 * Makes sure `dataDir` is a directory, creating it and its missing parents one level at a time.
 * Node's `mkdirSync(path, { recursive: true })` loops for ever where the kernel answers ENOENT to
 * a mkdir whose parent exists (`/proc/self/foo`: it takes ENOENT to mean the parent is missing,
 * finds it there, and tries the child again), which hung start-up; here each level is tried once
 * and the first one refused is named. The walk up is bounded by the path's depth.
 * @throws ConfigError naming LEDGER_DATA_DIR: a file on the path, or a level that cannot be created.
 */
export function ensureDataDir(dataDir: string): void {
  const path = resolve(dataDir);
  const missing: string[] = [];
  for (let level = path; ; level = dirname(level)) {
    let stats;
    try {
      stats = statSync(level, { throwIfNoEntry: false });
    } catch (error) {
      // A file further up: the walk goes on up to name it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR')
        throw refusal(`cannot read ${level}: ${(error as Error).message}`);
    }
    if (stats !== undefined) {
      if (stats.isDirectory()) break;
      throw refusal(
        level === path
          ? `must name a directory (created when missing); ${path} is not one`
          : `must name a directory (created when missing); ${level}, on its path, is not one`,
      );
    }
    missing.push(level);
    if (dirname(level) === level) break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Created meanwhile by another process of ours (a cluster's workers start together).
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw refusal(`cannot create ${level}: ${(error as Error).message}`);
    }
  }
}
