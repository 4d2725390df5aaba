/**
 * Full `rebuild` of the read models: N generated events (1M across 100,000 volunteers;
 * 100k across 10,000 with --quick), events/s and peak RSS, beside the raw limit measured in the
 * same run on the same file: a better-sqlite3 scan of the events table with JSON.parse of every
 * event. The rebuild runs in a child process (this file, `--child`) so that its peak RSS is its own,
 * with the settings `pnpm ledger` runs with (allocator and V8 flags, `support/allocator.ts`), in
 * rounds of two configurations: those settings alone, and with the old generation capped
 * (`--max-old-space-size`) as an operator bounds a rebuild in a container. The raw scan is taken
 * before each round and after the last, and the fastest is the baseline.
 * Progress points (events vs seconds) are charted, and the same history cut at a quarter and a
 * half is rebuilt again: the same events/s at every length is a linear rebuild.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import {
  EVENT_STORE_FILE,
  openReadModels,
  READ_MODELS_FILE,
  SCAN_PAGE_CACHE_KIB,
} from '@timebank/ledger-opener';
import { rebuildReadModels } from '../../packages/projections/src/index.js';
import { generateLedger } from '../../packages/projections/src/testing/index.js';
import {
  LEDGER_CLI_NODE_FLAGS,
  LEDGER_LAUNCHER,
  LEDGER_CLI_MALLOC_ENV,
  startDefaultsChecked,
} from './support/allocator.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

const SIZES = {
  quick: { events: 100_000, volunteers: 10_000 },
  full: { events: 1_000_000, volunteers: 100_000 },
};
const MIB = 1024 * 1024;
/** The allocator settings and V8 flags of `pnpm ledger`, as the report names them. */
const LEDGER_SETTINGS_TEXT = [
  ...Object.entries(LEDGER_CLI_MALLOC_ENV).map(([name, value]) => `${name}=${value}`),
  LEDGER_CLI_NODE_FLAGS.join(' '),
].join(', ');
/**
 * Old-generation cap of the capped run, in MiB: twice the live heap of a rebuild at the default
 * row budget (~70 MB measured: 12 MB of modules, 100,000 volunteer rows, the newest records and
 * holds, the dropped-key filters), so V8 collects before garbage piles up, but not constantly.
 */
const CAPPED_OLD_SPACE_MIB = 144;

interface ChildResult {
  readonly events: number;
  readonly elapsedMs: number;
  readonly maxRssBytes: number;
  readonly points: { seconds: number; events: number }[];
}

async function runChild(directory: string, storeFile: string): Promise<void> {
  // The store as `pnpm ledger rebuild` opens it (SCAN_PAGE_CACHE_KIB: it reads the history once).
  const store = createSqliteEventStore({
    path: join(directory, storeFile),
    pageCacheKib: SCAN_PAGE_CACHE_KIB,
  });
  const db = await openReadModels({ engine: 'sqlite', dataDir: directory });
  const points: { seconds: number; events: number }[] = [{ seconds: 0, events: 0 }];
  const started = performance.now();
  const result = await rebuildReadModels({
    store,
    db,
    onProgress: (progress) =>
      points.push({ seconds: (performance.now() - started) / 1000, events: progress.events }),
  });
  const output: ChildResult = {
    events: result.events,
    elapsedMs: result.elapsedMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    points,
  };
  await store.close();
  await db.close();
  console.log(JSON.stringify(output));
}

