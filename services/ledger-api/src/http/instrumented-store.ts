/**
 * Wraps the event store to count appends, events and conflicts for `/metrics`, whoever appends
 * (command handler, API key registry, idempotency records). Semantics are the store's, unchanged.
 */
import { isWrongExpectedVersion, type EventStore, type StreamChangeLog } from '@timebank/event-store';
import type { Counter, Histogram } from './metrics.js';

export interface StoreMetrics {
  readonly appends: Counter;
  readonly appendedEvents: Counter;
  readonly appendSeconds: Histogram;
}

export function instrumentStore(store: EventStore, metrics: StoreMetrics): EventStore {
  // The change log, when the engine has one, passes through: the command handler's cache needs it
  // to know that a cached stream is still current without reading it.
  const changeLog = store as Partial<StreamChangeLog>;
  const changes: StreamChangeLog | undefined =
    changeLog.streamChangesSince === undefined
      ? undefined
      : { streamChangesSince: (token) => (store as EventStore & StreamChangeLog).streamChangesSince(token) };
  return {
    ...changes,
    engine: store.engine,
    async appendToStream(streamName, events, options) {
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
    },
    readStream: (streamName, options) => store.readStream(streamName, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}
