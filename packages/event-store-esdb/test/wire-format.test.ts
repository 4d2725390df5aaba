import t from 'tap';
import fc from 'fast-check';
import type { AllStreamRecordedEvent, EventData } from '@eventstore/db-client';
import { GENESIS_HASH, StoreLimitError, canonicalJson, verifyStreamChain } from '@timebank/event-store';
import type { EventMetadata, JsonObject, NewEvent } from '@timebank/event-store';
import { chainHashes } from '../src/append-plan.js';
import {
  assertNoReservedMetadataKeys,
  decodeEvent,
  decodeMetadata,
  encodeEvent,
  encodeMetadata,
  esdbStreamName,
  portStreamName,
} from '../src/wire-format.js';

const HASH = 'ab'.repeat(32);

/**
 * What the server hands back for an event this adapter wrote: data and metadata travel as
 * UTF-8 JSON bytes and the client parses them again (see the client's convertGrpcRecord).
 */
function asStored(
  data: EventData,
  streamId: string,
  revision: bigint,
  position: bigint,
): AllStreamRecordedEvent {
  if (data.contentType !== 'application/json') throw new Error('the adapter writes JSON events only');
  return {
    streamId,
    id: data.id,
    isJson: true,
    revision,
    type: data.type,
    created: new Date('2026-03-01T08:00:00.000Z'),
    data: JSON.parse(JSON.stringify(data.data)) as JsonObject,
    metadata: JSON.parse(JSON.stringify(data.metadata)) as JsonObject,
    position: { commit: position, prepare: position },
  };
}

const metadata: EventMetadata = {
  schemaVersion: 2,
  correlationId: 'c-1',
  causationId: 'k-1',
  actor: 'desk-7',
  idempotencyKey: 'key-1',
};
const event: NewEvent = {
  id: '00000000-0000-4000-8000-000000000001',
  type: 'ServiceHoursConfirmed',
  data: { volunteerId: 'v-1', minutes: 90, note: '志愿服务' },
  metadata,
};

t.test('metadata on the wire is the port metadata plus hash and ESDB correlation keys', async (t) => {
  t.same(encodeMetadata(metadata, HASH), {
    ...metadata,
    hash: HASH,
    $correlationId: 'c-1',
    $causationId: 'k-1',
  });
  t.same(decodeMetadata(encodeMetadata(metadata, HASH), 'here'), { metadata, hash: HASH });
  t.same(encodeMetadata({ schemaVersion: 1 }, HASH), { schemaVersion: 1, hash: HASH });
  t.throws(() => encodeMetadata(metadata, 'not-a-hash'), /64 lower-case hex/);
});

t.test('an event decodes to exactly what was appended, with server-assigned fields', async (t) => {
  const stored = asStored(encodeEvent(event, HASH), 'volunteer-1', 3n, 5000n);
  t.same(decodeEvent(stored, undefined), {
    ...event,
    streamName: 'volunteer-1',
    revision: 3n,
    position: 5000n,
    recordedAt: '2026-03-01T08:00:00.000Z',
    hash: HASH,
  });
});

t.test('a namespace prefixes stream names and hides everything outside it', async (t) => {
  t.equal(esdbStreamName('volunteer-1', 'test42'), 'test42.volunteer-1');
  t.equal(portStreamName('test42.volunteer-1', 'test42'), 'volunteer-1');
  t.equal(portStreamName('other.volunteer-1', 'test42'), undefined);
  t.equal(portStreamName('volunteer-1', 'test42'), undefined);
  t.equal(portStreamName('$stats-127.0.0.1:2113', undefined), undefined);
  const stored = asStored(encodeEvent(event, HASH), 'test42.volunteer-1', 0n, 10n);
  t.equal(decodeEvent(stored, 'test42')?.streamName, 'volunteer-1');
  t.equal(decodeEvent(stored, 'other'), undefined);
});