/** The raw limit: read every event row and parse its JSON, nothing else. */
function scanAndParse(path: string): { events: number; eventsPerSecond: number } {
  const db = new Database(path, { readonly: true });
  const started = performance.now();
  let events = 0;
  const rows = db
    .prepare(
      `SELECT e.position, s.stream_name, e.revision, e.data, e.metadata, e.hash
         FROM events e JOIN streams s ON s.stream_id = e.stream_id ORDER BY e.position`,
    )
    .raw(true);
  for (const row of rows.iterate() as Iterable<unknown[]>) {
    JSON.parse(row[3] as string);
    JSON.parse(row[4] as string);
    events += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { events, eventsPerSecond: events / seconds };
}

/**
 * A store holding the first `events` events of the one at `source`: what the ledger held when its
 * head was there. Copied row for row (hashes and all), with each stream's head as of that point,
 * so the rebuild curve compares histories that differ only in length.
 */
async function prefixStore(source: string, target: string, events: number): Promise<void> {
  await createSqliteEventStore({ path: target }).close();
  const db = new Database(target);
  try {
    db.prepare('ATTACH DATABASE ? AS source').run(source);
    db.transaction(() => {
      db.prepare('INSERT INTO events SELECT * FROM source.events WHERE position <= ? ORDER BY position').run(
        events,
      );
      // SQLite's bare columns: with max(), `hash` comes from the row holding the maximum revision.
      db.exec(`INSERT INTO streams
        SELECT e.stream_id, s.stream_name, max(e.revision), e.hash
          FROM events e JOIN source.streams s ON s.stream_id = e.stream_id GROUP BY e.stream_id`);
    })();
    db.exec('DETACH DATABASE source');
  } finally {
    db.close();
  }
}

/** Share of the full history rebuilt for the rebuild-time-vs-events curve, besides the whole of it. */
const CURVE_FRACTIONS = [0.25, 0.5] as const;
/** Rounds of the full rebuild, each configuration once per round; each keeps its fastest rate and highest RSS. */
const MAIN_ROUNDS = 2;
/** Rounds of the rebuild-time curve; each length keeps its fastest. */
const CURVE_ROUNDS = 2;

export const projectionsRebuildBenchmark: Benchmark = {
  name: 'projections-rebuild',
  describe: ({ quick }) => {
    const size = quick ? SIZES.quick : SIZES.full;
    return (
      `\`rebuildReadModels\` over ${size.events.toLocaleString('en-US')} generated events across ` +
      `${size.volunteers.toLocaleString('en-US')} volunteers (SQLite store and read models), in a child ` +
      `process, with the settings of \`pnpm ledger\` (${LEDGER_SETTINGS_TEXT}), in ${MAIN_ROUNDS} rounds of two configurations: those settings alone and with --max-old-space-size=${CAPPED_OLD_SPACE_MIB}; each keeps its fastest round and its highest peak RSS. ` +
      'The baseline is a raw better-sqlite3 scan of the same events table with JSON.parse of every event, ' +
      'taken before each round and after the last, the fastest of them: the rate no rebuild through the store can beat. ' +
      "For rebuild time vs event count, copies of the store cut at a quarter and at half of its events are rebuilt with the first configuration; their rate is set beside the full rebuild's."
    );
  },
  // eslint-disable-next-line max-lines-per-function -- not yet split: one benchmark's set-up, measurement and teardown in one try/finally
  async run({ quick, chart }): Promise<Figure[]> {
    startDefaultsChecked('ledger');
    const size = quick ? SIZES.quick : SIZES.full;
    const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-rebuild-'));
    try {
      const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
      const generated = await generateLedger(store, {
        volunteers: size.volunteers,
        eventsTarget: size.events,
      });
      await store.close();
      console.log(`generated ${generated} events across ${size.volunteers} volunteers`);
      // The raw limit is scanned before each round and once after the last; the fastest scan is
      // the baseline, so a scan that happened to meet a busy moment cannot flatter the ratio.
      const rawRates: number[] = [];
      const scanRaw = (): void => {
        const rate = scanAndParse(join(directory, EVENT_STORE_FILE)).eventsPerSecond;
        rawRates.push(rate);
        console.log(`raw scan and parse: ${Math.round(rate)} events/s`);
      };
      const runs = [
        { name: '`pnpm ledger` settings', flags: [...LEDGER_CLI_NODE_FLAGS], capped: false },
        {
          name: `\`pnpm ledger\` settings, old space capped at ${CAPPED_OLD_SPACE_MIB} MiB`,
          flags: [...LEDGER_CLI_NODE_FLAGS, `--max-old-space-size=${CAPPED_OLD_SPACE_MIB}`],
          capped: true,
        },
      ];
      const figures: Figure[] = [];
      const series: { name: string; points: { x: number; y: number }[] }[] = [];
      const rebuild = async (storeFile: string, flags: readonly string[]): Promise<ChildResult> => {
        for (const suffix of ['', '-wal', '-shm']) {
          rmSync(join(directory, `${READ_MODELS_FILE}${suffix}`), { force: true });
        }
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [...flags, LEDGER_LAUNCHER, fileURLToPath(import.meta.url), '--child', directory, storeFile],
          { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...LEDGER_CLI_MALLOC_ENV } },
        );
        return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult;
      };
      // MAIN_ROUNDS rounds, each a raw scan and then every configuration: a configuration keeps
      // its fastest rebuild and its highest peak RSS.
      const fastestRun = new Map<string, ChildResult>();
      const peakRss = new Map<string, number>();
      for (let round = 0; round < MAIN_ROUNDS; round += 1) {
        scanRaw();
        for (const run of runs) {
          const result = await rebuild(EVENT_STORE_FILE, run.flags);
          const rate = result.events / (result.elapsedMs / 1000);
          console.log(
            `rebuild (${run.name}), round ${round + 1}: ${result.events} events, ${Math.round(rate)} events/s, peak RSS ${(result.maxRssBytes / MIB).toFixed(0)} MiB`,
          );
          const best = fastestRun.get(run.name);
          if (best === undefined || result.elapsedMs < best.elapsedMs) fastestRun.set(run.name, result);
          peakRss.set(run.name, Math.max(peakRss.get(run.name) ?? 0, result.maxRssBytes));
        }
      }
      scanRaw();
      const rawBaseline = { name: 'raw SQLite scan + JSON.parse, fastest', value: Math.max(...rawRates) };
      const full = fastestRun.get(runs[0]?.name ?? '');
      for (const run of runs) {
        const result = fastestRun.get(run.name);
        if (result === undefined) continue;
        const rate = result.events / (result.elapsedMs / 1000);
        series.push({
          name: run.name,
          points: result.points.map((point) => ({ x: point.seconds, y: point.events })),
        });
        figures.push(
          figure({
            name: `rebuild of ${result.events.toLocaleString('en-US')} events, ${size.volunteers.toLocaleString('en-US')} volunteers, ${run.name}`,
            value: rate,
            unit: 'events/s',
            baseline: rawBaseline,
            // The rebuild target: "≥ 150,000 events/s (the raw SQLite scan-and-parse limit here is about
            // 300,000/s)": half the raw rate, checked against the raw rate of this run because
            // this VM's raw rate itself moves between ~110,000 and ~290,000 events/s.
            target: { comparison: '>=', value: 0.5, of: 'ratio' },
            note: `fastest of ${MAIN_ROUNDS} rounds; baseline the fastest of ${rawRates.length} raw scans taken before each round and after the last. The issue's 150,000 events/s is half the 300,000/s raw rate it quotes, hence the ratio target. Read 1,000-event pages, fold every read model in memory, bulk INSERT in key order (rows beyond the 200,000-row budget written early: on a second thread, or on the folding thread when the heap is capped below 512 MiB), then indexes and swap; WAL, synchronous=FULL.`,
          }),
          figure({
            name: `rebuild peak RSS, ${run.name}`,
            value: (peakRss.get(run.name) ?? 0) / MIB,
            unit: 'MiB',
            target: { comparison: '<=', value: 300 },
            note:
              (run.capped
                ? 'child maxRSS; ~100 MiB of it is node, tsx and the modules before the first event; one thread.'
                : 'child maxRSS; each isolate grows its old generation to 1.5× what survived its last full GC (--heap-growing-percent=50), with a young generation of 3 × 8 MiB (--max-semi-space-size=8), the folding thread holding ~70 MB of live rows; two threads.') +
              ` Highest of the ${MAIN_ROUNDS} rounds.`,
          }),
        );
      }
      chart?.({
        kind: 'line',
        name: 'projections-rebuild',
        title: `Rebuild progress, ${size.events.toLocaleString('en-US')} events (linear = straight line)`,
        xLabel: 'seconds',
        series,
      });
      // Rebuild time vs event count: the same history cut at a quarter and at half, and whole,
      // rebuilt with the first run's flags in CURVE_ROUNDS interleaved rounds; each length keeps its
      // fastest round, so a neighbour's burst does not bend the curve. Linear means the same
      // events/s at every length.
      const lengths = [
        ...CURVE_FRACTIONS.map((fraction) => ({ fraction, storeFile: `ledger-${fraction}.sqlite` })),
        { fraction: 1, storeFile: EVENT_STORE_FILE },
      ];
      const totalEvents = full?.events ?? 0;
      for (const { fraction, storeFile } of lengths) {
        if (fraction === 1) continue;
        await prefixStore(
          join(directory, EVENT_STORE_FILE),
          join(directory, storeFile),
          Math.round(totalEvents * fraction),
        );
      }
      const fastest = new Map<number, ChildResult>();
      for (let round = 0; round < CURVE_ROUNDS; round += 1) {
        for (const { fraction, storeFile } of lengths) {
          const result = await rebuild(storeFile, runs[0]?.flags ?? []);
          const best = fastest.get(fraction);
          if (best === undefined || result.elapsedMs < best.elapsedMs) fastest.set(fraction, result);
        }
      }
      const whole = fastest.get(1);
      if (whole !== undefined) {
        const wholeRate = whole.events / (whole.elapsedMs / 1000);
        const scaling: { x: number; y: number }[] = [{ x: 0, y: 0 }];
        for (const { fraction } of lengths) {
          const result = fastest.get(fraction);
          if (result === undefined) continue;
          const rate = result.events / (result.elapsedMs / 1000);
          console.log(
            `rebuild of ${result.events} events (fastest of ${CURVE_ROUNDS}): ${Math.round(rate)} events/s`,
          );
          scaling.push({ x: result.events, y: result.elapsedMs / 1000 });
          if (fraction === 1) continue;
          figures.push(
            figure({
              name: `rebuild of the first ${result.events.toLocaleString('en-US')} events (${fraction * 100}% of the history)`,
              value: rate,
              unit: 'events/s',
              baseline: {
                name: `rebuild of all ${whole.events.toLocaleString('en-US')} events`,
                value: wholeRate,
              },
              note: `copies of the store cut at that position, rebuilt with the first configuration in ${CURVE_ROUNDS} rounds that alternate between the lengths (the whole history included); each length's fastest round. A ratio near 1 at every length is a linear rebuild; fixed costs (JIT warm-up, creating the tables, the final index build and swap) weigh more on a shorter history.`,
            }),
          );
        }
        chart?.({
          kind: 'line',
          name: 'projections-rebuild-scaling',
          title: 'Rebuild time vs events in the store (linear = straight line)',
          xLabel: 'events',
          series: [{ name: 'seconds', points: scaling }],
        });
      }
      for (const { fraction, storeFile } of lengths) {
        if (fraction !== 1) rmSync(join(directory, storeFile), { force: true });
      }
      return figures;
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};

if (process.argv[2] === '--child' && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runChild(process.argv[3] ?? '', process.argv[4] ?? EVENT_STORE_FILE);
}
