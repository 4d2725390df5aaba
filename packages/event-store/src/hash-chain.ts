/**
 * The per-stream hash chain that lets an auditor detect any altered or removed event.
 *
 *   hash(e_n) = sha256( hash(e_{n-1}) ‖ "\n" ‖ canonicalJson({ streamName, revision, id, type, data, metadata }) )
 *
 * with hash(e_{-1}) = 64 zeros. Position and recorded time are assigned by the server and are not
 * covered; revision is, so deleting an event breaks every later link.
 */
import { createHash } from 'node:crypto';
import type { EventMetadata, JsonObject, JsonValue, RecordedEvent } from './port.js';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted (UTF-16 code-unit order, as `Array.prototype.sort` compares) and no
 * whitespace: one encoding per value. Keys whose value is `undefined` are dropped.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const encoded = JSON.stringify(value);
    if (encoded === undefined) throw new TypeError(`not JSON: ${typeof value}`);
    return encoded;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) out += ',';
      out += canonicalJson(value[index]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of sortedKeys(record)) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/**
 * An object's own enumerable keys in canonical order. Most objects are built with their keys in a
 * fixed order, often already sorted, so a linear check usually saves the sort.
 */
export function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let index = 1; index < keys.length; index += 1) {
    if ((keys[index - 1] as string) > (keys[index] as string)) return keys.sort();
  }
  return keys;
}

export interface HashableEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject | JsonValue;
  readonly metadata: EventMetadata;
}

export function eventHash(previousHash: string, event: HashableEvent): string {
  const body = canonicalJson({
    streamName: event.streamName,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  return createHash('sha256').update(previousHash).update('\n').update(body).digest('hex');
}

/** An event whose data and metadata are already canonically encoded (see `encodeAppend`). */
export interface EncodedHashableEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  /** `canonicalJson(data)`. */
  readonly dataJson: string;
  /** `canonicalJson(metadata)`. */
  readonly metadataJson: string;
}

/**
 * `eventHash` for an event encoded once at validation: byte for byte the same body, assembled
 * from the parts instead of walking data and metadata again. The top-level keys are written in
 * canonical order (data < id < metadata < revision < streamName < type).
 */
export function eventHashFromEncoded(previousHash: string, event: EncodedHashableEvent): string {
  const body =
    `{"data":${event.dataJson},"id":${JSON.stringify(event.id)},"metadata":${event.metadataJson}` +
    `,"revision":"${event.revision.toString()}","streamName":${JSON.stringify(event.streamName)}` +
    `,"type":${JSON.stringify(event.type)}}`;
  return createHash('sha256').update(previousHash).update('\n').update(body).digest('hex');
}

export type ChainVerdict =
  | { readonly ok: true; readonly headHash: string; readonly count: number }
  | { readonly ok: false; readonly streamName: string; readonly revision: bigint; readonly reason: string };

/**
 * Verifies one stream's events, read forwards from revision 0. Reports the first revision whose
 * stored hash does not match, or where a revision is missing.
 */
export function verifyStreamChain(streamName: string, events: Iterable<RecordedEvent>): ChainVerdict {
  let previous = GENESIS_HASH;
  let expectedRevision = 0n;
  let count = 0;
  for (const event of events) {
    if (event.revision !== expectedRevision) {
      return {
        ok: false,
        streamName,
        revision: expectedRevision,
        reason: `revision ${expectedRevision} is missing`,
      };
    }
    const computed = eventHash(previous, event);
    if (computed !== event.hash) {
      return {
        ok: false,
        streamName,
        revision: event.revision,
        reason: 'stored hash does not match content',
      };
    }
    previous = computed;
    expectedRevision += 1n;
    count += 1;
  }
  return { ok: true, headHash: previous, count };
}
