/**
 * Wraps the event store to count appends, events and conflicts for `/metrics`, whoever appends
 * (command handler, API key registry, idempotency records). Semantics are the store's, unchanged.
 */
import { isWrongExpectedVersion, type EventStore } from '@timebank/event-store';
import type { Counter, Histogram } from './metrics.js';
import { withAppend } from './store-wrapper.js';

export interface StoreMetrics {
  readonly appends: Counter;
  readonly appendedEvents: Counter;
  readonly appendSeconds: Histogram;
}

/** The same store, every capability included, with its appends measured. */
export function instrumentStore<Store extends EventStore>(store: Store, metrics: StoreMetrics): Store {
  const appendToStream: EventStore['appendToStream'] = async (streamName, events, options) => {
    const started = process.hrtime.bigint();
    try {
      const result = await store.appendToStream(streamName, events, options);
      metrics.appends.inc({ outcome: 'ok' });
      metrics.appendedEvents.inc({}, events.length);
      return result;
    } catch (error) {
      metrics.appends.inc({ outcome: isWrongExpectedVersion(error) ? 'conflict' : 'error' });
      throw error;
    } finally {
      metrics.appendSeconds.observe({}, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  return withAppend(store, appendToStream);
}
