/**
 * The backup's manifest and what backup and restore share: hashing a file, the refusal error,
 * and the checks on directories that must be empty before anything is written into them.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { BACKUP_FILES } from './file-names.js';

/** Written into every manifest; a restore refuses any other. */
export const BACKUP_FORMAT = 'timebank-ledger-backup';
export const BACKUP_FORMAT_VERSION = 1;

const knownNames = new Set(BACKUP_FILES.map((file) => file.name));

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_FORMAT_VERSION),
  createdAt: z.string(),
  /** Where the copied data directory was, for the operator's orientation only. */
  sourceDataDir: z.string(),
  files: z.array(
    z.object({
      // Only names the ledger backs up: a manifest can never make restore write elsewhere.
      name: z.string().refine((name) => knownNames.has(name), 'not a file the ledger backs up'),
      kind: z.enum(['sqlite', 'file']),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      /** Permission bits as octal digits, e.g. "600". */
      mode: z.string().regex(/^[0-7]{3,4}$/),
    }),
  ),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupManifestEntry = BackupManifest['files'][number];

/**
 * Backup or restore would not start (`refused`: bad input, nothing was written) or the backup
 * does not match its manifest (`damaged`: nothing was written either). The message names the
 * path and what to do, in one line.
 */
export class BackupError extends Error {
  override readonly name = 'BackupError';

  constructor(
    readonly reason: 'refused' | 'damaged',
    message: string,
  ) {
    super(message);
  }
}

export function isBackupError(error: unknown): error is BackupError {
  return error instanceof BackupError;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Flushes a file's data to the disk: a backup that sits in the page cache is not one. */
export async function syncFile(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** A directory to write into must not exist yet, or be an empty directory. */
export function assertEmptyOrAbsent(path: string, what: string, flag: string): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) {
    throw new BackupError('refused', `${flag} ${path} is not a directory`);
  }
  const entries = readdirSync(path);
  if (entries.length > 0) {
    throw new BackupError(
      'refused',
      `${flag} ${path} is not empty (${entries.length} entries); ${what} never overwrites, give an empty or new directory`,
    );
  }
}

export const modeString = (mode: number): string => (mode & 0o7777).toString(8).padStart(3, '0');
