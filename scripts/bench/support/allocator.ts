/**
 * The memory settings `pnpm start` runs the server with (package.json's `start` script): the glibc
 * allocator's (at most two arenas, freed memory above 64 KiB handed back; `pnpm ledger` has them
 * too) and V8's (`LEDGER_NODE_FLAGS`; `pnpm ledger` has `LEDGER_CLI_NODE_FLAGS`). Benchmarks of
 * those processes run their children with the same (and through the same launcher), so that RSS and throughput show what the shipped command would; `startDefaultsChecked`
 * fails a benchmark whose copy here no longer matches package.json.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * What `pnpm start` and `pnpm ledger` run their TypeScript entry through (scripts/launch.mjs: a
 * bundle, no tsx loader thread); children measured as those commands run start through it too.
 */
export const LEDGER_LAUNCHER = fileURLToPath(new URL('../../launch.mjs', import.meta.url));

export const LEDGER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '65536' } as const;

/**
 * The allocator settings of `pnpm ledger`: the server's, and blocks under 4 MiB taken from the
 * arenas rather than mapped afresh, with 4 MiB kept at the top of an arena when it is trimmed.
 * Setting the trim threshold fixes glibc's mmap threshold at 128 KiB, so every larger block (a
 * rebuild posts ~300 MB of rows to its second thread, each message's buffer ~1 MB) was mapped,
 * faulted in page by page and unmapped again: `postMessage` took 1.9 s of the folding thread in a
 * rebuild of 1.1 million events, 0.9 s with these (and 2,500-row messages, `bulk-loader.ts`).
 * Rebuilds of that ledger on 2026-12-05, alternating: 88,000–92,600 events/s without them,
 * 98,400–103,300 with them; peak RSS 245–266 MiB without, 258–285 with.
 */
export const LEDGER_CLI_MALLOC_ENV = {
  ...LEDGER_MALLOC_ENV,
  MALLOC_MMAP_THRESHOLD_: '4194304',
  MALLOC_TOP_PAD_: '4194304',
} as const;

/**
 * V8 flags of `pnpm start`. A semi-space of at most 4 MiB (Node 20's default is 16 MiB, so up to
 * 48 MiB of young generation per isolate): the server runs three isolates (the request thread,
 * and the writer and projector threads, which bundle their entry as the launcher does the
 * server's), and V8 flags apply to every one. Each old generation grows to 1.5× what survived
 * its last full GC instead of up to 4×. Measured in the ledger-soak benchmark and api-http
 * (docs/operations.md).
 */
export const LEDGER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=50'];

/**
 * V8 flags of `pnpm ledger` (package.json's `ledger` script): the old generation's growth of the
 * server, so that a rebuild's heap grows to 1.5× what survived its last full GC instead of up to
 * 4× (peak RSS 350–375 MiB instead of 495–548 on the benchmark's ledger, times within noise in
 * alternating runs on 2026-12-04), and a semi-space of 8 MiB, half Node 20's default (peak RSS
 * 284–286 MiB instead of 311–324, times no slower, in three alternating pairs on 2026-12-05), but
 * not the server's 4 MiB, which made the rebuild about 12% slower.
 */
export const LEDGER_CLI_NODE_FLAGS: readonly string[] = [
  '--heap-growing-percent=50',
  '--max-semi-space-size=8',
];

/**
 * Throws unless package.json's `script` (`start`, the server; `ledger`, the CLI whose rebuild
 * the projections-rebuild benchmark measures) sets `LEDGER_MALLOC_ENV` and its V8 flags
 * (`LEDGER_NODE_FLAGS`, `LEDGER_CLI_NODE_FLAGS`) and runs its entry through `LEDGER_LAUNCHER`.
 */
export function startDefaultsChecked(script: 'start' | 'ledger' = 'start'): void {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const command = manifest.scripts[script] ?? '';
  const expected = [
    ...Object.entries(script === 'start' ? LEDGER_MALLOC_ENV : LEDGER_CLI_MALLOC_ENV).map(
      ([name, value]) => `${name}=${value}`,
    ),
    ...(script === 'start' ? LEDGER_NODE_FLAGS : LEDGER_CLI_NODE_FLAGS),
    'scripts/launch.mjs',
  ];
  const missing = expected.filter((setting) => !command.split(/\s+/).includes(setting));
  if (missing.length > 0)
    throw new Error(
      `package.json's ${script} script lacks ${missing.join(', ')}: update scripts/bench/support/allocator.ts with it`,
    );
}
