import { StoreLimitError } from './errors.js';
import type { ExpectedRevision, NewEvent } from './port.js';
import { canonicalJson } from './hash-chain.js';

export interface StoreLimits {
  /** Largest canonical encoding of one event (data + metadata + type), in bytes. Default 1 MiB (issue #3). */
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

function assertJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new StoreLimitError('INVALID_EVENT', `${path} is not a finite number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJson(item, `${path}[${index}]`));
    return;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      throw new StoreLimitError('INVALID_EVENT', `${path} is not a plain JSON object`);
    }
    for (const [key, item] of Object.entries(value)) assertJson(item, `${path}.${key}`);
    return;
  }
  throw new StoreLimitError('INVALID_EVENT', `${path} is not JSON (${typeof value})`);
}

export function assertValidExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return;
  if (typeof expected !== 'bigint' || expected < 0n) {
    throw new StoreLimitError('INVALID_EVENT', `invalid expectedRevision ${String(expected)}`);
  }
}

/**
 * Validates an append before any I/O. Throws a `StoreLimitError`; the adapter writes nothing.
 * Returns each event's canonical encoding so that adapters do not serialise twice.
 */
export function validateAppend(
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  limits: StoreLimits,
): string[] {
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
    assertJson(event.data, `${where}.data`);
    assertJson(event.metadata, `${where}.metadata`);
    if (!Number.isInteger(event.metadata.schemaVersion) || event.metadata.schemaVersion < 1) {
      throw new StoreLimitError(
        'INVALID_EVENT',
        `${where}.metadata.schemaVersion must be a positive integer`,
      );
    }
    const encoded = canonicalJson({ type: event.type, data: event.data, metadata: event.metadata });
    const size = Buffer.byteLength(encoded, 'utf8');
    if (size > limits.eventSizeBytesMax) {
      throw new StoreLimitError(
        'EVENT_TOO_LARGE',
        `${where} is ${size} bytes; the limit is ${limits.eventSizeBytesMax}`,
      );
    }
    return encoded;
  });
}
