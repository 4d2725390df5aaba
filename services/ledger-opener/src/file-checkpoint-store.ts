/**
 * Where a follower of the store keeps the global position up to which it has handled everything:
 * the Kafka relay (acknowledged by the broker) and the API's reactor (reactions run). A small file, replaced atomically (write a temporary file, fsync it, rename over the old one,
 * fsync the directory): one value needs no database, and a file works the same whichever engine
 * holds the ledger (SQLite, PostgreSQL, EventStoreDB). A crash leaves either the old or the new
 * checkpoint, never a torn one; an old one only means some events are published again, which
 * at-least-once delivery with event-id deduplication already allows.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface CheckpointStore {
  /** The saved position, or 0n (the beginning) when nothing was saved yet. */
  load(): Promise<bigint>;
  /** Durably records `position`; resolves after the data reached the disk. Never moves backwards. */
  save(position: bigint): Promise<void>;
  /**
   * Durably records `position` below the saved one: only for a checkpoint found beyond the store's
   * last event (the store was restored from an older backup), never in the course of following it.
   */
  rewind(position: bigint): Promise<void>;
}

const fileSchema = z.object({
  /** bigint as a decimal string, as positions travel everywhere outside the process. */
  position: z.string().regex(/^\d+$/),
  savedAt: z.string(),
});

export function createFileCheckpointStore(path: string): CheckpointStore {
  let lastSaved: bigint | undefined;
  return {
    async load(): Promise<bigint> {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0n;
        throw error;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = fileSchema.safeParse(json);
      // A checkpoint file we cannot read is not "start from 0": that would republish everything.
      if (!parsed.success) {
        const why =
          json === undefined
            ? 'not JSON'
            : parsed.error.issues
                .map((issue) => `${issue.path.join('.') || 'the file'}: ${issue.message}`)
                .join('; ');
        throw new Error(
          `checkpoint file ${path} is malformed (${why}); expected {"position":"<digits>","savedAt":"…"}`,
        );
      }
      lastSaved = BigInt(parsed.data.position);
      return lastSaved;
    },
    async save(position: bigint): Promise<void> {
      if (lastSaved !== undefined && position < lastSaved) {
        throw new Error(`checkpoint would move backwards from ${lastSaved} to ${position}`);
      }
      await write(position);
    },
    rewind: write,
  };

  async function write(position: bigint): Promise<void> {
    if (position < 0n) throw new RangeError(`checkpoint position ${position} is negative`);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(
        JSON.stringify({ position: position.toString(), savedAt: new Date().toISOString() }),
      );
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    const directory = await open(dirname(path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    lastSaved = position;
  }
}
