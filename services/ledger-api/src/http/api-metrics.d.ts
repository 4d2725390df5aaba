/**
 * The series `/metrics` exposes. Sources that live elsewhere (the command handler's conflict
 * count, the projector's lag) are read at scrape time through the callbacks given here.
 */
import { Counter, Histogram, MetricsRegistry } from './metrics.js';
/**
 * Latency buckets in seconds: 2.5 ms to 2.5 s, seven of them. The API's target p99 is 10 ms
 * (docs/api.md), so they are dense around it; above 100 ms only the order of magnitude matters. Seven
 * rather than the thirteen used before: every bucket is a line per label set.
 */
export declare const LATENCY_BUCKETS_SECONDS: number[];
export declare class ApiMetrics {
    readonly registry: MetricsRegistry;
    readonly requestSeconds: Histogram;
    readonly appends: Counter;
    readonly appendedEvents: Counter;
    readonly appendSeconds: Histogram;
    readonly conflictGiveUps: Counter;
    readonly idempotentReplays: Counter;
    /** Exposes the command handler's conflict count (each conflict is retried until the bound). */
    observeCommandConflicts(conflicts: () => number): void;
    /** Exposes how far the read models are behind, when a projector runs. */
    observeProjectionLag(lag: () => {
        events: number;
        seconds: number;
    }): void;
}
