import type { EventStore } from '@timebank/event-store';
import { portOnly } from '@timebank/event-store/testing';

/**
 * The store's port and nothing more (no change log, so a ledger on it re-reads streams), except
 * that `before` runs once, right before the first append to `streamName`: another writer winning
 * the race in between, or, when `before` throws, a crash before the append was stored.
 */
export function beforeFirstAppendTo(
  store: EventStore,
  streamName: string,
  before: () => Promise<unknown>,
): EventStore {
  let done = false;
  return {
    ...portOnly(store),
    async appendToStream(stream, events, options) {
      if (!done && stream === streamName) {
        done = true;
        await before();
      }
      return store.appendToStream(stream, events, options);
    },
  };
}
