/**
 * Resident memory against the number of volunteers (issue #7): the state cache holds at most
 * `cacheEntriesMax` folded streams, so memory is bounded by configuration, not by data. Each
 * point runs in a child process that registers the volunteers through one ledger (every
 * registration caches that volunteer's state), then reports its RSS after a full collection.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

/** The ledger's default cache bound (`CommandHandlerOptions.cacheEntriesMax`). */
const DEFAULT_CACHE_ENTRIES = 10_000;
/** A tenth of it, to show that the bound, not the data, sets the memory. */
const SMALL_CACHE_ENTRIES = 1_000;
/** Volunteer counts with the default bound; the largest runs again with the small bound. */
const SIZES = { quick: [1_000, 5_000], full: [10_000, 100_000] };
const MIB = 1024 * 1024;

async function measure(
  volunteers: number,
  cacheEntriesMax: number,
): Promise<{ rssMiB: number; heapMiB: number }> {
  const child = fileURLToPath(new URL('./ledger-memory-child.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      child,
      '--volunteers',
      String(volunteers),
      '--cache-entries-max',
      String(cacheEntriesMax),
    ],
    { maxBuffer: 1024 * 1024 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    rssBytes: number;
    heapUsedBytes: number;
  };
  return { rssMiB: result.rssBytes / MIB, heapMiB: result.heapUsedBytes / MIB };
}

export const ledgerMemoryBenchmark: Benchmark = {
  name: 'ledger-memory',
  describe: ({ quick }) =>
    `Resident memory of a process that registered ${(quick ? SIZES.quick : SIZES.full).map((count) => count.toLocaleString('en-US')).join(' and ')} volunteers through one ledger (32 callers), measured after a full GC in a child process of its own; the largest count runs again with the cache bound at ${SMALL_CACHE_ENTRIES.toLocaleString('en-US')} streams instead of the default ${DEFAULT_CACHE_ENTRIES.toLocaleString('en-US')}. ` +
    "RSS includes Node, tsx and SQLite's page cache; the heap figure in the notes is what the ledger holds.",
  async run({ quick, chart }): Promise<Figure[]> {
    const counts = quick ? SIZES.quick : SIZES.full;
    const runs: { volunteers: number; cacheEntriesMax: number; rssMiB: number; heapMiB: number }[] = [];
    const plan = [
      ...counts.map((volunteers) => ({ volunteers, cacheEntriesMax: DEFAULT_CACHE_ENTRIES })),
      { volunteers: counts.at(-1) ?? 0, cacheEntriesMax: SMALL_CACHE_ENTRIES },
    ];
    for (const { volunteers, cacheEntriesMax } of plan) {
      const result = await measure(volunteers, cacheEntriesMax);
      console.log(
        `${volunteers} volunteers, cache bound ${cacheEntriesMax}: RSS ${result.rssMiB.toFixed(0)} MiB, heap ${result.heapMiB.toFixed(0)} MiB`,
      );
      runs.push({ volunteers, cacheEntriesMax, ...result });
    }
    chart?.({
      kind: 'bar',
      name: 'memory',
      title: 'Resident memory vs registered volunteers',
      unit: 'RSS MiB',
      bars: runs.map((run) => ({
        label: `${run.volunteers.toLocaleString('en-US')} vol., cache ${run.cacheEntriesMax.toLocaleString('en-US')}`,
        value: run.rssMiB,
      })),
    });
    return runs.map((run) => {
      const first = runs[0];
      return figure({
        name: `RSS with ${run.volunteers.toLocaleString('en-US')} volunteers, cache bound ${run.cacheEntriesMax.toLocaleString('en-US')} streams`,
        value: run.rssMiB,
        unit: 'MiB',
        ...(first === undefined || first === run
          ? { note: `heap after GC ${run.heapMiB.toFixed(0)} MiB.` }
          : {
              baseline: {
                name: `${first.volunteers.toLocaleString('en-US')} volunteers`,
                value: first.rssMiB,
              },
              note: `heap after GC ${run.heapMiB.toFixed(0)} MiB (${first.heapMiB.toFixed(0)} MiB with ${first.volunteers.toLocaleString('en-US')}).`,
            }),
      });
    });
  },
};
