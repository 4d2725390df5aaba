/**
 * Command throughput and p99 against the length of the volunteer's stream. The same
 * command cycle runs on volunteers whose streams already hold 10 … 10,000 events; with the
 * state cache warm a command reads only the stream's tail, so the rate should not fall with
 * length. The first command on each stream after a restart (cold cache) folds the whole stream;
 * its latency is reported beside the curve.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawInserts } from './event-store-sqlite.js';
import { driveCycles, driveInterleaved, percentile, type DriveTarget } from './support/command-cycle.js';
import type { Ledger } from '@timebank/application';
import type { CommandInput } from '@timebank/domain';
import {
  createWorld,
  foldedForHistory,
  generateHistory,
  NOW_MS,
  registerVolunteers,
  seedHistories,
  type LedgerWorld,
} from './support/ledger-world.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

/** Commands in flight: as many desks as the peer comparison uses. */
const CALLERS = 16;
/** Stream lengths of the curve, in events, from the issue. */
const LENGTHS = [10, 100, 1_000, 10_000];
const SIZES = {
  quick: { volunteers: CALLERS, cycles: 100 },
  full: { volunteers: 32, cycles: 2100 },
};

/**
 * Rounds per length: the lengths take turns, a short run each, and each length's rate is the
 * median of its rounds, so that load from other processes on a shared machine falls on every
 * length alike instead of on whichever ran during a busy minute.
 */
const ROUNDS = 7;

interface Point {
  readonly length: number;
  readonly commandsPerSecond: number;
  readonly p99Ms: number;
  readonly coldFirstCommandMs: number;
  readonly fullFoldFirstCommandMs: number;
}

interface Prepared extends DriveTarget {
  readonly length: number;
  readonly world: LedgerWorld;
  readonly coldFirstCommandMs: number;
  readonly fullFoldFirstCommandMs: number;
}

/** A store whose volunteers' streams hold `length` events, and a restarted ledger with a warm cache. */
async function prepare(length: number, volunteers: number): Promise<Prepared> {
  const world = await createWorld();
  const ids = await registerVolunteers(world.ledger, 0, volunteers);
  const template = ids[0];
  if (template === undefined) throw new Error('no volunteers');
  // Each stream starts with the registration and the mandate; the seeded history makes up the rest.
  if (length > 2) {
    const { volunteer, partner } = await foldedForHistory(world.store, template);
    await seedHistories(world.store, template, ids, generateHistory(volunteer, partner, length - 2));
  }
  // The process before the restart, with snapshots: its first command on each stream folds the
  // whole stream (there is no snapshot yet: the figure without snapshots), and it writes each
  // long stream's snapshot in the background, flushed here as a clean shutdown would.
  const slots = new Map<string, number>();
  const firstFold = await firstCommands(world.newLedger({ snapshots: true }), ids, slots, 'before-restart');
  // A new ledger, as after a restart: the warm-up cycle loads each stream once (cold: its snapshot
  // and the events after it), then the measured cycles run on cached state plus the tail.
  const ledger = world.newLedger({ snapshots: true });
  const execute = async (command: CommandInput) => (await ledger.execute(command)).events;
  const cold = await firstCommands(ledger, ids, slots, 'warm');
  return {
    length,
    world,
    ids,
    execute,
    slots,
    coldFirstCommandMs: percentile(cold, 0.5),
    fullFoldFirstCommandMs: percentile(firstFold, 0.5),
  };
}

/** One cycle per volunteer on `ledger`; the latencies of each cycle's first command. Flushes snapshots. */
async function firstCommands(
  ledger: Ledger,
  ids: readonly string[],
  slots: Map<string, number>,
  keyPrefix: string,
): Promise<number[]> {
  const execute = async (command: CommandInput) => (await ledger.execute(command)).events;
  const cycle = await driveCycles(execute, ids, {
    callers: CALLERS,
    cycles: ids.length,
    nowMs: NOW_MS,
    keyPrefix,
    slots,
  });
  await ledger.flushSnapshots();
  return cycle.latenciesMs.filter((_, index) => index % 3 === 0);
}

async function measure(prepared: readonly Prepared[], cycles: number): Promise<Point[]> {
  const measured = await driveInterleaved(prepared, {
    callers: CALLERS,
    cycles,
    rounds: ROUNDS,
    nowMs: NOW_MS,
  });
  return prepared.map((each, index) => ({
    length: each.length,
    commandsPerSecond: measured[index]?.commandsPerSecond ?? Number.NaN,
    p99Ms: measured[index]?.p99Ms ?? Number.NaN,
    coldFirstCommandMs: each.coldFirstCommandMs,
    fullFoldFirstCommandMs: each.fullFoldFirstCommandMs,
  }));
}

