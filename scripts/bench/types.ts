/**
 * What a benchmark module gives the runner. Register a module in `main.ts`.
 */
import type { Chart } from './svg-chart.js';

/** A goal from an issue, e.g. `{ comparison: '>=', value: 20_000 }` for "at least 20,000 events/s". */
export interface Target {
  readonly comparison: '>=' | '<=';
  readonly value: number;
  /** What the target applies to: the figure's value (default) or its ratio to the baseline. */
  readonly of?: 'value' | 'ratio';
}

/** One measured number, optionally beside the baseline measured in the same run. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  /** Unit last, as in names: `events/s`, `ms`, `MiB`. */
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value, when a baseline is given. */
  readonly ratio?: number;
  readonly target?: Target;
  /** One sentence for the report: what limits this figure, or how to read it. */
  readonly note?: string;
}

export interface BenchmarkOptions {
  /** Small sizes so that the whole run takes under two minutes. */
  readonly quick: boolean;
  /**
   * Hands a chart to the runner, which writes it to `img/<name>.svg` beside the report and links
   * it under the module's table. Optional so that modules without charts can ignore it.
   */
  readonly chart?: (chart: Chart) => void;
  /**
   * Records why the module measured nothing here (a server URL that is not set, a peer that could
   * not be installed); the report prints the reason where the module's table would be.
   */
  readonly skip: (reason: string) => void;
}

export interface Benchmark {
  /** Used by `--only`; kebab-case, e.g. `event-store-sqlite`. */
  readonly name: string;
  /** Optional paragraph for the report: what is measured, with which sizes, how to read it. */
  readonly describe?: (options: Pick<BenchmarkOptions, 'quick'>) => string;
  run(options: BenchmarkOptions): Promise<Figure[]>;
}

/** Builds a figure with its ratio filled in from the baseline. */
export function figure(fields: Omit<Figure, 'ratio'>): Figure {
  const baseline = fields.baseline;
  return baseline === undefined || baseline.value === 0
    ? fields
    : { ...fields, ratio: fields.value / baseline.value };
}

/** Whether a figure meets its target; undefined when it has none (or its ratio is missing). */
export function meetsTarget(item: Figure): boolean | undefined {
  const target = item.target;
  if (target === undefined) return undefined;
  const measured = target.of === 'ratio' ? item.ratio : item.value;
  if (measured === undefined) return undefined;
  return target.comparison === '>=' ? measured >= target.value : measured <= target.value;
}
