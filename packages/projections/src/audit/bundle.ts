/**
 * `verify --bundle <dir>`: checks an export offline, with no database: the events file's
 * sha-256, every line's shape, then the same per-event checks as `verify` (positions increasing,
 * every stream's hash chain, every event against the ledger's event catalogue), and the counts,
 * head hashes and root hash of the manifest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ProjectionError } from '../errors.js';
import { LogChecker } from './log-checker.js';
import { BUNDLE_FORMAT, EVENTS_FILE, MANIFEST_FILE, rootHash } from './export.js';

const digits = z.string().regex(/^\d+$/);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  eventCount: z.number().int().nonnegative(),
  streamCount: z.number().int().nonnegative(),
  lastPosition: digits,
  eventsFile: z.literal(EVENTS_FILE),
  eventsSha256: hex64,
  streams: z.array(
    z.object({ streamName: z.string(), headRevision: digits, headHash: hex64, eventCount: z.number().int() }),
  ),
  rootHash: hex64,
});
const lineSchema = z.object({
  position: digits,
  streamName: z.string().min(1),
  revision: digits,
  id: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.object({ schemaVersion: z.number().int() }).loose(),
  recordedAt: z.string(),
  hash: hex64,
});

export interface BundleFinding {
  readonly streamName?: string;
  readonly revision?: bigint;
  readonly line?: number;
  readonly message: string;
}

export interface BundleReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  readonly rootHash: string;
  readonly findings: readonly BundleFinding[];
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

type Manifest = z.infer<typeof manifestSchema>;
type Head = Manifest['streams'][number];

/** Reads and validates the manifest; a bundle without a usable one cannot be checked at all. */
async function readManifest(directory: string): Promise<Manifest> {
  let manifestText: string;
  try {
    manifestText = await readFile(join(directory, MANIFEST_FILE), 'utf8');
  } catch (error) {
    throw new ProjectionError(
      'PROJECTION_BUNDLE_INVALID',
      `cannot read ${MANIFEST_FILE} in ${directory}: ${String(error)}`,
    );
  }
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestText);
  } catch {
    throw new ProjectionError('PROJECTION_BUNDLE_INVALID', `${MANIFEST_FILE} is not JSON`);
  }
  const parsedManifest = manifestSchema.safeParse(manifestJson);
  if (!parsedManifest.success) {
    throw new ProjectionError(
      'PROJECTION_BUNDLE_INVALID',
      // One line: zod's own message is indented JSON.
      `${MANIFEST_FILE} is malformed: ${parsedManifest.error.issues
        .map((issue) => `${issue.path.join('.') || 'the document'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return parsedManifest.data;
}

/** Runs every line through the log checker; returns the number of lines read. */
async function checkEventLines(
  eventsPath: string,
  log: LogChecker,
  findings: BundleFinding[],
): Promise<number> {
  let lineNumber = 0;
  for await (const text of createInterface({ input: createReadStream(eventsPath), crlfDelay: Infinity })) {
    lineNumber += 1;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(text));
    } catch {
      findings.push({ line: lineNumber, message: `line ${lineNumber} is not a well-formed event` });
      continue;
    }
    const event = {
      ...parsed,
      position: BigInt(parsed.position),
      revision: BigInt(parsed.revision),
      data: parsed.data as never,
      metadata: parsed.metadata as never,
    };
    for (const finding of log.check(event)) {
      findings.push({
        streamName: finding.streamName,
        revision: finding.revision,
        line: lineNumber,
        message: finding.message,
      });
    }
  }
  return lineNumber;
}

/** Every stream head the file ends at must be the one the manifest lists, and no more or fewer. */
function compareHeads(manifest: Manifest, heads: readonly Head[], findings: BundleFinding[]): void {
  const listed = new Map(manifest.streams.map((stream) => [stream.streamName, stream]));
  for (const head of heads) {
    const expected = listed.get(head.streamName);
    if (expected === undefined) {
      findings.push({
        streamName: head.streamName,
        message: `stream ${head.streamName} is not in the manifest`,
      });
    } else if (expected.headHash !== head.headHash || expected.headRevision !== head.headRevision) {
      findings.push({
        streamName: head.streamName,
        message: `stream ${head.streamName} ends at ${head.headRevision} ${head.headHash}, manifest says ${expected.headRevision} ${expected.headHash}`,
      });
    }
    listed.delete(head.streamName);
  }
  for (const missing of listed.keys())
    findings.push({ streamName: missing, message: `stream ${missing} has no events in the file` });
}

export async function verifyBundle(directory: string): Promise<BundleReport> {
  const manifest = await readManifest(directory);
  const eventsPath = join(directory, EVENTS_FILE);
  const findings: BundleFinding[] = [];
  const actualSha = await fileSha256(eventsPath).catch((error: unknown) => {
    throw new ProjectionError('PROJECTION_BUNDLE_INVALID', `cannot read ${EVENTS_FILE}: ${String(error)}`);
  });
  if (actualSha !== manifest.eventsSha256)
    findings.push({ message: `${EVENTS_FILE} sha-256 differs from the manifest` });

  const log = new LogChecker();
  const lineCount = await checkEventLines(eventsPath, log, findings);
  const lastPosition = log.lastPosition;
  const heads = log.heads().map((head) => ({
    streamName: head.streamName,
    headRevision: head.headRevision.toString(),
    headHash: head.headHash,
    eventCount: head.eventCount,
  }));
  if (lineCount !== manifest.eventCount)
    findings.push({ message: `${lineCount} events, manifest says ${manifest.eventCount}` });
  if (lastPosition.toString() !== manifest.lastPosition) {
    findings.push({ message: `last position ${lastPosition}, manifest says ${manifest.lastPosition}` });
  }
  compareHeads(manifest, heads, findings);
  const recomputedRoot = rootHash(manifest.streams);
  if (recomputedRoot !== manifest.rootHash)
    findings.push({ message: 'root hash does not match the manifest heads' });
  return {
    ok: findings.length === 0,
    events: lineCount,
    streams: heads.length,
    rootHash: manifest.rootHash,
    findings,
  };
}
