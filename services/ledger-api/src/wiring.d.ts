import type { Logger } from 'pino';
import { type Ledger, type Reactor } from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import { Projector } from '@timebank/projections';
import { type LedgerApp } from './app.js';
import type { LedgerApiConfig } from './config.js';
import { type RunningRelay } from './kafka-relay-wiring.js';
/**
 * The national-ID hash key: from configuration, or for SQLite from `national-id.key` in the data
 * directory, generated (256 random bits, file mode 0600) on the first run. Losing it would make
 * every later registration of an existing volunteer look new, so it lives beside the data.
 */
export declare function resolveNationalIdKey(config: LedgerApiConfig): string;
export interface WiredApi extends LedgerApp {
    readonly ledger: Ledger;
    readonly projector: Projector;
    /** Runs transfer and donation credits found in the store (heals a crash between debit and credit). */
    readonly reactor: Reactor;
    /** The in-process Kafka relay, when KAFKA_BROKERS is set. */
    readonly kafkaRelay: RunningRelay | null;
    /** Stops accepting and drains requests, stops the projector and the relay, closes the read models. The store stays open. */
    close(): Promise<void>;
}
export declare function wireLedgerApi(input: {
    readonly config: LedgerApiConfig;
    /** The engine's store, not yet instrumented. */
    readonly store: EventStore;
    readonly logger: Logger;
    readonly clock?: () => number;
    /** Where SQLite read models live when the store is EventStoreDB. Default ./data. */
    readonly readModelDataDir?: string;
}): Promise<WiredApi>;
