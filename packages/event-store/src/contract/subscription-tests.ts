/**
 * Contract: subscribeToAll catches up, signals caught-up once, follows live, filters, closes, and
 * survives a dropped connection without gap or duplicate.
 */
import type { SubscriptionMessage } from '../port.js';
import {
  countEvents,
  eventsOf,
  iteratorOf,
  newEvent,
  newEvents,
  pull,
  readWholeLog,
  withStore,
} from './fixtures.js';
import type { ContractHarness, Tap } from './fixtures.js';

const isCaughtUp = (messages: readonly SubscriptionMessage[]): boolean =>
  messages.some((message) => message.kind === 'caught-up');

export function subscriptionContract(t: Tap, harness: ContractHarness): void {
  withStore(
    t,
    harness,
    'subscribeToAll catches up, signals caught-up, then follows live',
    async (t, store) => {
      await store.appendToStream('sub-a', newEvents(3), { expectedRevision: 'no_stream' });
      await store.appendToStream('sub-b', newEvents(2), { expectedRevision: 'no_stream' });
      const head = await store.headPosition();
      const subscription = store.subscribeToAll();
      const iterator = iteratorOf(subscription);
      const catchUp = await pull(iterator, isCaughtUp);
      const caughtUp = catchUp.at(-1);
      t.same(
        eventsOf(catchUp).map((event) => event.id),
        (await store.readAll()).map((event) => event.id),
        'catch-up delivers the whole log in order',
      );
      t.equal(caughtUp?.kind, 'caught-up', 'caught-up follows the last historical event');
      if (caughtUp?.kind === 'caught-up')
        t.equal(caughtUp.position, head, 'caught-up carries the head position');

      const live = newEvents(2, 10);
      await store.appendToStream('sub-a', live, { expectedRevision: 2n });
      await store.appendToStream('sub-c', [newEvent(12)], { expectedRevision: 'no_stream' });
      const liveMessages = await pull(iterator, (messages) => countEvents(messages) === 3);
      t.same(
        eventsOf(liveMessages).map((event) => event.data.n),
        [10, 11, 12],
        'live events arrive in order',
      );
      t.notOk(isCaughtUp(liveMessages), 'caught-up is signalled only once');
      await subscription.close();
      const after = await pull(iterator, () => false, 2000);
      t.same(after, [], 'iteration ends after close()');
    },
  );

  withStore(
    t,
    harness,
    'subscriptions filter by stream prefix and event type, from a position',
    async (t, store) => {
      await store.appendToStream('keep-1', [newEvent(0), newEvent(1, { type: 'Other' })], {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream('drop-1', [newEvent(2)], { expectedRevision: 'no_stream' });
      const [first] = await store.readAll({ maxCount: 1 });
      const byPrefix = store.subscribeToAll({ filter: { streamPrefixes: ['keep-', 'also-'] } });
      const byType = store.subscribeToAll({ filter: { eventTypes: ['Other'] } });
      const fromFirst = store.subscribeToAll({ fromPosition: first?.position ?? 0n });
      await store.appendToStream('also-1', [newEvent(3, { type: 'Other' })], {
        expectedRevision: 'no_stream',
      });
      await store.appendToStream('drop-1', [newEvent(4, { type: 'Other' })], { expectedRevision: 0n });
      await store.appendToStream('keep-1', [newEvent(5)], { expectedRevision: 1n });

      const numbers = async (messages: Promise<SubscriptionMessage[]>): Promise<unknown[]> =>
        eventsOf(await messages).map((event) => event.data.n);
      const until = (count: number) => (messages: readonly SubscriptionMessage[]) =>
        isCaughtUp(messages) && countEvents(messages) >= count;
      t.same(await numbers(pull(iteratorOf(byPrefix), until(4))), [0, 1, 3, 5], 'prefix filter');
      t.same(await numbers(pull(iteratorOf(byType), until(3))), [1, 3, 4], 'type filter');
      t.same(
        await numbers(pull(iteratorOf(fromFirst), until(5))),
        [1, 2, 3, 4, 5],
        'fromPosition is exclusive',
      );
      await Promise.all([byPrefix.close(), byType.close(), fromFirst.close()]);
    },
  );

  withStore(t, harness, 'close() ends a subscription that is waiting for events', async (t, store) => {
    const subscription = store.subscribeToAll();
    const messages: SubscriptionMessage[] = [];
    const loop = (async () => {
      for await (const message of subscription) messages.push(message);
    })();
    // Wait for caught-up, then a little longer so that the loop is parked waiting for live events.
    for (let waitedMs = 0; !isCaughtUp(messages) && waitedMs < 3000; waitedMs += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.close();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      loop.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), 3000);
      }),
    ]);
    clearTimeout(timer);
    t.equal(ended, true, 'the for-await loop ended');
    t.same(messages, [{ kind: 'caught-up', position: 0n }], 'an empty store catches up at position 0');
  });

  withStore(t, harness, 'a slow consumer receives a large live burst in order, once', async (t, store) => {
    const subscription = store.subscribeToAll();
    const iterator = iteratorOf(subscription);
    await pull(iterator, isCaughtUp);
    for (let append = 0; append < 3; append += 1) {
      await store.appendToStream(`burst-${append}`, newEvents(1000, append * 1000), {
        expectedRevision: 'no_stream',
      });
    }
    const received: SubscriptionMessage[] = [];
    while (countEvents(received) < 3000) {
      received.push(...(await pull(iterator, (messages) => messages.length === 100)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    t.same(
      eventsOf(received).map((event) => event.data.n),
      Array.from({ length: 3000 }, (_, index) => index),
      'all 3,000 events, in order, once',
    );
    await subscription.close();
  });

  const disconnect = harness.disconnectSubscriptions?.bind(harness);
  if (disconnect === undefined) {
    void t.test(
      'resubscribe after a forced disconnect',
      { skip: `${harness.name} offers no way to drop a connection` },
      async () => {},
    );
    return;
  }
  withStore(
    t,
    harness,
    'a subscription resumes after a forced disconnect without gap or duplicate',
    async (t, store) => {
      await store.appendToStream('resume-1', newEvents(5), { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll();
      const iterator = iteratorOf(subscription);
      const received = await pull(iterator, isCaughtUp);
      await store.appendToStream('resume-1', newEvents(5, 5), { expectedRevision: 4n });
      received.push(...(await pull(iterator, (messages) => countEvents(messages) === 2)));
      await disconnect(store);
      await store.appendToStream('resume-2', newEvents(5, 10), { expectedRevision: 'no_stream' });
      received.push(...(await pull(iterator, (messages) => countEvents(messages) === 8, 10_000)));
      await disconnect(store);
      await store.appendToStream('resume-2', [newEvent(15)], { expectedRevision: 4n });
      received.push(...(await pull(iterator, (messages) => countEvents(messages) === 1, 10_000)));
      t.same(
        eventsOf(received).map((event) => event.id),
        (await readWholeLog(store)).map((event) => event.id),
        'every event exactly once, in order, across two disconnects',
      );
      t.equal(received.filter((message) => message.kind === 'caught-up').length, 1, 'caught-up only once');
      await subscription.close();
    },
  );
}
