/**
 * Where the first-run administrator key goes: a file only its owner can read, never stdout.
 * Wherever stdout is collected (a container's log driver, `> file`), a printed key would sit
 * beside the logs; a 0600 file in the data directory sits beside the data it unlocks.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeptBootstrapKey } from './api-keys.js';

/** Owner read and write only: the key is an administrator's credential. */
const KEY_FILE_MODE = 0o600;

/**
 * Writes the key to a temporary file beside `path` (mode 0600) before the key is appended; the
 * caller renames it into place once the append succeeded, or removes it when another process
 * won the bootstrap race. A previous file at `path` (from a store since wiped) is replaced.
 */
export function keepBootstrapKeyInFile(path: string): (key: string, keyId: string) => KeptBootstrapKey {
  return (key, keyId) => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const staged = `${path}.${keyId}.tmp`;
    writeFileSync(staged, `${key}\n`, { mode: KEY_FILE_MODE, flag: 'wx' });
    // The mode given to writeFileSync is only applied when the file is created and is masked by
    // the umask; set it explicitly so the file is 0600 whatever the umask.
    chmodSync(staged, KEY_FILE_MODE);
    return {
      commit: () => {
        renameSync(staged, path);
        return path;
      },
      discard: () => rmSync(staged, { force: true }),
    };
  };
}
