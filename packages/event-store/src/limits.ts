import { StoreLimitError } from './errors.js';
import type { ExpectedRevision, IdempotencyClaim, NewEvent } from './port.js';
import { sortedKeys } from './hash-chain.js';

export interface StoreLimits {
  /** Largest canonical encoding of one event (data + metadata + type), in bytes. Default 1 MiB, EventStoreDB's own default maximum. */
  readonly eventSizeBytesMax: number;
  /** Most events in one append; bounds a transaction's size and time. Default 1,000. */
  readonly eventsPerAppendMax: number;
  /** Most events one read returns. Default 10,000: big enough for throughput, small enough for memory. */
  readonly readBatchMax: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = Object.freeze({
  eventSizeBytesMax: 1024 * 1024,
  eventsPerAppendMax: 1000,
  readBatchMax: 10_000,
});

/**
 * Stream names: a category, a dash, an id (`volunteer-42`, `policy-points`). Letters, digits and
 * `_ . : -`, at most 200 characters, never starting with `$` (reserved by EventStoreDB).
 */
export const STREAM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,199}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

export function assertValidStreamName(streamName: string): void {
  if (typeof streamName !== 'string' || !STREAM_NAME_PATTERN.test(streamName)) {
    throw new StoreLimitError('INVALID_STREAM_NAME', `invalid stream name ${JSON.stringify(streamName)}`);
  }
}

/**
 * Checks that `value` is plain JSON and returns its canonical encoding (`canonicalJson`) from the
 * same walk, so an event is read once: what is checked is exactly what is encoded and hashed.
 */
/**
 * Where a value sits, for an error message: `parent` alone, `parent[index]` or `parent.key`. Built
 * only for a value that fails or that holds others, not for every leaf of every event.
 */
function pathOf(parent: string, step: string | number | undefined): string {
  if (step === undefined) return parent;
  return typeof step === 'number' ? `${parent}[${step}]` : `${parent}.${step}`;
}

function encodeCheckedJson(value: unknown, parent: string, step?: string | number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new StoreLimitError('INVALID_EVENT', `${pathOf(parent, step)} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new StoreLimitError('INVALID_EVENT', `${pathOf(parent, step)} is not JSON (${typeof value})`);
  }
  const path = pathOf(parent, step);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) out += ',';
      out += encodeCheckedJson(value[index], path, index);
    }
    return `${out}]`;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new StoreLimitError('INVALID_EVENT', `${path} is not a plain JSON object`);
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of sortedKeys(record)) {
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${encodeCheckedJson(record[key], path, key)}`;
  }
  return `${out}}`;
}

export function assertValidExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return;
  if (typeof expected !== 'bigint' || expected < 0n) {
    throw new StoreLimitError('INVALID_EVENT', `invalid expectedRevision ${String(expected)}`);
  }
}

/** One validated event, encoded once for the size check, the hash chain and storage. */
export interface EncodedEvent {
  /** `canonicalJson(event.data)`. */
  readonly dataJson: string;
  /** `canonicalJson(event.metadata)`. */
  readonly metadataJson: string;
  /** Bytes of UTF-8 in `canonicalJson({ type, data, metadata })`, the size the limit applies to. */
  readonly sizeBytes: number;
}

/** Bytes of `{"data":,"metadata":,"type":}`: what `canonicalJson({ type, data, metadata })` adds. */
const ENVELOPE_BYTES = Buffer.byteLength('{"data":,"metadata":,"type":}');

/**
 * Validates an append before any I/O, like `validateAppend`, and returns each event's data and
 * metadata canonically encoded. Every value is walked once: checked and encoded together.
 * Throws a `StoreLimitError`; the adapter writes nothing.
 */
export function encodeAppend(
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  limits: StoreLimits,
): EncodedEvent[] {
  assertValidStreamName(streamName);
  assertValidExpectedRevision(expected);
  // Checked through an `unknown` alias: narrowing `events` itself would type its items as `any`.
  const untrusted: unknown = events;
  if (!Array.isArray(untrusted) || events.length === 0) {
    throw new StoreLimitError('TOO_MANY_EVENTS', 'an append needs at least one event');
  }
  if (events.length > limits.eventsPerAppendMax) {
    throw new StoreLimitError(
      'TOO_MANY_EVENTS',
      `${events.length} events in one append; the limit is ${limits.eventsPerAppendMax}`,
    );
  }
  const ids = new Set<string>();
  return events.map((event, index) => {
    const where = `events[${index}]`;
    if (typeof event.id !== 'string' || !UUID_PATTERN.test(event.id)) {
      throw new StoreLimitError('INVALID_EVENT', `${where}.id must be a lower-case UUID`);
    }
    if (ids.has(event.id)) throw new StoreLimitError('DUPLICATE_EVENT_ID', `${where}.id repeats ${event.id}`);
    ids.add(event.id);
    if (typeof event.type !== 'string' || !EVENT_TYPE_PATTERN.test(event.type)) {
      throw new StoreLimitError('INVALID_EVENT', `${where}.type is invalid`);
    }
    if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
      throw new StoreLimitError('INVALID_EVENT', `${where}.data must be a JSON object`);
    }
    const dataJson = encodeCheckedJson(event.data, `${where}.data`);
    const metadata: unknown = event.metadata;
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new StoreLimitError('INVALID_EVENT', `${where}.metadata must be a JSON object`);
    }
    const metadataJson = encodeCheckedJson(metadata, `${where}.metadata`);
    if (!Number.isInteger(event.metadata.schemaVersion) || event.metadata.schemaVersion < 1) {
      throw new StoreLimitError(
        'INVALID_EVENT',
        `${where}.metadata.schemaVersion must be a positive integer`,
      );
    }
    // The type matches EVENT_TYPE_PATTERN, so it is ASCII and its JSON is its length plus quotes.
    const sizeBytes =
      ENVELOPE_BYTES +
      Buffer.byteLength(dataJson, 'utf8') +
      Buffer.byteLength(metadataJson, 'utf8') +
      event.type.length +
      2;
    if (sizeBytes > limits.eventSizeBytesMax) {
      throw new StoreLimitError(
        'EVENT_TOO_LARGE',
        `${where} is ${sizeBytes} bytes; the limit is ${limits.eventSizeBytesMax}`,
      );
    }
    return { dataJson, metadataJson, sizeBytes };
  });
}

/**
 * Validates an append before any I/O. Throws a `StoreLimitError`; the adapter writes nothing.
 * Returns each event's canonical encoding, `canonicalJson({ type, data, metadata })`, so that
 * adapters do not serialise twice; `encodeAppend` gives the parts.
 */
export function validateAppend(
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  limits: StoreLimits,
): string[] {
  return encodeAppend(streamName, events, expected, limits).map(
    (encoded, index) =>
      `{"data":${encoded.dataJson},"metadata":${encoded.metadataJson},"type":${JSON.stringify(events[index]?.type)}}`,
  );
}

const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** Checks an append's idempotency claim before any I/O: both hashes lower-case hex sha-256. */
export function assertValidClaim(claim: IdempotencyClaim | undefined): void {
  if (claim === undefined) return;
  if (!SHA256_HEX_PATTERN.test(claim.keyHash) || !SHA256_HEX_PATTERN.test(claim.requestHash)) {
    throw new StoreLimitError(
      'INVALID_EVENT',
      'an idempotency claim needs two lower-case hex sha-256 hashes',
    );
  }
}
