/**
 * LEDGER_DATA_DIR, checked and created before anything else uses it, so that a path that cannot be
 * a data directory stops start-up as bad configuration (exit 2, naming the variable).
 */
import { directoryProblem } from '@timebank/ledger-opener';
import { ConfigError } from './config.js';

/**
 * Makes sure `dataDir` is a directory the server can write into, creating it and its missing
 * parents one level at a time, by the rule every `pnpm ledger` output directory follows
 * (`directoryProblem`: each level tried once, so a path under `/proc`, where Node's recursive
 * mkdir loops for ever, is refused at once and named).
 * @throws ConfigError naming LEDGER_DATA_DIR: a file on the path, a level that cannot be created,
 * or a directory this process cannot write into (a read-only mount).
 */
export function ensureDataDir(dataDir: string): void {
  const problem = directoryProblem(dataDir);
  if (problem !== undefined) {
    throw new ConfigError(['LEDGER_DATA_DIR'], `invalid configuration:\n  LEDGER_DATA_DIR: ${problem}`);
  }
}
