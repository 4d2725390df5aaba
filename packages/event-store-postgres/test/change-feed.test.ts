/**
 * The change feed (`streamChangesAfter`) that lets a process's cache of folded streams skip
 * re-reading streams nobody touched: it must list every stream any process appended to after a
 * position, with its highest revision, and say `unknown` when it cannot list them all.
 */
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { CHANGED_STREAMS_MAX } from '../src/change-feed.js';
import { dropSchema, freshSchemaName, newEvent, openStore } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');

if (url !== undefined) {
  t.test('lists the streams appended to by any store after a position, each once', async (t) => {
    const schema = freshSchemaName();
    t.teardown(() => dropSchema(url, schema));
    const reader = await openStore(t, url, { schema });
    // Another store with its own pool, as another process would be.
    const writer = await openStore(t, url, { schema });
    await writer.appendToStream('alpha-1', [newEvent()], { expectedRevision: 'no_stream' });

    const first = await reader.streamChangesAfter(null);
    t.same(first, { position: 1n, changes: 'unknown' }, 'no position yet: anything may have changed');

    await writer.appendToStream('alpha-1', [newEvent(), newEvent()], { expectedRevision: 0n });
    await writer.appendToStream('beta-1', [newEvent()], { expectedRevision: 'no_stream' });
    const second = await reader.streamChangesAfter(first.position);
    t.equal(second.position, 4n, 'up to the last position');
    t.same(
      [...(second.changes as readonly { streamName: string; revision: bigint }[])].sort((a, b) =>
        a.streamName.localeCompare(b.streamName),
      ),
      [
        { streamName: 'alpha-1', revision: 2n },
        { streamName: 'beta-1', revision: 0n },
      ],
      'each stream once, at its highest revision',
    );
    t.same(
      await reader.streamChangesAfter(second.position),
      { position: 4n, changes: [] },
      'nothing since: nothing listed, the position kept',
    );
  });

  t.test('more changed streams than one answer lists read as unknown, from the head', async (t) => {
    const schema = freshSchemaName();
    t.teardown(() => dropSchema(url, schema));
    const store = await openStore(t, url, { schema });
    const start = await store.streamChangesAfter(null);
    await Promise.all(
      Array.from({ length: CHANGED_STREAMS_MAX + 1 }, (_, index) =>
        store.appendToStream(`many-${index}`, [newEvent()], { expectedRevision: 'no_stream' }),
      ),
    );
    t.same(
      await store.streamChangesAfter(start.position),
      { position: BigInt(CHANGED_STREAMS_MAX + 1), changes: 'unknown' },
      'unknown, and the next answer starts at the head',
    );
  });
}
