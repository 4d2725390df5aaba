/**
 * A directory a command writes into (`--out`, a restore's `--data-dir`), created before any work
 * with each missing level tried once, so that a path that cannot be one is refused up front and
 * named, instead of failing late with the system's bare words, or hanging.
 */
import { accessSync, constants, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Makes sure `directory` is a directory this process can write into, creating it and its missing parents one level at a time, and
 * answers what is wrong (`undefined` when it is one). Node's `mkdirSync(path, { recursive: true })`
 * loops for ever where the kernel answers ENOENT to a mkdir whose parent exists (`/proc/self/foo`:
 * it takes ENOENT to mean the parent is missing, finds it there, and tries the child again); here
 * each level is tried once and the first one refused is named. The walk up is bounded by the
 * path's depth. The same rule as the API's LEDGER_DATA_DIR (services/ledger-api/src/data-dir.ts).
 * A refusal leaves nothing behind: the levels it had created are removed again, and so they are
 * with `probe`, which only checks that the directory could be made (for a command that writes it
 * at its end, and should leave nothing when it fails or is stopped before).
 */
export function directoryProblem(
  directory: string,
  options: { readonly probe?: boolean } = {},
): string | undefined {
  const path = resolve(directory);
  const missing: string[] = [];
  for (let level = path; ; level = dirname(level)) {
    let stats;
    try {
      stats = statSync(level, { throwIfNoEntry: false });
    } catch (error) {
      // A file further up: the walk goes on up to name it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR')
        return `cannot read ${level}: ${(error as Error).message}`;
    }
    if (stats !== undefined) {
      if (stats.isDirectory()) break;
      return level === path ? `${path} is not a directory` : `${level}, on its path, is not a directory`;
    }
    missing.push(level);
    if (dirname(level) === level) break;
  }
  const created: string[] = [];
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
      created.push(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      for (const made of created.reverse()) rmdirSync(made);
      return `cannot create ${level}: ${(error as Error).message}`;
    }
  }
  let problem: string | undefined;
  try {
    // W_OK answers EROFS on a read-only mount, even for root.
    accessSync(path, constants.W_OK);
  } catch (error) {
    problem = `cannot write into ${path}: ${(error as Error).message}`;
  }
  if (problem !== undefined || options.probe === true) for (const made of created.reverse()) rmdirSync(made);
  return problem;
}
