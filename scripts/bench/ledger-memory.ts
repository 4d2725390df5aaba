/**
 * Resident memory against the number of volunteers: the state cache holds at most
 * `cacheEntriesMax` folded streams, so memory is bounded by configuration, not by data. Each
 * point runs in a child process that registers the volunteers through one ledger (every
 * registration caches that volunteer's state), then reports its RSS after a full collection.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LEDGER_LAUNCHER, LEDGER_MALLOC_ENV } from './support/allocator.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

/** The ledger's default cache bound (`LedgerOptions.cacheEntriesMax`). */
const DEFAULT_CACHE_ENTRIES = 10_000;
/** A tenth of it, to show that the bound, not the data, sets the memory. */
const SMALL_CACHE_ENTRIES = 1_000;
/** Volunteer counts with the default bound; the largest runs again with the small bound. */
const SIZES = { quick: [1_000, 5_000], full: [10_000, 100_000] };
const MIB = 1024 * 1024;
/** Idle seconds the child waits before reading the settled RSS; V8 shrinks its heap after ~8 s idle. */
const SETTLE_SECONDS = { quick: 1, full: 10 };

async function measure(
  volunteers: number,
  cacheEntriesMax: number,
  settleSeconds: number,
): Promise<{ peakRssMiB: number; rssMiB: number; heapMiB: number }> {
  const child = fileURLToPath(new URL('./ledger-memory-child.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      LEDGER_LAUNCHER,
      child,
      '--volunteers',
      String(volunteers),
      '--cache-entries-max',
      String(cacheEntriesMax),
      '--settle-ms',
      String(settleSeconds * 1000),
    ],
    { maxBuffer: 1024 * 1024, env: { ...process.env, ...LEDGER_MALLOC_ENV } },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    peakRssBytes: number;
    settledRssBytes: number;
    heapUsedBytes: number;
  };
  return {
    peakRssMiB: result.peakRssBytes / MIB,
    rssMiB: result.settledRssBytes / MIB,
    heapMiB: result.heapUsedBytes / MIB,
  };
}

export const ledgerMemoryBenchmark: Benchmark = {
  name: 'ledger-memory',
  describe: ({ quick }) =>
    `Resident memory of a process that registered ${(quick ? SIZES.quick : SIZES.full).map((count) => count.toLocaleString('en-US')).join(' and ')} volunteers through one ledger (32 callers), each in a child process of its own: the heap retained after a full GC, the RSS once idle and the peak RSS; the largest count runs again with the cache bound at ${SMALL_CACHE_ENTRIES.toLocaleString('en-US')} streams instead of the default ${DEFAULT_CACHE_ENTRIES.toLocaleString('en-US')}. ` +
    'The retained heap is what configuration must bound: it stays flat as volunteers grow tenfold.',
  // eslint-disable-next-line max-lines-per-function -- not yet split: one benchmark's set-up, measurement and teardown in one try/finally
  async run({ quick, chart }): Promise<Figure[]> {
    const counts = quick ? SIZES.quick : SIZES.full;
    const settleSeconds = quick ? SETTLE_SECONDS.quick : SETTLE_SECONDS.full;
    const runs: {
      volunteers: number;
      cacheEntriesMax: number;
      peakRssMiB: number;
      rssMiB: number;
      heapMiB: number;
    }[] = [];
    const plan = [
      ...counts.map((volunteers) => ({ volunteers, cacheEntriesMax: DEFAULT_CACHE_ENTRIES })),
      { volunteers: counts.at(-1) ?? 0, cacheEntriesMax: SMALL_CACHE_ENTRIES },
    ];
    for (const { volunteers, cacheEntriesMax } of plan) {
      const result = await measure(volunteers, cacheEntriesMax, settleSeconds);
      console.log(
        `${volunteers} volunteers, cache bound ${cacheEntriesMax}: heap ${result.heapMiB.toFixed(0)} MiB, RSS ${result.rssMiB.toFixed(0)} MiB idle, ${result.peakRssMiB.toFixed(0)} MiB peak`,
      );
      runs.push({ volunteers, cacheEntriesMax, ...result });
    }
    chart?.({
      kind: 'bar',
      name: 'memory',
      title: 'Heap retained after GC vs registered volunteers',
      unit: 'heap MiB',
      bars: runs.map((run) => ({
        label: `${run.volunteers.toLocaleString('en-US')} vol., cache ${run.cacheEntriesMax.toLocaleString('en-US')}`,
        value: run.heapMiB,
      })),
    });
    const first = runs[0];
    if (first === undefined) return [];
    const label = (run: { volunteers: number; cacheEntriesMax: number }): string =>
      `${run.volunteers.toLocaleString('en-US')} volunteers, cache bound ${run.cacheEntriesMax.toLocaleString('en-US')} streams`;
    const baseline = (value: number): { baseline: { name: string; value: number } } => ({
      baseline: { name: `${first.volunteers.toLocaleString('en-US')} volunteers`, value },
    });
    return runs.flatMap((run) => {
      const isFirst = run === first;
      return [
        figure({
          name: `heap retained after GC, ${label(run)}`,
          value: run.heapMiB,
          unit: 'MiB',
          ...(isFirst ? {} : baseline(first.heapMiB)),
          ...(isFirst
            ? {
                note: 'what the ledger holds: the state cache (bounded by its configuration), stream heads, modules.',
              }
            : {}),
        }),
        figure({
          name: `RSS once idle, ${label(run)}`,
          value: run.rssMiB,
          unit: 'MiB',
          ...(isFirst ? {} : baseline(first.rssMiB)),
          ...(isFirst
            ? {
                note: `after a full GC and ${settleSeconds} s idle; includes Node, tsx, modules and SQLite's page cache; the child runs with the allocator settings of \`pnpm start\` (MALLOC_ARENA_MAX=2, MALLOC_TRIM_THRESHOLD_=65536), which hand freed memory back.`,
              }
            : {}),
        }),
        figure({
          name: `peak RSS during registration, ${label(run)}`,
          value: run.peakRssMiB,
          unit: 'MiB',
          ...(isFirst ? {} : baseline(first.peakRssMiB)),
          ...(isFirst
            ? {
                note: 'V8 lets garbage pile up while 32 callers register without pause, and grows its heap limit with the allocation rate; it gives the pages back when idle.',
              }
            : {}),
        }),
      ];
    });
  },
};
