/**
 * Contract: appending — round trip, expected revision, idempotency, hash chain, head position.
 */
import { isWrongExpectedVersion, WrongExpectedVersionError } from '../errors.js';
import { eventHash, GENESIS_HASH, verifyStreamChain } from '../hash-chain.js';
import type { ExpectedRevision, NewEvent } from '../port.js';
import { errorCode, newEvent, newEvents, readWholeLog, rejection, withStore } from './fixtures.js';
import type { ContractHarness, Tap } from './fixtures.js';

export function appendContract(t: Tap, harness: ContractHarness): void {
  withStore(t, harness, 'an appended event reads back with every field', async (t, store) => {
    t.equal(await store.headPosition(), 0n, 'an empty store has head position 0');
    const before = Date.now();
    const first = newEvent(1, {
      type: 'ServiceHoursConfirmed',
      data: { minutes: 90, note: '社区 \u00e9 "quoted"', nested: { list: [1, 2.5, null, true, 'x'] } },
      metadata: {
        schemaVersion: 2,
        correlationId: 'corr-1',
        causationId: 'cause-1',
        actor: 'desk:community-7',
        idempotencyKey: 'key-1',
      },
    });
    const second = newEvent(2);
    const result = await store.appendToStream('volunteer-1', [first, second], {
      expectedRevision: 'no_stream',
    });
    t.equal(result.nextExpectedRevision, 1n);
    const events = await store.readStream('volunteer-1');
    t.equal(events.length, 2);
    const [one, two] = events;
    if (one === undefined || two === undefined) return;
    t.same(
      { id: one.id, type: one.type, data: one.data, metadata: one.metadata, streamName: one.streamName },
      { ...first, streamName: 'volunteer-1' },
    );
    t.equal(one.revision, 0n);
    t.equal(two.revision, 1n);
    t.equal(typeof one.position, 'bigint');
    t.ok(one.position > 0n && two.position > one.position, 'positions increase within an append');
    t.equal(result.position, two.position, 'the result carries the last event position');
    t.match(one.recordedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'recordedAt is ISO-8601 UTC');
    const recordedMs = Date.parse(one.recordedAt);
    t.ok(recordedMs >= before - 60_000 && recordedMs <= Date.now() + 60_000, 'recordedAt is about now');
    t.equal(one.hash, eventHash(GENESIS_HASH, one), 'first hash chains from genesis');
    t.equal(two.hash, eventHash(one.hash, two), 'second hash chains from the first');
    t.same(await store.readAll(), events, 'readAll returns the same records');
    t.equal(await store.headPosition(), two.position);
  });

  withStore(t, harness, 'expected revision: no_stream, stream_exists, any, exact', async (t, store) => {
    const expectConflict = async (
      stream: string,
      expectedRevision: ExpectedRevision,
      actual: bigint | 'no_stream',
    ): Promise<void> => {
      const head = await store.headPosition();
      const error = await rejection(store.appendToStream(stream, [newEvent(0)], { expectedRevision }));
      t.ok(error instanceof WrongExpectedVersionError, `${String(expectedRevision)} on ${stream} conflicts`);
      t.ok(isWrongExpectedVersion(error));
      if (error instanceof WrongExpectedVersionError) {
        t.equal(error.code, 'WRONG_EXPECTED_VERSION');
        t.equal(error.streamName, stream);
        t.equal(error.expectedRevision, expectedRevision);
        t.equal(error.actualRevision, actual, 'the error carries the actual revision');
      }
      t.equal(await store.headPosition(), head, 'a conflict writes nothing');
    };
    await expectConflict('s-a', 'stream_exists', 'no_stream');
    await expectConflict('s-a', 0n, 'no_stream');
    t.equal(
      (await store.appendToStream('s-a', newEvents(2), { expectedRevision: 'no_stream' }))
        .nextExpectedRevision,
      1n,
    );
    await expectConflict('s-a', 'no_stream', 1n);
    await expectConflict('s-a', 0n, 1n);
    await expectConflict('s-a', 2n, 1n);
    t.equal(
      (await store.appendToStream('s-a', [newEvent(3)], { expectedRevision: 1n })).nextExpectedRevision,
      2n,
    );
    t.equal(
      (await store.appendToStream('s-a', [newEvent(4)], { expectedRevision: 'stream_exists' }))
        .nextExpectedRevision,
      3n,
    );
    t.equal(
      (await store.appendToStream('s-a', [newEvent(5)], { expectedRevision: 'any' })).nextExpectedRevision,
      4n,
    );
    t.equal(
      (await store.appendToStream('s-b', [newEvent(6)], { expectedRevision: 'any' })).nextExpectedRevision,
      0n,
    );
    t.same(
      (await store.readStream('s-a')).map((event) => event.revision),
      [0n, 1n, 2n, 3n, 4n],
      'revisions are gapless',
    );
  });

  withStore(t, harness, 'idempotent retries store nothing twice', async (t, store) => {
    const batch = newEvents(2);
    const original = await store.appendToStream('s-1', batch, { expectedRevision: 'no_stream' });
    const head = await store.headPosition();
    t.same(
      await store.appendToStream('s-1', batch, { expectedRevision: 'no_stream' }),
      original,
      'retry, same result',
    );
    t.equal(await store.headPosition(), head, 'the retry wrote nothing');

    const next = newEvents(1, 10);
    const nextResult = await store.appendToStream('s-1', next, { expectedRevision: 1n });
    t.same(
      await store.appendToStream('s-1', batch, { expectedRevision: 'no_stream' }),
      original,
      'a retry after the stream moved on still returns the original result',
    );
    t.same(await store.appendToStream('s-1', next, { expectedRevision: 1n }), nextResult);
    t.equal((await store.readStream('s-1')).length, 3, 'nothing stored twice');

    const before = await store.headPosition();
    const duplicate = await rejection(
      store.appendToStream('s-2', [batch[0] as NewEvent], { expectedRevision: 'any' }),
    );
    t.equal(errorCode(duplicate), 'DUPLICATE_EVENT_ID', 'the same id in another stream is rejected');
    t.equal(await store.headPosition(), before);
    t.same(await store.readStream('s-2'), [], 'nothing written to the other stream');
  });

  withStore(t, harness, 'concurrent retries of one append all succeed with one result', async (t, store) => {
    const batch = newEvents(3);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.appendToStream('s-1', batch, { expectedRevision: 'no_stream' })),
    );
    for (const result of results) t.same(result, results[0]);
    t.equal((await store.readStream('s-1')).length, 3);
    t.equal((await readWholeLog(store)).length, 3);
  });

  withStore(t, harness, 'hash chains link across separate appends', async (t, store) => {
    let expectedRevision: ExpectedRevision = 'no_stream';
    for (let index = 0; index < 5; index += 1) {
      const result = await store.appendToStream('chain-1', newEvents(index + 1, index * 10), {
        expectedRevision,
      });
      await store.appendToStream(`other-${index}`, newEvents(2), { expectedRevision: 'no_stream' });
      expectedRevision = result.nextExpectedRevision;
    }
    const events = await store.readStream('chain-1');
    const verdict = verifyStreamChain('chain-1', events);
    t.same(verdict, { ok: true, headHash: events.at(-1)?.hash, count: 15 });
    for (let index = 1; index < events.length; index += 1) {
      const event = events[index];
      const previous = events[index - 1];
      if (event === undefined || previous === undefined) continue;
      if (event.hash !== eventHash(previous.hash, event)) t.fail(`revision ${event.revision} does not link`);
    }
    t.same(verifyStreamChain('other-3', await store.readStream('other-3')).ok, true);
  });

  withStore(t, harness, 'a batch of 1,000 events appends atomically', async (t, store) => {
    await store.appendToStream('big-0', [newEvent(0)], { expectedRevision: 'no_stream' });
    const result = await store.appendToStream('big-1', newEvents(1000), { expectedRevision: 'no_stream' });
    t.equal(result.nextExpectedRevision, 999n);
    const events = await store.readStream('big-1');
    t.equal(events.length, 1000);
    t.ok(
      events.every((event, index) => event.revision === BigInt(index) && event.data.n === index),
      'revisions 0..999 in order',
    );
    t.ok(
      events.every((event, index) => index === 0 || event.position > (events[index - 1]?.position ?? 0n)),
      'positions increase',
    );
    t.equal(result.position, events.at(-1)?.position);
    t.equal(verifyStreamChain('big-1', events).ok, true);
    t.equal(await store.headPosition(), result.position);
  });
}
