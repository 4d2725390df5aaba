/**
 * Where the first-run administrator key goes: a file only its owner can read, never stdout.
 * Wherever stdout is collected (a container's log driver, `> file`), a printed key would sit
 * beside the logs; a 0600 file in the data directory sits beside the data it unlocks.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
        try {
          renameSync(staged, path);
        } catch (error) {
          // Another process's start-up found it staged and already put it in place (below).
          if (!isMissing(error) || !holdsKey(path, key)) throw error;
        }
        return path;
      },
      discard: () => rmSync(staged, { force: true }),
    };
  };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function holdsKey(path: string, key: string): boolean {
  try {
    return readFileSync(path, 'utf8') === `${key}\n`;
  } catch {
    return false;
  }
}

/**
 * The bootstrap key of a first start that was killed (a `kill -9`, a crash, a supervisor's
 * timeout) after the store had the key's `ApiKeyIssued` but before its file was renamed into
 * place: the only administrator key was left in `<path>.<keyId>.tmp`, and every later start, the
 * ledger no longer being empty, issued none and said nothing. When no file is at `path`, a staged
 * key the ledger knows as an active key (`isActive`) is renamed into place and returned, for the
 * start-up to name as a first run does. A staged file whose key the ledger does not know (the
 * append never happened, or is still running in another process) is left alone.
 */
export function recoverStagedBootstrapKey(
  path: string,
  isActive: (keyId: string, key: string) => boolean,
): { keyId: string; kept: string } | undefined {
  if (existsSync(path)) return undefined;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return undefined;
  }
  const prefix = `${basename(path)}.`;
  for (const name of names) {
    const keyId = name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -4) : '';
    if (!/^[0-9a-f-]{36}$/.test(keyId)) continue;
    const file = join(dirname(path), name);
    try {
      if (!isActive(keyId, readFileSync(file, 'utf8').trim())) continue;
      renameSync(file, path);
    } catch (error) {
      if (isMissing(error)) continue; // another process's start-up put it in place first
      throw error;
    }
    return { keyId, kept: path };
  }
  return undefined;
}