t.test('system events are skipped; foreign events in ledger streams are errors', async (t) => {
  const link = { ...asStored(encodeEvent(event, HASH), 'volunteer-1', 0n, 1n), type: '$>' };
  t.equal(decodeEvent(link, undefined), undefined);
  const foreign = {
    ...asStored(encodeEvent(event, HASH), 'volunteer-1', 0n, 1n),
    metadata: { schemaVersion: 1 },
  };
  t.throws(() => decodeEvent(foreign, undefined), /no valid hash/);
  const binary = {
    ...asStored(encodeEvent(event, HASH), 'volunteer-1', 0n, 1n),
    isJson: false,
  } as unknown as AllStreamRecordedEvent;
  t.throws(() => decodeEvent(binary, undefined), /not a JSON event/);
  t.throws(() => decodeMetadata({ hash: HASH }, 'here'), /schemaVersion/);
  t.throws(() => decodeMetadata([1], 'here'), /not a JSON object/);
});

t.test('metadata keys the wire format reserves are rejected before any I/O', async (t) => {
  const withHash = { ...event, metadata: { ...metadata, hash: HASH } as EventMetadata };
  const withDollar = { ...event, metadata: { ...metadata, $maxAge: 1 } as EventMetadata };
  for (const bad of [withHash, withDollar]) {
    const error = t.throws(() => assertNoReservedMetadataKeys([event, bad]));
    t.ok(error instanceof StoreLimitError);
    t.match(error, { code: 'INVALID_EVENT', message: /events\[1\]\.metadata/ });
  }
  t.doesNotThrow(() => assertNoReservedMetadataKeys([event]));
});

t.test('a written chain decodes into a chain the auditor verifies', async (t) => {
  const events = [0, 1, 2, 3].map((n) => ({
    ...event,
    id: `00000000-0000-4000-8000-00000000000${n}`,
    data: { n },
  }));
  const hashes = chainHashes('volunteer-1', 0n, GENESIS_HASH, events);
  const decoded = events.map((e, index) => {
    const stored = asStored(
      encodeEvent(e, hashes[index] ?? ''),
      'ns.volunteer-1',
      BigInt(index),
      BigInt(index * 100),
    );
    const result = decodeEvent(stored, 'ns');
    if (result === undefined) throw new Error('ledger event decoded as foreign');
    return result;
  });
  t.match(verifyStreamChain('volunteer-1', decoded), { ok: true, count: 4 });
  const tampered = decoded.map((e, index) => (index === 2 ? { ...e, data: { n: 99 } } : e));
  t.match(verifyStreamChain('volunteer-1', tampered), { ok: false, revision: 2n });
});

t.test('any JSON data and metadata survive the trip through the server unchanged', async (t) => {
  const json = fc.jsonValue({ maxDepth: 3 }).filter((value) => !Object.is(value, -0));
  const dataArbitrary = fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 5 });
  const metadataArbitrary = fc.record(
    {
      schemaVersion: fc.integer({ min: 1, max: 9 }),
      correlationId: fc.string(),
      causationId: fc.string(),
      actor: fc.string(),
      idempotencyKey: fc.string(),
    },
    { requiredKeys: ['schemaVersion'] },
  );
  fc.assert(
    fc.property(dataArbitrary, metadataArbitrary, (data, meta) => {
      const original: NewEvent = { ...event, data: data as JsonObject, metadata: meta };
      const [hash] = chainHashes('s-1', 0n, GENESIS_HASH, [original]);
      const decoded = decodeEvent(asStored(encodeEvent(original, hash ?? ''), 's-1', 0n, 1n), undefined);
      return (
        decoded !== undefined &&
        canonicalJson(decoded.data) === canonicalJson(original.data) &&
        canonicalJson(decoded.metadata) === canonicalJson(original.metadata) &&
        verifyStreamChain('s-1', [decoded]).ok
      );
    }),
    { numRuns: 200 },
  );
  t.pass('200 random events round-tripped and verified');
});
