/**
 * `pnpm bench`: runs the registered benchmarks in one process, one after another (they would
 * distort each other in parallel on two cores), prints a table and writes docs/benchmarks.md.
 *
 *   pnpm bench [--quick] [--only event-store-sqlite,...] [--output docs/benchmarks.md]
 *
 * Never part of `pnpm test`: figures depend on the machine, so nothing here asserts a threshold.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { eventStoreSqliteBenchmark } from './event-store-sqlite.js';
import { describeMachine } from './machine.js';
import { consoleTable, markdownReport } from './report.js';
import type { ModuleResult } from './report.js';
import type { Benchmark } from './types.js';

/** Every benchmark of the project, in run order. Register new modules here. */
const BENCHMARKS: readonly Benchmark[] = [eventStoreSqliteBenchmark];

const USAGE = `usage: pnpm bench [--quick] [--only <name,...>] [--output <file>]
  --quick          small sizes; the whole run finishes in under two minutes
  --only <names>   run only these benchmarks (${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')})
  --output <file>  where to write the markdown report (default docs/benchmarks.md)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      output: { type: 'string', default: 'docs/benchmarks.md' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  const selected = BENCHMARKS.filter((benchmark) => only === undefined || only.includes(benchmark.name));

  const machine = describeMachine();
  console.log(
    `${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, SQLite ${machine.sqlite}`,
  );
  const results: ModuleResult[] = [];
  for (const benchmark of selected) {
    console.log(`\n# ${benchmark.name}${values.quick ? ' (quick)' : ''}`);
    const startedMs = performance.now();
    const figures = await benchmark.run({ quick: values.quick });
    results.push({ module: benchmark.name, figures, seconds: (performance.now() - startedMs) / 1000 });
  }
  console.log(`\n${consoleTable(results)}`);

  const output = resolve(values.output);
  const command = [
    'pnpm bench',
    values.quick ? '--quick' : '',
    values.only === undefined ? '' : `--only ${values.only}`,
  ]
    .filter((part) => part !== '')
    .join(' ');
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(
    output,
    markdownReport(results, machine, {
      quick: values.quick,
      command,
      date: new Date().toISOString().slice(0, 10),
    }),
  );
  console.log(`\nwrote ${output}`);
}

await main();
