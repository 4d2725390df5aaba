import type { Logger } from 'pino';
import type { EventStore } from '@timebank/event-store';
import { type KafkaRelay } from '@timebank/kafka-relay';
import type { LedgerApiConfig } from './config.js';
import type { ApiMetrics } from './http/api-metrics.js';
export interface RunningRelay {
    readonly relay: KafkaRelay;
    /** Stops the relay (it flushes what it holds if the broker answers) and closes the producer. */
    stop(): Promise<void>;
}
/** Starts the relay when configured; returns null when KAFKA_BROKERS is unset. */
export declare function startKafkaRelay(input: {
    readonly config: LedgerApiConfig;
    readonly store: EventStore;
    readonly logger: Logger;
    readonly metrics: ApiMetrics;
}): RunningRelay | null;
