/**
 * A small Prometheus registry and text-format (0.0.4) encoder: counters, gauges read at scrape
 * time, and histograms. Written here rather than taken from prom-client because the API needs a
 * handful of series and the format fits in a page.
 */
export declare const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
type Labels = Readonly<Record<string, string>>;
interface Metric {
    readonly name: string;
    encode(): string;
}
export declare class Counter implements Metric {
    #private;
    readonly name: string;
    readonly help: string;
    constructor(name: string, help: string);
    inc(labels?: Labels, amount?: number): void;
    encode(): string;
}
/** A value read from its source at scrape time (e.g. the command handler's conflict count). */
export declare class CollectedMetric implements Metric {
    readonly name: string;
    readonly help: string;
    readonly type: 'gauge' | 'counter';
    readonly collect: () => ReadonlyArray<{
        labels?: Labels;
        value: number;
    }>;
    constructor(name: string, help: string, type: 'gauge' | 'counter', collect: () => ReadonlyArray<{
        labels?: Labels;
        value: number;
    }>);
    encode(): string;
}
export declare class Histogram implements Metric {
    #private;
    readonly name: string;
    readonly help: string;
    /** Upper bounds, ascending; `+Inf` is implicit. */
    readonly buckets: readonly number[];
    constructor(name: string, help: string, 
    /** Upper bounds, ascending; `+Inf` is implicit. */
    buckets: readonly number[]);
    observe(labels: Labels, value: number): void;
    encode(): string;
}
export declare class MetricsRegistry {
    #private;
    register<M extends Metric>(metric: M): M;
    encode(): string;
}
export {};
