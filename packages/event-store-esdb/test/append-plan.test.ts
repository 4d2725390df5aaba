import t from 'tap';
import { GENESIS_HASH, verifyStreamChain } from '@timebank/event-store';
import type { NewEvent, RecordedEvent } from '@timebank/event-store';
import { chainHashes, headReadCount, planAppend, repeatedBatch } from '../src/append-plan.js';
import type { StreamHead } from '../src/append-plan.js';

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}
function newEvent(n: number): NewEvent {
  return { id: uuid(n), type: 'ThingHappened', data: { n }, metadata: { schemaVersion: 1 } };
}
function head(n: number, revision: bigint): StreamHead {
  return { id: uuid(n), revision, position: 1000n + revision, hash: 'a'.repeat(63) + String(n % 10) };
}
const batch = [newEvent(10), newEvent(11)];
const tail = [head(1, 4n), head(2, 5n)];

t.test('no_stream chains from genesis and lets the server check existence and idempotency', async (t) => {
  t.same(planAppend('no_stream', [], batch), {
    kind: 'write',
    firstRevision: 0n,
    previousHash: GENESIS_HASH,
    esdbExpectedRevision: 'no_stream',
    replanOnConflict: false,
  });
  t.equal(headReadCount('no_stream', 2), 1);
});

t.test('an exact revision at the head chains from the head', async (t) => {
  t.same(planAppend(5n, tail, batch), {
    kind: 'write',
    firstRevision: 6n,
    previousHash: tail[1]?.hash,
    esdbExpectedRevision: 5n,
    replanOnConflict: false,
  });
});

t.test('an exact revision ahead of the stream is a conflict carrying the actual revision', async (t) => {
  t.same(planAppend(9n, tail, batch), { kind: 'conflict', actualRevision: 5n });
  t.same(planAppend(0n, [], batch), { kind: 'conflict', actualRevision: 'no_stream' });
});

t.test('an exact revision behind the head needs that revision hash; the server then decides', async (t) => {
  t.same(planAppend(3n, tail, batch), { kind: 'read-previous', revision: 3n });
});

t.test('stream_exists needs a stream and appends at its exact head, re-planning on conflict', async (t) => {
  t.same(planAppend('stream_exists', [], batch), { kind: 'conflict', actualRevision: 'no_stream' });
  t.same(planAppend('stream_exists', tail, batch), {
    kind: 'write',
    firstRevision: 6n,
    previousHash: tail[1]?.hash,
    esdbExpectedRevision: 5n,
    replanOnConflict: true,
  });
  t.equal(headReadCount('stream_exists', 2), 2);
});

t.test('any appends at the exact head, or creates the stream', async (t) => {
  const created = planAppend('any', [], batch);
  t.match(created, {
    kind: 'write',
    firstRevision: 0n,
    esdbExpectedRevision: 'no_stream',
    replanOnConflict: true,
  });
  t.match(planAppend('any', tail, batch), { kind: 'write', firstRevision: 6n, esdbExpectedRevision: 5n });
  t.equal(headReadCount('any', 7), 7);
});

t.test('any / stream_exists recognise a repeated batch that still ends the stream', async (t) => {
  const stored = [head(1, 4n), head(10, 5n), head(11, 6n)];
  t.same(planAppend('any', stored, batch), {
    kind: 'already-appended',
    result: { nextExpectedRevision: 6n, position: 1006n },
  });
  t.equal(repeatedBatch(stored, batch), 'same');
  // Same last id but different earlier ids: the ids were reused, which is a conflict.
  const reused = [head(1, 4n), head(99, 5n), head(11, 6n)];
  t.equal(repeatedBatch(reused, batch), 'different');
  t.same(planAppend('stream_exists', reused, batch), { kind: 'conflict', actualRevision: 6n });
  t.equal(repeatedBatch(tail, batch), 'none');
  t.equal(repeatedBatch([head(11, 0n)], batch), 'different');
});

t.test('chained hashes verify as a stream chain from any starting point', async (t) => {
  const events = [newEvent(1), newEvent(2), newEvent(3)];
  const hashes = chainHashes('volunteer-1', 0n, GENESIS_HASH, events);
  const recorded: RecordedEvent[] = events.map((event, index) => ({
    ...event,
    streamName: 'volunteer-1',
    revision: BigInt(index),
    position: BigInt(100 + index),
    recordedAt: '2026-01-01T00:00:00.000Z',
    hash: hashes[index] ?? '',
  }));
  t.match(verifyStreamChain('volunteer-1', recorded), { ok: true, count: 3, headHash: hashes[2] });
  // Appending the last two as a second batch after the first gives the same links.
  const continued = chainHashes('volunteer-1', 1n, hashes[0] ?? '', events.slice(1));
  t.same(continued, hashes.slice(1));
  // The stream name is covered: the same events in another stream hash differently.
  t.not(chainHashes('volunteer-2', 0n, GENESIS_HASH, events)[0], hashes[0]);
});
