/**
 * Read-your-writes across processes: when another process's projector applies the events first,
 * this projector's batch meets a checkpoint conflict and reloads the checkpoint. A caller waiting
 * for a position the other process has already applied must be answered then, not when the next
 * event arrives (found over HTTP: `pnpm ledger due`, run right after `pnpm ledger tick` beside the
 * API, waited its full 10 minutes and failed with "the read models did not reach position 37 in
 * time", because the API's projector had applied 36 and 37 first and nothing was appended after).
 */
import t from 'tap';
import type { EventStore, Subscription, SubscriptionMessage } from '@timebank/event-store';
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { BatchApplier } from '../src/applier.js';
import { projectionRules } from '../src/handlers/index.js';
import { Projector } from '../src/projector.js';
import { LIVE_PREFIX } from '../src/tables.js';
import { build } from '../src/testing/index.js';
import { appendTo, harnesses } from './harness.js';

/** The store, with its subscriptions held back until `open()`: this projector learns of events late. */
function gatedStore(store: EventStore): { store: EventStore; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const subscribeToAll = (options?: Parameters<EventStore['subscribeToAll']>[0]): Subscription => {
    const inner = store.subscribeToAll(options);
    const gatedSubscription: Subscription = {
      close: () => inner.close(),
      [Symbol.asyncIterator]: () => {
        const iterator = inner[Symbol.asyncIterator]();
        return {
          next: async (): Promise<IteratorResult<SubscriptionMessage>> => {
            await gate;
            return iterator.next();
          },
        };
      },
    };
    return gatedSubscription;
  };
  const gated = new Proxy(store, {
    get: (target, property) => {
      if (property === 'subscribeToAll') return subscribeToAll;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: gated, open };
}

for (const harness of harnesses()) {
  t.test(
    `${harness.name}: a waiter is answered when a checkpoint conflict shows its position applied`,
    async (t) => {
      const engine = await harness.create();
      t.teardown(() => engine.close());
      const { store, open } = gatedStore(engine.store);
      const projector = new Projector({ store, db: engine.db });
      await projector.start();
      t.teardown(() => projector.stop());

      const last = await appendTo(engine.store, 'volunteer-v1', [
        build.registered('v1', '2026-01-01T00:00:00.000Z'),
      ]);
      // Another process's projector applies the event to the same read models first.
      const other = new BatchApplier(engine.db, LIVE_PREFIX, {
        rules: projectionRules(DEFAULT_LEDGER_RULES),
      });
      await other.open();
      t.equal(await other.applyBatch(await engine.store.readAll()), 1, 'the other process applied it');

      const waited = projector.waitFor(last, 5_000);
      open();
      t.equal(await waited, true, 'the wait ends once the conflict shows the position applied');
      t.equal(projector.checkpoint(), last);
    },
  );
}
