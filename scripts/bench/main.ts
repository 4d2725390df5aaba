/**
 * `pnpm bench`: runs the registered benchmarks in one process, one after another (they would
 * distort each other in parallel on two cores), prints a table and writes docs/benchmarks.md
 * with its charts in docs/img/ (beside the report: `--output /tmp/x.md` writes /tmp/img/).
 *
 *   pnpm bench [--quick] [--only event-store-sqlite,...] [--output docs/benchmarks.md]
 *   pnpm bench profile [--route writes|points] …   (where a request's time goes: see profile.ts)
 *
 * Never part of `pnpm test`: figures depend on the machine, so nothing here asserts a threshold.
 * A module that throws is reported as failed in the document and makes the exit code 1, after
 * the others have run, so CI shows a benchmark that no longer works without gating on figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { apiHttpBenchmark } from './api-http.js';
import { apiHttpProcessesBenchmark } from './api-http-processes.js';
import { emmettPeerBenchmark } from './emmett-peer.js';
import { eventStorePostgresBenchmark } from './event-store-postgres.js';
import { eventStoreSqliteBenchmark } from './event-store-sqlite.js';
import { ledgerMemoryBenchmark } from './ledger-memory.js';
import { ledgerSoakBenchmark } from './ledger-soak.js';
import { ledgerStoreSizeBenchmark } from './ledger-store-size.js';
import { ledgerStreamLengthBenchmark } from './ledger-stream-length.js';
import { kafkaRelayBenchmark } from './kafka-relay.js';
import { describeMachine } from './machine.js';
import { personalDataBenchmark } from './personal-data.js';
import { runProfile } from './profile.js';
import { projectionsRebuildBenchmark } from './projections-rebuild.js';
import { schedulerExpiryBenchmark } from './scheduler-expiry.js';
import { consoleTable, markdownReport } from './report.js';
import type { ModuleResult } from './report.js';
import { renderChart, type Chart } from './svg-chart.js';
import type { Benchmark } from './types.js';

/** Every benchmark of the project, in run order. Register new modules here, one per line. */
const BENCHMARKS: readonly Benchmark[] = [
  eventStoreSqliteBenchmark,
  eventStorePostgresBenchmark,
  ledgerStreamLengthBenchmark,
  ledgerStoreSizeBenchmark,
  emmettPeerBenchmark,
  ledgerMemoryBenchmark,
  ledgerSoakBenchmark,
  kafkaRelayBenchmark,
  projectionsRebuildBenchmark,
  personalDataBenchmark,
  apiHttpBenchmark,
  apiHttpProcessesBenchmark,
  schedulerExpiryBenchmark,
];

/** Benchmarks other modules provide that every report must carry; the report names any still missing. */
const EXPECTED = [
  { name: 'event-store-postgres', what: 'PostgreSQL adapter appends with a pool' },
  { name: 'projections-rebuild', what: 'Rebuild time vs event count and peak RSS' },
  { name: 'kafka-relay', what: 'Kafka relay throughput and end-to-end lag' },
  { name: 'personal-data', what: 'Registrations/s and rebuild events/s with sealing vs plain' },
  { name: 'api-http', what: 'HTTP API requests/s and p99 against a plain fastify route' },
];

const USAGE = `usage: pnpm bench [--quick] [--only <name,...>] [--output <file>]
  --quick          small sizes; the whole run finishes in under two minutes
  --only <names>   run only these benchmarks (${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')})
  --output <file>  where to write the markdown report (default docs/benchmarks.md)`;

// eslint-disable-next-line max-lines-per-function -- not yet split: argument parsing, the run and the report of the bench runner
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
    `${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, SQLite ${machine.sqlite}, ${machine.disk}`,
  );
  const output = resolve(values.output);
  const imageDirectory = join(dirname(output), 'img');
  mkdirSync(imageDirectory, { recursive: true });
  const runStartedMs = performance.now();
  const results: ModuleResult[] = [];
  for (const benchmark of selected) {
    console.log(`\n# ${benchmark.name}${values.quick ? ' (quick)' : ''}`);
    const startedMs = performance.now();
    const charts: Chart[] = [];
    let skipped: string | undefined;
    const skip = (reason: string): void => {
      skipped = reason;
      console.log(`skipped: ${reason}`);
    };
    const seconds = (): number => (performance.now() - startedMs) / 1000;
    try {
      const figures = await benchmark.run({
        quick: values.quick,
        chart: (chart) => charts.push(chart),
        skip,
      });
      const written = charts.map((chart) => {
        writeFileSync(join(imageDirectory, `${chart.name}.svg`), renderChart(chart));
        return { title: chart.title, path: `img/${chart.name}.svg` };
      });
      results.push({
        module: benchmark.name,
        figures,
        seconds: seconds(),
        charts: written,
        ...(skipped === undefined ? {} : { skipped }),
        ...(benchmark.describe === undefined
          ? {}
          : { description: benchmark.describe({ quick: values.quick }) }),
      });
    } catch (error) {
      const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${benchmark.name} failed: ${failure}`);
      process.exitCode = 1;
      results.push({
        module: benchmark.name,
        figures: [],
        seconds: seconds(),
        failure: failure.split('\n')[0] ?? failure,
      });
    }
  }
  console.log(`\n${consoleTable(results)}`);

  const command = [
    'pnpm bench',
    values.quick ? '--quick' : '',
    values.only === undefined ? '' : `--only ${values.only}`,
  ]
    .filter((part) => part !== '')
    .join(' ');
  const markdown = markdownReport(results, machine, {
    quick: values.quick,
    command,
    date: new Date().toISOString().slice(0, 10),
    seconds: (performance.now() - runStartedMs) / 1000,
    missing: EXPECTED.filter((item) => !BENCHMARKS.some((benchmark) => benchmark.name === item.name)).map(
      (item) => `${item.what}: no \`${item.name}\` module is registered in scripts/bench/main.ts yet.`,
    ),
  });
  // Formatted as the repository's lint expects, so a regenerated report passes `prettier --check`.
  const prettierOptions = (await resolveConfig(output)) ?? {};
  writeFileSync(output, await format(markdown, { ...prettierOptions, parser: 'markdown' }));
  console.log(`\nwrote ${output} and its charts in ${imageDirectory}`);
}

// `pnpm bench profile …` runs the profile harness instead of the benchmarks (see profile.ts).
if (process.argv[2] === 'profile') await runProfile(process.argv.slice(3));
else await main();
