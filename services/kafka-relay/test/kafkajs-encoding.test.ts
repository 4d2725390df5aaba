/**
 * The relay runs kafkajs with a patch (patches/kafkajs@2.2.4.patch) that speeds up its record
 * encoding: a slice-by-8 CRC32C, varints written in place, one buffer per record. These tests
 * hold the patched code to the wire format: the CRC against a byte-at-a-time CRC32C written
 * here from the polynomial, and record batches through kafkajs' own decoder. The broker tests
 * (broker.test.ts, relay.test.ts) then check that a real broker accepts what it sends: a broker
 * refuses a batch whose CRC is wrong.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import t from 'tap';

const require = createRequire(import.meta.url);
const kafkajsRoot = require.resolve('kafkajs').replace(/index\.js$/, '');

type Crc32C = (buffer: Buffer) => number;
interface EncodedBatch {
  readonly buffer: Buffer;
}
interface RecordInput {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string | Buffer | null | (string | Buffer)[]>;
}
interface DecodedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly offset: string;
  readonly headers: Record<string, Buffer | null | Buffer[]>;
}

const crc32C = require(`${kafkajsRoot}src/protocol/recordBatch/crc32C/index.js`) as Crc32C;
const Record = require(`${kafkajsRoot}src/protocol/recordBatch/record/v0/index.js`) as (
  input: RecordInput,
) => unknown;
const { RecordBatch } = require(`${kafkajsRoot}src/protocol/recordBatch/v0/index.js`) as {
  RecordBatch: (input: {
    records: unknown[];
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
  }) => Promise<EncodedBatch>;
};
const decodeBatch = require(`${kafkajsRoot}src/protocol/recordBatch/v0/decoder.js`) as (
  decoder: unknown,
) => Promise<{ records: DecodedRecord[] }>;
const Decoder = require(`${kafkajsRoot}src/protocol/decoder.js`) as new (buffer: Buffer) => unknown;

/** CRC32C one byte at a time, the table built from the Castagnoli polynomial (reflected). */
function referenceCrc32C(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

t.test('CRC32C matches the standard check value and a bitwise CRC32C at every length', async (t) => {
  t.equal(crc32C(Buffer.from('123456789')), 0xe3069283, 'the CRC-32C check value');
  t.equal(crc32C(Buffer.alloc(0)), 0, 'empty input');
  let mismatches = 0;
  for (let length = 1; length <= 64; length += 1) {
    const buffer = randomBytes(length);
    if (crc32C(buffer) !== referenceCrc32C(buffer)) mismatches += 1;
  }
  t.equal(mismatches, 0, 'lengths 1..64, every alignment of the 8-byte steps');
  const large = randomBytes(100_003);
  t.equal(crc32C(large), referenceCrc32C(large), 'a 100 kB buffer');
  t.equal(crc32C(large.subarray(5, 70_001)), referenceCrc32C(large.subarray(5, 70_001)), 'an offset view');
});

t.test('a record batch decodes to the keys, values, headers and timestamps encoded', async (t) => {
  const firstTimestamp = 1_764_770_000_000;
  const inputs: RecordInput[] = [
    {
      offsetDelta: 0,
      timestampDelta: 0,
      key: 'v1',
      value: JSON.stringify({ id: 'e1', data: { note: 'ünïcödé 志愿者' } }),
      headers: { 'event-id': 'e1', 'event-type': 'PointsEarned', 'global-position': '1' },
    },
    { offsetDelta: 1, timestampDelta: 5, key: null, value: null },
    {
      offsetDelta: 2,
      timestampDelta: 2 ** 33 + 7,
      key: Buffer.from([0, 255, 1]),
      value: 'x'.repeat(70_000),
      headers: { many: ['a', 'b', 'c'], empty: '', bytes: Buffer.from([1, 2]) },
    },
    { offsetDelta: 3, timestampDelta: -(2 ** 31) - 3, key: 'k', value: 'v', headers: {} },
    { offsetDelta: 200, timestampDelta: 2 ** 30 - 1, key: 'k'.repeat(300), value: 'w' },
  ];
  const records = inputs.map((input) => Record(input));
  const batch = await RecordBatch({
    records,
    firstTimestamp,
    maxTimestamp: firstTimestamp + 2 ** 33 + 7,
    lastOffsetDelta: 200,
  });
  const bytes = batch.buffer;
  // FirstOffset (8) Length (4) PartitionLeaderEpoch (4) Magic (1) CRC (4), then the checked part.
  t.equal(
    bytes.readUInt32BE(17),
    referenceCrc32C(bytes.subarray(21)),
    'the CRC covers the batch from attributes',
  );
  const { records: decoded } = await decodeBatch(new Decoder(bytes));
  t.equal(decoded.length, inputs.length, 'every record decoded');
  inputs.forEach((input, index) => {
    const record = decoded[index];
    const asBuffer = (value: string | Buffer | null): Buffer | null =>
      value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value);
    t.same(record?.key, asBuffer(input.key), `record ${index}: key`);
    t.same(record?.value, asBuffer(input.value), `record ${index}: value`);
    t.equal(record?.offset, String(input.offsetDelta), `record ${index}: offset`);
    t.equal(record?.timestamp, String(firstTimestamp + input.timestampDelta), `record ${index}: timestamp`);
    const expectedHeaders = Object.fromEntries(
      Object.entries(input.headers ?? {}).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.map((item) => asBuffer(item)) : asBuffer(value),
      ]),
    );
    t.same(record?.headers, expectedHeaders, `record ${index}: headers`);
  });
});
