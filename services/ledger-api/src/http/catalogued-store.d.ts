import type { EventStore } from '@timebank/event-store';
export declare class UncataloguedEventError extends Error {
    constructor(message: string);
}
/** The same store, every capability included, with every append checked against the catalogue first. */
export declare function catalogueCheckedStore<Store extends EventStore>(store: Store): Store;
