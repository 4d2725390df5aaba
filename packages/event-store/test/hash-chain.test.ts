import t from 'tap';
import { canonicalJson, eventHash, GENESIS_HASH, verifyStreamChain } from '../src/hash-chain.js';
import type { RecordedEvent } from '../src/port.js';

t.test('canonical JSON sorts keys at every depth and drops undefined', async (t) => {
  t.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: null }, u: undefined }),
    '{"a":{"c":null,"d":[1,{"y":"x","z":0}]},"b":1}',
  );
});

function chain(count: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let previous = GENESIS_HASH;
  for (let index = 0; index < count; index += 1) {
    const base = {
      id: `00000000-0000-4000-8000-${index.toString().padStart(12, '0')}`,
      type: 'Thing',
      data: { index },
      metadata: { schemaVersion: 1 },
      streamName: 's-1',
      revision: BigInt(index),
      position: BigInt(index + 1),
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
    const hash = eventHash(previous, base);
    events.push({ ...base, hash });
    previous = hash;
  }
  return events;
}

t.test('an intact chain verifies; an altered or removed event is named by revision', async (t) => {
  const events = chain(5);
  const verdict = verifyStreamChain('s-1', events);
  t.equal(verdict.ok, true);
  const altered = events.map((event) => (event.revision === 2n ? { ...event, data: { index: 99 } } : event));
  t.match(verifyStreamChain('s-1', altered), { ok: false, revision: 2n });
  const removed = events.filter((event) => event.revision !== 3n);
  t.match(verifyStreamChain('s-1', removed), { ok: false, revision: 3n });
});
