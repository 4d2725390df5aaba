/**
 * A soak as a partner integration would run one: mixed one-centipoint redemptions (a fresh
 * Idempotency-Key each) and balance queries through the in-process API, in a child process of its
 * own with `--expose-gc`. It reads the heap retained after a forced GC once warm and at the end,
 * and the store's bytes per redemption, twice in the same run: with idempotency claims as rows in
 * the append's transaction (this release), and with the store's `IdempotencyClaims` hidden, so
 * that every key is a stream with an `IdempotencyKeyClaimed` event (the previous release): the baseline.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LEDGER_MALLOC_ENV } from './support/allocator.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

/**
 * Mixed requests per run. Volunteers are enough that each spends at most a few hundred of the 400
 * centipoints its eight confirmed hours earn; redemptions spread over them as over a city's.
 */
const SIZES = { quick: { requests: 4_000, volunteers: 20 }, full: { requests: 100_000, volunteers: 400 } };
const MIB = 1024 * 1024;

interface SoakResult {
  readonly warmHeapBytes: number;
  readonly endHeapBytes: number;
  readonly rssBytes: number;
  readonly bytesPerRedemption: number;
  readonly redemptions: number;
  readonly failures: number;
}

async function soak(
  size: { requests: number; volunteers: number },
  claims: 'on' | 'off',
): Promise<SoakResult> {
  const child = fileURLToPath(new URL('./ledger-soak-child.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      child,
      '--requests',
      String(size.requests),
      '--volunteers',
      String(size.volunteers),
      '--claims',
      claims,
    ],
    { maxBuffer: 1024 * 1024, env: { ...process.env, ...LEDGER_MALLOC_ENV } },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as SoakResult;
  if (result.failures > 0) throw new Error(`${result.failures} soak requests failed (claims ${claims})`);
  return result;
}

export const ledgerSoakBenchmark: Benchmark = {
  name: 'ledger-soak',
  describe: ({ quick }) => {
    const size = quick ? SIZES.quick : SIZES.full;
    return (
      `${size.requests.toLocaleString('en-US')} requests through the in-process API (\`app.inject\`, durable SQLite, default cache bounds), half one-centipoint redemptions with a fresh Idempotency-Key each and half balance queries, over ${size.volunteers} volunteers from 20 callers, in a child process with \`--expose-gc\`. ` +
      'The heap is read after two forced full GCs once warm (after a tenth of the requests) and at the end; bytes per redemption are the pages in use (WAL included) the rest of the run added, per redemption. ' +
      "Baseline: the same run with the store's idempotency claims hidden, so that every key is a stream of its own (the previous release)."
    );
  },
  async run({ quick }): Promise<Figure[]> {
    const size = quick ? SIZES.quick : SIZES.full;
    const rows = await soak(size, 'on');
    const streams = await soak(size, 'off');
    for (const [name, result] of [
      ['claims as rows', rows],
      ['claims as streams', streams],
    ] as const) {
      console.log(
        `${name}: heap ${(result.warmHeapBytes / MIB).toFixed(1)} → ${(result.endHeapBytes / MIB).toFixed(1)} MiB, RSS ${(result.rssBytes / MIB).toFixed(0)} MiB, ${result.bytesPerRedemption.toFixed(0)} bytes per redemption`,
      );
    }
    const streamsBaseline = (value: number) => ({
      baseline: { name: 'claims as streams (previous release)', value },
    });
    return [
      figure({
        name: 'bytes on disk per one-centipoint redemption',
        value: rows.bytesPerRedemption,
        unit: 'bytes',
        ...streamsBaseline(streams.bytesPerRedemption),
        target: { comparison: '<=', value: 0.5, of: 'ratio' },
        note: 'PointsHeld + PointsCaptured and a claim row; the baseline adds a stream and an IdempotencyKeyClaimed event per key.',
      }),
      figure({
        name: 'heap retained after GC at the end, relative to once warm',
        value: rows.endHeapBytes / rows.warmHeapBytes,
        unit: '×',
        ...streamsBaseline(streams.endHeapBytes / streams.warmHeapBytes),
        target: { comparison: '<=', value: 1.1 },
        note: 'what still grows: the idempotency cache filling towards IDEMPOTENCY_CACHE_ENTRIES_MAX, and the folded state of the cached volunteers, whose streams lengthen with every redemption (holds and processed keys): bounded in streams (LEDGER_STATE_CACHE_STREAMS_MAX), not in their length.',
      }),
      figure({
        name: 'heap retained after GC at the end',
        value: rows.endHeapBytes / MIB,
        unit: 'MiB',
        ...streamsBaseline(streams.endHeapBytes / MIB),
      }),
      figure({
        name: 'RSS at the end',
        value: rows.rssBytes / MIB,
        unit: 'MiB',
        ...streamsBaseline(streams.rssBytes / MIB),
        target: { comparison: '<=', value: 300 },
        note: "includes Node, tsx, every module and SQLite's page cache; allocator settings of `pnpm start`.",
      }),
    ];
  },
};
