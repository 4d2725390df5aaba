/**
 * Wraps the event store to count appends, events and conflicts for `/metrics`, whoever appends
 * (command handler, API key registry, idempotency records). Semantics are the store's, unchanged.
 */
import { type EventStore } from '@timebank/event-store';
import type { Counter, Histogram } from './metrics.js';
export interface StoreMetrics {
    readonly appends: Counter;
    readonly appendedEvents: Counter;
    readonly appendSeconds: Histogram;
}
/** The same store, every capability included, with its appends measured. */
export declare function instrumentStore<Store extends EventStore>(store: Store, metrics: StoreMetrics): Store;
