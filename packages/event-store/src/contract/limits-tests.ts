/**
 * Contract: invalid input is rejected with a typed StoreLimitError before anything is written.
 */
import { StoreLimitError } from '../errors.js';
import { DEFAULT_STORE_LIMITS } from '../limits.js';
import type { EventStore, NewEvent } from '../port.js';
import { newEvent, newEvents, rejection, unsafeData, withStore } from './fixtures.js';
import type { ContractHarness, Tap } from './fixtures.js';

interface BadAppend {
  readonly why: string;
  readonly code: StoreLimitError['code'];
  readonly stream?: string;
  readonly events: () => NewEvent[];
}

/** Data whose canonical encoding is just over the default event size limit. */
function oversized(): NewEvent {
  return newEvent(0, { data: { blob: 'x'.repeat(DEFAULT_STORE_LIMITS.eventSizeBytesMax) } });
}

const BAD_APPENDS: readonly BadAppend[] = [
  { why: 'an event over 1 MiB', code: 'EVENT_TOO_LARGE', events: () => [newEvent(0), oversized()] },
  {
    why: 'one event more than eventsPerAppendMax',
    code: 'TOO_MANY_EVENTS',
    events: () => newEvents(DEFAULT_STORE_LIMITS.eventsPerAppendMax + 1),
  },
  { why: 'no events', code: 'TOO_MANY_EVENTS', events: () => [] },
  { why: 'an empty stream name', code: 'INVALID_STREAM_NAME', stream: '', events: () => [newEvent(0)] },
  {
    why: 'a $-prefixed stream name',
    code: 'INVALID_STREAM_NAME',
    stream: '$all',
    events: () => [newEvent(0)],
  },
  {
    why: 'a stream name with a space',
    code: 'INVALID_STREAM_NAME',
    stream: 'a b',
    events: () => [newEvent(0)],
  },
  {
    why: 'a stream name of 201 characters',
    code: 'INVALID_STREAM_NAME',
    stream: `s${'x'.repeat(200)}`,
    events: () => [newEvent(0)],
  },
  { why: 'NaN in data', code: 'INVALID_EVENT', events: () => [newEvent(0, { data: { n: Number.NaN } })] },
  { why: 'Infinity in data', code: 'INVALID_EVENT', events: () => [newEvent(0, { data: { n: Infinity } })] },
  {
    why: 'undefined in data',
    code: 'INVALID_EVENT',
    events: () => [newEvent(0, { data: unsafeData({ n: undefined }) })],
  },
  {
    why: 'a bigint in data',
    code: 'INVALID_EVENT',
    events: () => [newEvent(0, { data: unsafeData({ n: 1n }) })],
  },
  {
    why: 'a Date in data',
    code: 'INVALID_EVENT',
    events: () => [newEvent(0, { data: unsafeData({ at: new Date(0) }) })],
  },
  { why: 'an array as data', code: 'INVALID_EVENT', events: () => [newEvent(0, { data: unsafeData([1]) })] },
  {
    why: 'a nested function',
    code: 'INVALID_EVENT',
    events: () => [newEvent(0, { data: unsafeData({ deep: [{ f: () => 1 }] }) })],
  },
  { why: 'a non-UUID id', code: 'INVALID_EVENT', events: () => [newEvent(0, { id: 'not-a-uuid' })] },
  {
    why: 'an upper-case UUID',
    code: 'INVALID_EVENT',
    events: () => [newEvent(0, { id: '0A000000-0000-4000-8000-000000000000' })],
  },
  { why: 'an invalid event type', code: 'INVALID_EVENT', events: () => [newEvent(0, { type: 'has space' })] },
  {
    why: 'a missing schemaVersion',
    code: 'INVALID_EVENT',
    events: () => [newEvent(0, { metadata: unsafeData({}) as unknown as NewEvent['metadata'] })],
  },
  {
    why: 'one id twice in an append',
    code: 'DUPLICATE_EVENT_ID',
    events: () => {
      const event = newEvent(0);
      return [event, { ...event, data: { n: 1 } }];
    },
  },
];

async function snapshot(store: EventStore): Promise<{ head: bigint; count: number }> {
  return { head: await store.headPosition(), count: (await store.readStream('limits-1')).length };
}

export function limitsContract(t: Tap, harness: ContractHarness): void {
  withStore(t, harness, 'invalid appends fail with a typed error and write nothing', async (t, store) => {
    await store.appendToStream('limits-1', [newEvent(0)], { expectedRevision: 'no_stream' });
    const before = await snapshot(store);
    for (const bad of BAD_APPENDS) {
      const error = await rejection(
        store.appendToStream(bad.stream ?? 'limits-1', bad.events(), { expectedRevision: 'any' }),
      );
      t.ok(error instanceof StoreLimitError, `${bad.why}: a StoreLimitError`);
      t.equal(
        error instanceof StoreLimitError ? error.code : String(error),
        bad.code,
        `${bad.why}: ${bad.code}`,
      );
    }
    const badExpected = await rejection(
      store.appendToStream('limits-1', [newEvent(0)], { expectedRevision: -1n }),
    );
    t.ok(badExpected instanceof StoreLimitError, 'a negative expected revision is rejected');
    t.same(await snapshot(store), before, 'nothing was written by any of them');
    const atLimit = await store.appendToStream(
      'limits-1',
      newEvents(DEFAULT_STORE_LIMITS.eventsPerAppendMax),
      {
        expectedRevision: 0n,
      },
    );
    t.equal(
      atLimit.nextExpectedRevision,
      BigInt(DEFAULT_STORE_LIMITS.eventsPerAppendMax),
      'exactly at the limit is fine',
    );
  });
}
