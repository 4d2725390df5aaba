/**
 * The glibc allocator settings `pnpm start` and `pnpm ledger` run with (package.json): at most two
 * arenas, and freed memory above 64 KiB handed back. Benchmarks of those processes' memory run
 * their children with the same, so that RSS shows what the shipped commands would hold.
 */
export const LEDGER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '65536' } as const;
