/**
 * A small Prometheus registry and text-format (0.0.4) encoder: counters, gauges read at scrape
 * time, and histograms. Written here rather than taken from prom-client because the API needs a
 * handful of series and the format fits in a page.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Readonly<Record<string, string>>;

const NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Label values escape backslash, double quote and newline, as the exposition format requires. */
function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatLabels(labels: Labels, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * The series a label set names, independent of key order. Runs on every request (the latency
 * histogram), so it avoids building and serialising entry arrays; the separators are control
 * characters that no label name or value of ours contains.
 */
function labelKey(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

interface Metric {
  readonly name: string;
  encode(): string;
}

export class Counter implements Metric {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) throw new RangeError(`counter ${this.name} can only grow`);
    const key = labelKey(labels);
    const entry = this.#values.get(key);
    if (entry === undefined) this.#values.set(key, { labels, value: amount });
    else entry.value += amount;
  }

  encode(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.#values.values()) {
      lines.push(`${this.name}${formatLabels(labels)} ${formatNumber(value)}`);
    }
    return lines.join('\n');
  }
}

/** A value read from its source at scrape time (e.g. the command handler's conflict count). */
export class CollectedMetric implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    readonly collect: () => ReadonlyArray<{ labels?: Labels; value: number }>,
  ) {}

  encode(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const sample of this.collect()) {
      lines.push(`${this.name}${formatLabels(sample.labels ?? {})} ${formatNumber(sample.value)}`);
    }
    return lines.join('\n');
  }
}

export class HistogramSeries {
  /** Counts per bucket, accumulated on encode, so observe stays O(buckets) without writes to every bucket. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    const { buckets } = this;
    for (let index = 0; index < buckets.length; index += 1) {
      if (value <= buckets[index]!) {
        this.counts[index]! += 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

export class Histogram implements Metric {
  readonly #series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds, ascending; `+Inf` is implicit. */
    readonly buckets: readonly number[],
  ) {
    for (let index = 1; index < buckets.length; index += 1) {
      if (!(buckets[index]! > buckets[index - 1]!)) throw new RangeError(`${name}: buckets must ascend`);
    }
  }

  observe(labels: Labels, value: number): void {
    this.series(labels).observe(value);
  }

  /**
   * One label set's series, to observe into without naming its labels again: a caller that
   * observes the same labels on every request (the request histogram, per route) keeps it.
   */
  series(labels: Labels): HistogramSeries {
    const key = labelKey(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new HistogramSeries(labels, this.buckets);
      this.#series.set(key, series);
    }
    return series;
  }

  encode(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += counts[index]!;
        lines.push(`${this.name}_bucket${formatLabels(labels, ['le', formatNumber(bound)])} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${formatLabels(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatNumber(sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  register<M extends Metric>(metric: M): M {
    if (!NAME_PATTERN.test(metric.name)) throw new Error(`invalid metric name ${metric.name}`);
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  encode(): string {
    return `${[...this.#metrics.values()].map((metric) => metric.encode()).join('\n')}\n`;
  }
}
