/**
 * Command throughput against the size of the whole store: the same command cycle on
 * fresh volunteers in stores of 10k, 100k and 1M events. Every read is by stream and every append
 * checks one stream's head, both through indexes, so the rate should stay flat; the filler is
 * appended through the adapter like any other events. One store per size, all open at once, so
 * the sizes take turns in short rounds and each rate is the median of its rounds: a busy moment
 * on a shared machine falls on every size alike.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@timebank/event-store';
import type { CommandInput } from '@timebank/domain';
import { driveCycles, driveInterleaved, type DriveTarget } from './support/command-cycle.js';
import { createWorld, NOW_MS, registerVolunteers, type LedgerWorld } from './support/ledger-world.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

const CALLERS = 16;
/** Events per filler append: the port's default `eventsPerAppendMax`. */
const FILLER_BATCH_EVENTS = 1000;
const SIZES = {
  quick: { storeEvents: [10_000, 50_000], cycles: 100 },
  full: { storeEvents: [10_000, 100_000, 1_000_000], cycles: 2100 },
};
/** Rounds per size; the sizes alternate round by round. */
const ROUNDS = 7;

interface Prepared extends DriveTarget {
  readonly world: LedgerWorld;
  readonly storeEvents: number;
}

/** A store filled to `target` events, with fresh volunteers and a warm-up cycle each. */
async function prepare(target: number): Promise<Prepared> {
  const world = await createWorld();
  let fillerStreams = 0;
  // Positions count events from 1, so the head position is the store's size.
  for (let size = Number(await world.store.headPosition()); size < target;) {
    const count = Math.min(FILLER_BATCH_EVENTS, target - size);
    const batch = Array.from({ length: count }, (_, index) => fillerEvent(size + index));
    await world.store.appendToStream(`filler-${fillerStreams++}`, batch, { expectedRevision: 'no_stream' });
    size += count;
  }
  const ids = await registerVolunteers(world.ledger, 0, CALLERS);
  const execute = async (command: CommandInput) => (await world.ledger.execute(command)).events;
  const slots = new Map<string, number>();
  await driveCycles(execute, ids, {
    callers: CALLERS,
    cycles: CALLERS,
    nowMs: NOW_MS,
    keyPrefix: 'warm',
    slots,
  });
  return { world, storeEvents: Number(await world.store.headPosition()), ids, execute, slots };
}

function fillerEvent(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ServiceHoursRecorded',
    data: {
      volunteerId: `filler-${n % 100_000}`,
      recordId: `r${n}`,
      activity: 'Elder care visits',
      organisationId: 'org-1',
      startAt: '2026-03-01T09:00:00.000Z',
      endAt: '2026-03-01T11:30:00.000Z',
      durationMinutes: 150,
    },
    metadata: { schemaVersion: 1, actor: 'bench:filler', idempotencyKey: `filler-${n}` },
  };
}

export const ledgerStoreSizeBenchmark: Benchmark = {
  name: 'ledger-store-size',
  describe: ({ quick }) => {
    const sizes = quick ? SIZES.quick : SIZES.full;
    return `The same command cycle on fresh volunteers in stores of ${sizes.storeEvents.map((size) => size.toLocaleString('en-US')).join(', ')} events (filler appended through the adapter in batches of ${FILLER_BATCH_EVENTS}), one store per size, all open at once; ${CALLERS} callers, ${sizes.cycles} cycles per size in ${ROUNDS} rounds that alternate between the sizes.`;
  },
  async run({ quick, chart }): Promise<Figure[]> {
    const sizes = quick ? SIZES.quick : SIZES.full;
    const prepared: Prepared[] = [];
    const points: { storeEvents: number; commandsPerSecond: number; p99Ms: number }[] = [];
    try {
      for (const target of sizes.storeEvents) {
        prepared.push(await prepare(target));
        console.log(`filled a store to ${target} events`);
      }
      const measured = await driveInterleaved(prepared, {
        callers: CALLERS,
        cycles: sizes.cycles,
        rounds: ROUNDS,
        nowMs: NOW_MS,
      });
      for (const [index, each] of prepared.entries()) {
        const point = {
          storeEvents: each.storeEvents,
          commandsPerSecond: measured[index]?.commandsPerSecond ?? Number.NaN,
          p99Ms: measured[index]?.p99Ms ?? Number.NaN,
        };
        console.log(
          `store of ${point.storeEvents} events: ${Math.round(point.commandsPerSecond)} commands/s, p99 ${point.p99Ms.toFixed(1)} ms`,
        );
        points.push(point);
      }
      const smallest = points[0];
      if (smallest === undefined) throw new Error('no store sizes measured');
      chart?.({
        kind: 'line',
        name: 'store-size',
        title: 'Command throughput vs store size (16 callers)',
        xLabel: 'events in the store',
        xLog: true,
        series: [
          {
            name: 'commands/s',
            points: points.map((point) => ({ x: point.storeEvents, y: point.commandsPerSecond })),
          },
        ],
        secondary: {
          name: 'p99 ms',
          points: points.map((point) => ({ x: point.storeEvents, y: point.p99Ms })),
        },
      });
      return points.map((point) =>
        figure({
          name: `command cycle in a store of ${point.storeEvents.toLocaleString('en-US')} events`,
          value: point.commandsPerSecond,
          unit: 'commands/s',
          ...(point === smallest
            ? {
                note: `${CALLERS} callers on fresh volunteers, ${sizes.cycles} cycles (${sizes.cycles * 3} commands) per size in ${ROUNDS} interleaved rounds (rate = median round); p99 ${points.map((each) => `${each.p99Ms.toFixed(1)} ms`).join(' / ')} in size order.`,
              }
            : {
                baseline: {
                  name: `store of ${smallest.storeEvents.toLocaleString('en-US')}`,
                  value: smallest.commandsPerSecond,
                },
              }),
        }),
      );
    } finally {
      for (const each of prepared) await each.world.close();
    }
  },
};
