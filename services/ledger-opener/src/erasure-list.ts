/**
 * The erasure list: one JSON line per erasure of a person's data, appended to `erasures.jsonl` in
 * the data directory when the erasure happens, and never rewritten. It lives outside the key
 * store on purpose: restoring a backup taken before an erasure brings the person's data key back,
 * and `pnpm ledger restore` then re-applies the list through an ErasureHook so that it is
 * deleted again.
 *
 * The ledger appends a record (`createLedger({ erasureLog })`) after each erasure has destroyed
 * the key; `keyStoreErasureHook` re-applies records to a restored key store. `reportOnlyErasureHook`
 * deletes nothing and only says what it would do (for tests of the restore mechanics).
 */
import { appendFile, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ERASURE_LIST_FILE } from './file-names.js';

const recordSchema = z.object({
  volunteerId: z.string().min(1),
  /** ISO 8601 instant of the erasure. */
  erasedAt: z.iso.datetime({ offset: true }),
  /** Why: withdrawal of consent, end of retention, …; free text without personal data. */
  reason: z.string().min(1),
});

/** One erasure, as recorded in the erasure list. No personal data: the id is not derived from it. */
export type ErasureRecord = z.infer<typeof recordSchema>;

/** What re-applying one erasure to a restored data directory did. */
export interface ErasureReapplication {
  readonly volunteerId: string;
  /**
   * `erased`: the restored key store still held the person's key and it is now gone;
   * `already-erased`: nothing was left to delete; `reported`: nothing deleted, only reported
   * (there is no key store to erase from yet).
   */
  readonly outcome: 'erased' | 'already-erased' | 'reported';
  readonly detail: string;
}

/**
 * Re-applies erasures on restore. Implemented by the privacy work; called once per record, in the
 * list's order, after the files are restored and before `verify`. Must be idempotent: a list may
 * name a person whose erasure the restored backup already contains.
 */
export interface ErasureHook {
  reapply(record: ErasureRecord, dataDir: string): Promise<ErasureReapplication>;
}

/** The hook until a key store exists: it deletes nothing and says so. */
export const reportOnlyErasureHook: ErasureHook = {
  reapply(record) {
    return Promise.resolve({
      volunteerId: record.volunteerId,
      outcome: 'reported',
      detail: `erased ${record.erasedAt} (${record.reason}); no key store to erase from`,
    });
  },
};

export interface ErasureList {
  readonly path: string;
  /** Appends one record and fsyncs the file before resolving. */
  append(record: ErasureRecord): Promise<void>;
  /** Every record, oldest first; [] when the file does not exist. */
  read(): Promise<ErasureRecord[]>;
}

export function createErasureList(dataDir: string): ErasureList {
  return erasureListAt(join(dataDir, ERASURE_LIST_FILE));
}

/** The list at an explicit path: `pnpm ledger restore --erasure-list <file>`. */
export function erasureListAt(path: string): ErasureList {
  return {
    path,
    async append(record) {
      const line = JSON.stringify(recordSchema.parse(record)) + '\n';
      await appendFile(path, line, { mode: 0o600 });
      const file = await open(path, 'r');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
    },
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return parseErasureList(text, path);
    },
  };
}

/** Parses the list; a malformed line is an error naming the file and line, never skipped. */
export function parseErasureList(text: string, path: string): ErasureRecord[] {
  const records: ErasureRecord[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${index + 1}: not a JSON line`);
    }
    const result = recordSchema.safeParse(parsed);
    if (!result.success) {
      // One line, as every refusal of pnpm ledger restore: zod's own message is indented JSON.
      const issues = result.error.issues
        .map((issue) => `${issue.path.join('.') || 'the line'}: ${issue.message}`)
        .join('; ');
      throw new Error(`${path}:${index + 1}: not an erasure record: ${issues}`);
    }
    records.push(result.data);
  }
  return records;
}
