/**
 * Contract: reading one stream in either direction, and the limits on what a read returns.
 */
import { DEFAULT_STORE_LIMITS } from '../limits.js';
import { payloadReaderOf } from '../port.js';
import { newEvents, withStore } from './fixtures.js';
import type { ContractHarness, Tap } from './fixtures.js';

export function readContract(t: Tap, harness: ContractHarness): void {
  withStore(t, harness, 'readStream forwards, backwards, from a revision, bounded', async (t, store) => {
    await store.appendToStream('r-1', newEvents(3), { expectedRevision: 'no_stream' });
    await store.appendToStream('r-2', newEvents(2), { expectedRevision: 'no_stream' });
    await store.appendToStream('r-1', newEvents(3, 3), { expectedRevision: 2n });
    const revisionsOf = async (options: Parameters<typeof store.readStream>[1]): Promise<bigint[]> =>
      (await store.readStream('r-1', options)).map((event) => event.revision);

    t.same(await revisionsOf(undefined), [0n, 1n, 2n, 3n, 4n, 5n], 'forwards from the start by default');
    t.same(
      (await store.readStream('r-1')).map((event) => event.data.n),
      [0, 1, 2, 3, 4, 5],
      'only this stream, in order',
    );
    t.same(await revisionsOf({ fromRevision: 'start' }), [0n, 1n, 2n, 3n, 4n, 5n]);
    t.same(await revisionsOf({ fromRevision: 2n }), [2n, 3n, 4n, 5n], 'fromRevision is inclusive');
    t.same(await revisionsOf({ fromRevision: 2n, maxCount: 2 }), [2n, 3n]);
    t.same(await revisionsOf({ direction: 'backwards' }), [5n, 4n, 3n, 2n, 1n, 0n], 'backwards from the end');
    t.same(await revisionsOf({ direction: 'backwards', fromRevision: 'end', maxCount: 2 }), [5n, 4n]);
    t.same(await revisionsOf({ direction: 'backwards', fromRevision: 3n }), [3n, 2n, 1n, 0n]);
    t.same(await revisionsOf({ direction: 'backwards', fromRevision: 1n, maxCount: 1 }), [1n]);
    t.same(await revisionsOf({ fromRevision: 6n }), [], 'past the end reads empty');
    t.same(await revisionsOf({ direction: 'backwards', fromRevision: 99n, maxCount: 1 }), [5n]);
    t.same(await store.readStream('r-unknown'), [], 'an unknown stream reads as empty');
    t.same(await store.readStream('r-unknown', { direction: 'backwards' }), []);
  });

  withStore(
    t,
    harness,
    "readAllPayloads, where offered, is readAll without the auditors' fields",
    async (t, store) => {
      const reader = payloadReaderOf(store);
      if (reader === undefined) {
        // A named skip, not a pass: the CI summary lists every skipped test, so an engine that never
        // runs this part of the contract stays visible.
        void t.test(
          'readAllPayloads matches readAll',
          { skip: `${harness.name} offers no payload reader; bulk replays use readAll` },
          async () => {},
        );
        return;
      }
      await store.appendToStream('p-1', newEvents(3), { expectedRevision: 'no_stream' });
      await store.appendToStream('p-2', newEvents(2), { expectedRevision: 'no_stream' });
      await store.appendToStream('p-1', newEvents(2, 3), { expectedRevision: 2n });
      const payloadOf = (event: Awaited<ReturnType<typeof store.readAll>>[number]) => ({
        position: event.position,
        streamName: event.streamName,
        revision: event.revision,
        type: event.type,
        data: event.data,
      });
      for (const options of [
        undefined,
        { fromPosition: 2n },
        { fromPosition: 1n, maxCount: 3 },
        { fromPosition: 7n },
      ]) {
        t.same(
          await reader.readAllPayloads(options),
          (await store.readAll(options)).map(payloadOf),
          `same events, same order, same fields as readAll (${JSON.stringify(options, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))})`,
        );
      }
      const [first] = await reader.readAllPayloads({ maxCount: 1 });
      t.same(
        Object.keys(first ?? {}).sort(),
        ['data', 'position', 'revision', 'streamName', 'type'],
        'and nothing else',
      );
      t.equal(typeof first?.position, 'bigint', 'positions stay bigint');
      await t.rejects(
        reader.readAllPayloads({ maxCount: -1 }),
        RangeError,
        'a negative count is refused like readAll refuses it',
      );
    },
  );

  withStore(t, harness, 'reads return at most readBatchMax events', async (t, store) => {
    const batchMax = DEFAULT_STORE_LIMITS.readBatchMax;
    const perAppend = DEFAULT_STORE_LIMITS.eventsPerAppendMax;
    const appends = Math.ceil((batchMax + 1) / perAppend);
    const writes = Array.from({ length: appends }, (_, index) =>
      store.appendToStream(`wide-${index}`, newEvents(perAppend), { expectedRevision: 'no_stream' }),
    );
    await Promise.all(writes);
    const page = await store.readAll();
    t.equal(page.length, batchMax, 'readAll without maxCount returns one full batch');
    t.equal((await store.readAll({ maxCount: batchMax * 2 })).length, batchMax, 'maxCount is capped');
    t.equal(
      (await store.readAll({ fromPosition: page.at(-1)?.position ?? 0n })).length,
      appends * perAppend - batchMax,
    );
  });
}
