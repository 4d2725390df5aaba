/**
 * The event store as routes that only read see it: no appends, no subscriptions, no close. Writes
 * go through the ledger (packages/application), which owns the store's write side.
 */
import type { EventStore } from '@timebank/event-store';
export type StoreReader = Pick<EventStore, 'engine' | 'readStream' | 'readAll' | 'headPosition'>;
/** A view of `store` that has only the reading members, so a route cannot append even by a cast. */
export declare function storeReader(store: EventStore): StoreReader;
