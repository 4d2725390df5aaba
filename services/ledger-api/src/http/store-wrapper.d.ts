/**
 * The one way the API wraps its event store: replace `appendToStream`, pass everything else
 * through. A proxy rather than a copy, so that every capability the engine declares (its change
 * log, its payload reader, whatever the port adds later) reaches the layers above unchanged.
 */
import type { EventStore } from '@timebank/event-store';
/** `store` with `appendToStream` replaced; every other member is the store's own, bound to it. */
export declare function withAppend<Store extends EventStore>(store: Store, appendToStream: EventStore['appendToStream']): Store;