export const ledgerStreamLengthBenchmark: Benchmark = {
  name: 'ledger-stream-length',
  describe: ({ quick }) => {
    const sizes = quick ? SIZES.quick : SIZES.full;
    return (
      `The command cycle (record an hour, confirm it, redeem a point: three durable commands, each deciding on the folded volunteer stream and appending with its revision) on volunteers whose streams already hold ${LENGTHS.join(', ')} events. ` +
      `Per length: ${sizes.volunteers} volunteers, ${CALLERS} callers, ${sizes.cycles} cycles in ${ROUNDS} rounds that alternate between the lengths. ` +
      'Histories are decided by the real volunteer decider and appended through the adapter. A first ledger then runs one cycle per volunteer: its first command on each stream folds the whole stream (no snapshot exists yet: the "before any snapshot" figure) and it writes the snapshots of streams with at least 200 events in the background, flushed as at shutdown. ' +
      'The measuring ledger is started after it, as after a restart, so its first command on each stream loads the snapshot and the events after it (the cold figure; streams under 200 events have no snapshot and are folded in full) and later commands read only the tail after the cached revision. ' +
      'What still grows with length is the domain: recording service checks the new record against the live records of the volunteer for overlap and the daily limit.'
    );
  },
  // eslint-disable-next-line max-lines-per-function -- not yet split: one benchmark's set-up, measurement and teardown in one try/finally
  async run({ quick, chart }): Promise<Figure[]> {
    const sizes = quick ? SIZES.quick : SIZES.full;
    const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-raw-'));
    const rawSingle = rawInserts(join(directory, 'raw.db'), quick ? 1_000 : 3_000, 1);
    rmSync(directory, { recursive: true, force: true });
    const prepared: Prepared[] = [];
    let points: Point[];
    try {
      for (const length of LENGTHS) prepared.push(await prepare(length, sizes.volunteers));
      points = await measure(prepared, sizes.cycles);
    } finally {
      for (const each of prepared) await each.world.close();
    }
    for (const point of points) {
      console.log(
        `stream of ${point.length} events: ${Math.round(point.commandsPerSecond)} commands/s, p99 ${point.p99Ms.toFixed(1)} ms, cold first command ${point.coldFirstCommandMs.toFixed(1)} ms (${point.fullFoldFirstCommandMs.toFixed(1)} ms before any snapshot)`,
      );
    }
    const shortest = points[0];
    if (shortest === undefined) throw new Error('no lengths measured');
    chart?.({
      name: 'stream-length',
      title: 'Command throughput vs stream length (16 callers, warm cache)',
      kind: 'line',
      xLabel: 'events in the volunteer stream',
      xLog: true,
      series: [
        {
          name: 'commands/s',
          points: points.map((point) => ({ x: point.length, y: point.commandsPerSecond })),
        },
      ],
      secondary: {
        name: 'p99 ms',
        points: points.map((point) => ({ x: point.length, y: point.p99Ms })),
      },
    });
    const baseline = { name: `stream of ${shortest.length}`, value: shortest.commandsPerSecond };
    return [
      figure({
        name: `command cycle on a ${shortest.length}-event stream, ${CALLERS} callers`,
        value: shortest.commandsPerSecond,
        unit: 'commands/s',
        baseline: { name: 'raw better-sqlite3, 1 insert per transaction', value: rawSingle },
        note: `${sizes.volunteers} volunteers per length, ${sizes.cycles} cycles (${sizes.cycles * 3} commands: record, confirm, redeem) per length in ${ROUNDS} interleaved rounds (rate = median round); each command is durable and appends 1–2 events.`,
      }),
      ...points.slice(1).map((point) =>
        figure({
          name: `command cycle on a ${point.length.toLocaleString('en-US')}-event stream`,
          value: point.commandsPerSecond,
          unit: 'commands/s',
          baseline,
          ...(point.length === 10_000 ? { target: { comparison: '>=', value: 0.8, of: 'ratio' } } : {}),
        }),
      ),
      ...points.map((point) =>
        figure({
          name: `p99 command latency, ${point.length.toLocaleString('en-US')}-event stream`,
          value: point.p99Ms,
          unit: 'ms',
          ...(point === shortest ? {} : { baseline: { name: baseline.name, value: shortest.p99Ms } }),
        }),
      ),
      ...points.slice(1).map((point) =>
        figure({
          name: `first command after a restart (cold cache), ${point.length.toLocaleString('en-US')}-event stream, median`,
          value: point.coldFirstCommandMs,
          unit: 'ms',
          baseline: { name: baseline.name, value: shortest.coldFirstCommandMs },
          // Issue #15: a snapshot makes a long stream's cold load cost about a short one's.
          ...(point.length === 10_000 ? { target: { comparison: '<=', value: 5, of: 'ratio' } } : {}),
        }),
      ),
      ...points.slice(1).map((point) =>
        figure({
          name: `first command before any snapshot (whole stream folded), ${point.length.toLocaleString('en-US')}-event stream, median`,
          value: point.fullFoldFirstCommandMs,
          unit: 'ms',
          baseline: { name: baseline.name, value: shortest.fullFoldFirstCommandMs },
        }),
      ),
    ];
  },
};
