/**
 * Command throughput against the size of the whole store (issue #7): the same command cycle on
 * fresh volunteers while the store around them grows from 10k to 1M events. Every read is by
 * stream and every append checks one stream's head, both through indexes, so the rate should
 * stay flat; the filler is appended through the adapter like any other events.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@timebank/event-store';
import { driveCycles, percentile } from './support/command-cycle.js';
import { createWorld, NOW_MS, registerVolunteers } from './support/ledger-world.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

const CALLERS = 16;
/** Events per filler append: the port's default `eventsPerAppendMax`. */
const FILLER_BATCH_EVENTS = 1000;
const SIZES = {
  quick: { storeEvents: [10_000, 50_000], cycles: 100 },
  full: { storeEvents: [10_000, 100_000, 1_000_000], cycles: 400 },
};

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
    return `The same command cycle on fresh volunteers while the store grows to ${sizes.storeEvents.map((size) => size.toLocaleString('en-US')).join(', ')} events (filler appended through the adapter in batches of ${FILLER_BATCH_EVENTS}); ${CALLERS} callers, ${sizes.cycles} cycles per size.`;
  },
  async run({ quick, chart }): Promise<Figure[]> {
    const sizes = quick ? SIZES.quick : SIZES.full;
    const world = await createWorld();
    try {
      const points: { storeEvents: number; commandsPerSecond: number; p99Ms: number }[] = [];
      let fillerStreams = 0;
      for (const [step, target] of sizes.storeEvents.entries()) {
        // Positions count events from 1, so the head position is the store's size.
        for (let size = Number(await world.store.headPosition()); size < target;) {
          const count = Math.min(FILLER_BATCH_EVENTS, target - size);
          const batch = Array.from({ length: count }, (_, index) => fillerEvent(size + index));
          await world.store.appendToStream(`filler-${fillerStreams++}`, batch, {
            expectedRevision: 'no_stream',
          });
          size += count;
        }
        // Fresh volunteers per size, so every point folds streams of the same short length.
        const ids = await registerVolunteers(world.ledger, step * 1000, CALLERS);
        const execute = async (command: Parameters<typeof world.ledger.execute>[0]) =>
          (await world.ledger.execute(command)).events;
        const measured = await driveCycles(execute, ids, {
          callers: CALLERS,
          cycles: sizes.cycles,
          nowMs: NOW_MS,
          keyPrefix: `size-${target}`,
        });
        const storeEvents = Number(await world.store.headPosition());
        const point = {
          storeEvents,
          commandsPerSecond: measured.commandsPerSecond,
          p99Ms: percentile(measured.latenciesMs, 0.99),
        };
        console.log(
          `store of ${storeEvents} events: ${Math.round(point.commandsPerSecond)} commands/s, p99 ${point.p99Ms.toFixed(1)} ms`,
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
                note: `${CALLERS} callers on fresh volunteers, ${sizes.cycles} cycles (${sizes.cycles * 3} commands) per size; p99 ${points.map((each) => `${each.p99Ms.toFixed(1)} ms`).join(' / ')} in size order.`,
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
      await world.close();
    }
  },
};
