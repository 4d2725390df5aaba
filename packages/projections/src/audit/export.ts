/**
 * `export`: every event as one NDJSON line (positions and revisions as strings, with its stored
 * hash), plus `manifest.json` with counts, the last position, every stream's head hash and a root
 * hash over those heads. With the bundle alone an auditor can re-check every chain offline and
 * compare the root hash with one published earlier.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { EventStore, RecordedEvent } from '@timebank/event-store';
import { isProjectionError, ProjectionError } from '../errors.js';
import { describeHolder, holdLockFile, type HeldLockFile } from '../dialect/sqlite-lock-file.js';
import { ChainChecker, type StreamHead } from './chain-checker.js';

export const EVENTS_FILE = 'events.ndjson';
export const MANIFEST_FILE = 'manifest.json';
export const BUNDLE_FORMAT = 'timebank-ledger-export/1';

export interface ExportManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly engine: string;
  readonly exportedAt: string;
  readonly eventCount: number;
  readonly streamCount: number;
  readonly lastPosition: string;
  readonly eventsFile: typeof EVENTS_FILE;
  /** sha-256 of the events file's bytes. */
  readonly eventsSha256: string;
  readonly streams: readonly {
    streamName: string;
    headRevision: string;
    headHash: string;
    eventCount: number;
  }[];
  /** sha-256 over `streamName ␠ headRevision ␠ headHash ⏎` of every stream, sorted by name (see `rootHash`). */
  readonly rootHash: string;
}

/** The root hash over stream heads: one value an auditor can publish and compare later. */
export function rootHash(
  heads: readonly { streamName: string; headRevision: string; headHash: string }[],
): string {
  const hash = createHash('sha256');
  for (const head of heads) hash.update(`${head.streamName} ${head.headRevision} ${head.headHash}\n`);
  return hash.digest('hex');
}

/** One export line; the key order is fixed so the file is reproducible byte for byte. */
export function exportLine(event: RecordedEvent): string {
  return JSON.stringify({
    position: event.position.toString(),
    streamName: event.streamName,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
    hash: event.hash,
  });
}

export interface ExportOptions {
  readonly store: EventStore;
  readonly directory: string;
  /** Wall clock, for `exportedAt`. */
  readonly now?: () => Date;
  readonly onProgress?: (events: number, position: bigint) => void;
  /**
   * Stops the export between two pages: the partly written events file is removed (and the
   * directory, if the export made it) and PROJECTION_INTERRUPTED thrown, so nothing that looks
   * like a bundle is left behind.
   */
  readonly signal?: AbortSignal;
}

/** Where the files go while they are written: renamed to their names once both are whole. */
const PARTIAL_SUFFIX = '.partial';
/** Held in the directory while an export writes there; removed when it ends. */
const EXPORT_LOCK_FILE = '.export.lock';

/**
 * Makes `directory` and answers a function that removes again the levels this call created,
 * if they are still empty: a failed export leaves the file system as it found it.
 */
async function makeDirectory(directory: string): Promise<() => Promise<void>> {
  const first = await mkdir(directory, { recursive: true });
  return async () => {
    if (first === undefined) return;
    for (let level = resolve(directory); ; level = dirname(level)) {
      // Not recursive: a level that something else wrote into meanwhile stays.
      if (
        !(await rmdir(level).then(
          () => true,
          () => false,
        ))
      )
        return;
      if (level === resolve(first)) return;
    }
  };
}

interface WrittenEvents {
  readonly count: number;
  readonly position: bigint;
  readonly sha256: string;
  readonly chain: ChainChecker;
}

