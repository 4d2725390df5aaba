/**
 * `export`: every event as one NDJSON line (positions and revisions as strings, with its stored
 * hash), plus `manifest.json` with counts, the last position, every stream's head hash and a root
 * hash over those heads. With the bundle alone an auditor can re-check every chain offline and
 * compare the root hash with one published earlier.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { EventStore, RecordedEvent } from '@timebank/event-store';
import { ProjectionError } from '../errors.js';
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
   * Stops the export between two pages: the partly written events file is removed and
   * PROJECTION_INTERRUPTED thrown, so nothing that looks like a bundle is left behind.
   */
  readonly signal?: AbortSignal;
}

/** Where the events go while they are written: renamed to EVENTS_FILE once all are in. */
const PARTIAL_SUFFIX = '.partial';

export async function exportLedger(options: ExportOptions): Promise<ExportManifest> {
  await mkdir(options.directory, { recursive: true });
  // A bundle appears only when complete: a killed export leaves at most `events.ndjson.partial`,
  // which the next export into the directory writes over.
  const eventsPath = join(options.directory, EVENTS_FILE);
  const partialPath = `${eventsPath}${PARTIAL_SUFFIX}`;
  const file = createWriteStream(partialPath);
  const fileHash = createHash('sha256');
  const chain = new ChainChecker();
  let count = 0;
  let position = 0n;
  let complete = false;
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
      if (!file.write(text)) await once(file, 'drain');
      options.onProgress?.(count, position);
    }
    complete = true;
  } finally {
    file.end();
    await once(file, 'close');
    if (!complete) await rm(partialPath, { force: true });
  }
  await rename(partialPath, eventsPath);
  const heads = chain.heads().map((head: StreamHead) => ({
    streamName: head.streamName,
    headRevision: head.headRevision.toString(),
    headHash: head.headHash,
    eventCount: head.eventCount,
  }));
  const manifest: ExportManifest = {
    format: BUNDLE_FORMAT,
    engine: options.store.engine,
    exportedAt: (options.now?.() ?? new Date()).toISOString(),
    eventCount: count,
    streamCount: heads.length,
    lastPosition: position.toString(),
    eventsFile: EVENTS_FILE,
    eventsSha256: fileHash.digest('hex'),
    streams: heads,
    rootHash: rootHash(heads),
  };
  await writeFile(join(options.directory, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
