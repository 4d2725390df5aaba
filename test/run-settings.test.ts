/**
 * The settings `pnpm start` and `pnpm ledger` run with (package.json) match what the benchmarks
 * start their children with (scripts/bench/support/allocator.ts): the benchmarks check it at run
 * time, and this runs the same check in `pnpm test`, so a script edited on its own fails here
 * rather than in the next full benchmark. It also keeps the `ledger` command's allocator setting
 * that its rebuild's speed depends on (docs/projections.md, "Heap").
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function allocatorCheck(): { status: number | null; stdout: string; stderr: string } {
  const program = `
    const allocator = await import('./scripts/bench/support/allocator.ts');
    allocator.startDefaultsChecked('start');
    allocator.startDefaultsChecked('ledger');
    console.log(JSON.stringify(allocator.LEDGER_CLI_MALLOC_ENV));`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

t.test("package.json's start and ledger scripts carry the benchmarks' settings", async (t) => {
  const result = allocatorCheck();
  t.equal(result.status, 0, result.stderr);
  if (result.status !== 0) return;
  const environment = JSON.parse(result.stdout.trim()) as Record<string, string>;
  // A trim threshold alone fixes glibc's mmap threshold at 128 KiB: every rebuild message to the
  // second thread was then mapped and faulted in afresh.
  t.equal(environment.MALLOC_TRIM_THRESHOLD_, '65536');
  t.equal(environment.MALLOC_MMAP_THRESHOLD_, '4194304');
  t.equal(environment.MALLOC_TOP_PAD_, '4194304');
});