/** Every event into `path`, page by page, flushed to disk; a write error (disk full) rejects. */
async function writeEvents(options: ExportOptions, path: string): Promise<WrittenEvents> {
  const file = await open(path, 'w');
  const fileHash = createHash('sha256');
  const chain = new ChainChecker();
  let count = 0;
  let position = 0n;
  try {
    for (;;) {
      if (options.signal?.aborted === true) {
        throw new ProjectionError(
          'PROJECTION_INTERRUPTED',
          `export interrupted at position ${position}; the partly written ${EVENTS_FILE} was removed`,
        );
      }
      const page = await options.store.readAll({ fromPosition: position });
      if (page.length === 0) break;
      const text = page.map((event) => exportLine(event) + '\n').join('');
      fileHash.update(text);
      // Heads are taken as stored; findings are for `verify --bundle` to report.
      for (const event of page) chain.check(event);
      count += page.length;
      position = page.at(-1)?.position ?? position;
      await file.writeFile(text);
      options.onProgress?.(count, position);
    }
    await file.sync();
  } catch (error) {
    if (isProjectionError(error)) throw error;
    throw new Error(
      `export failed at position ${position} (${error instanceof Error ? error.message : String(error)}); the partly written bundle was removed`,
    );
  } finally {
    await file.close();
  }
  return { count, position, sha256: fileHash.digest('hex'), chain };
}

function manifestOf(options: ExportOptions, events: WrittenEvents): ExportManifest {
  const heads = events.chain.heads().map((head: StreamHead) => ({
    streamName: head.streamName,
    headRevision: head.headRevision.toString(),
    headHash: head.headHash,
    eventCount: head.eventCount,
  }));
  return {
    format: BUNDLE_FORMAT,
    engine: options.store.engine,
    exportedAt: (options.now?.() ?? new Date()).toISOString(),
    eventCount: events.count,
    streamCount: heads.length,
    lastPosition: events.position.toString(),
    eventsFile: EVENTS_FILE,
    eventsSha256: events.sha256,
    streams: heads,
    rootHash: rootHash(heads),
  };
}

/**
 * Writes the bundle whole or not at all: both files are written under a `.partial` name and
 * renamed only when both are in, the manifest last (it is what makes a directory a bundle). On
 * any failure or interruption the partial files, and the directories this export made, are removed.
 * One export at a time writes into a directory: it holds `.export.lock` there while it runs (see
 * `holdLockFile`), and a second one is refused before it writes anything. Two used to write the
 * same partial file at once.
 */
export async function exportLedger(options: ExportOptions): Promise<ExportManifest> {
  const removeDirectory = await makeDirectory(options.directory);
  const lockPath = join(options.directory, EXPORT_LOCK_FILE);
  let lock: HeldLockFile;
  try {
    lock = holdLockFile(lockPath);
  } catch (error) {
    await removeDirectory();
    throw error;
  }
  if (!lock.held) {
    throw new ProjectionError(
      'PROJECTION_INVALID_ARGUMENT',
      `--out ${options.directory} is being written by another export (${describeHolder(lock.holder)}); wait for it to finish, or export into another directory`,
    );
  }
  const unlock = async (): Promise<void> => {
    lock.release();
    for (const path of [lockPath, `${lockPath}.json`]) await rm(path, { force: true });
  };
  const eventsPath = join(options.directory, EVENTS_FILE);
  const manifestPath = join(options.directory, MANIFEST_FILE);
  const partials = [`${eventsPath}${PARTIAL_SUFFIX}`, `${manifestPath}${PARTIAL_SUFFIX}`] as const;
  let renamed = false;
  try {
    const events = await writeEvents(options, partials[0]);
    const manifest = manifestOf(options, events);
    await writeFile(partials[1], JSON.stringify(manifest, null, 2) + '\n', { flush: true }).catch(
      (error: unknown) => {
        throw new Error(
          `export failed writing ${MANIFEST_FILE} (${error instanceof Error ? error.message : String(error)}); the partly written bundle was removed`,
        );
      },
    );
    await rename(partials[0], eventsPath);
    renamed = true;
    await rename(partials[1], manifestPath);
    await unlock();
    return manifest;
  } catch (error) {
    for (const path of renamed ? [...partials, eventsPath] : partials) await rm(path, { force: true });
    await unlock();
    await removeDirectory();
    throw error;
  }
}
