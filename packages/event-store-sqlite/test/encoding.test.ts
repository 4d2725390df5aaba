import fc from 'fast-check';
import t from 'tap';
import {
  canonicalJson,
  DEFAULT_STORE_LIMITS,
  encodeAppend,
  eventHash,
  eventHashFromEncoded,
  GENESIS_HASH,
  validateAppend,
} from '@timebank/event-store';
import type { JsonObject, NewEvent } from '@timebank/event-store';

// The adapter encodes each event once (encodeAppend) and hashes the parts (eventHashFromEncoded).
// Auditors and the other adapters use canonicalJson and eventHash: the two must agree byte for byte.

const jsonObject = fc.dictionary(
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as JsonObject),
) as fc.Arbitrary<JsonObject>;

const newEvent = fc.record({
  id: fc.uuid().map((id) => id.toLowerCase()),
  type: fc.constantFrom('Thing', 'ServiceHoursRecorded', 'a.b-c_d'),
  data: jsonObject,
  metadata: fc.record(
    { schemaVersion: fc.integer({ min: 1, max: 9 }), actor: fc.string(), correlationId: fc.uuid() },
    { requiredKeys: ['schemaVersion'] },
  ),
}) as fc.Arbitrary<NewEvent>;

t.test(
  'encodeAppend gives canonicalJson of data and metadata, and the size validateAppend checks',
  async (t) => {
    fc.assert(
      fc.property(newEvent, (event) => {
        const [encoded] = encodeAppend('s-1', [event], 'any', DEFAULT_STORE_LIMITS);
        const [whole] = validateAppend('s-1', [event], 'any', DEFAULT_STORE_LIMITS);
        const expected = canonicalJson({ type: event.type, data: event.data, metadata: event.metadata });
        return (
          encoded?.dataJson === canonicalJson(event.data) &&
          encoded.metadataJson === canonicalJson(event.metadata) &&
          whole === expected &&
          encoded.sizeBytes === Buffer.byteLength(expected, 'utf8')
        );
      }),
      { numRuns: 500 },
    );
    t.pass('500 random events');
  },
);

t.test('eventHashFromEncoded is byte-identical to eventHash', async (t) => {
  fc.assert(
    fc.property(
      newEvent,
      fc.bigInt({ min: 0n, max: 2n ** 62n }),
      fc.constantFrom(GENESIS_HASH, 'ab'.repeat(32)),
      (event, revision, previousHash) => {
        const [encoded] = encodeAppend('volunteer-7', [event], 'any', DEFAULT_STORE_LIMITS);
        if (encoded === undefined) return false;
        const fromParts = eventHashFromEncoded(previousHash, {
          streamName: 'volunteer-7',
          revision,
          id: event.id,
          type: event.type,
          dataJson: encoded.dataJson,
          metadataJson: encoded.metadataJson,
        });
        return fromParts === eventHash(previousHash, { streamName: 'volunteer-7', revision, ...event });
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 random events');
});

t.test('encoding refuses what validation refuses, with the path of the bad value', async (t) => {
  const base = { id: '00000000-0000-4000-8000-000000000001', type: 'Thing', metadata: { schemaVersion: 1 } };
  const refusal = (data: unknown, metadata: unknown = base.metadata): string => {
    try {
      encodeAppend('s-1', [{ ...base, data, metadata } as NewEvent], 'any', DEFAULT_STORE_LIMITS);
      return 'accepted';
    } catch (error) {
      return `${(error as { code?: string }).code}: ${(error as Error).message}`;
    }
  };
  t.equal(
    refusal({ a: [1, { b: Number.NaN }] }),
    'INVALID_EVENT: events[0].data.a[1].b is not a finite number',
  );
  t.equal(refusal({ a: undefined }), 'INVALID_EVENT: events[0].data.a is not JSON (undefined)');
  t.equal(refusal({ when: new Date(0) }), 'INVALID_EVENT: events[0].data.when is not a plain JSON object');
  t.equal(refusal({ n: 1n }), 'INVALID_EVENT: events[0].data.n is not JSON (bigint)');
  t.equal(refusal({}, null), 'INVALID_EVENT: events[0].metadata must be a JSON object');
  t.equal(
    refusal({}, { schemaVersion: 1, actor: () => 1 }),
    'INVALID_EVENT: events[0].metadata.actor is not JSON (function)',
  );
});
