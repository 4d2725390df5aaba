/**
 * The ledger's clock: how fast one sweep expires due holds. Holds are placed through the ledger,
 * projected into the due index (not timed), then one run of the hold-expiry job is timed: each
 * hold costs a due-index page read share, a decision on the cached volunteer stream and an append
 * of one `PointsHoldExpired`. The baseline is the SQLite adapter's own append rate, one event per
 * append with the same group commit, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLedger, holdExpiryJob } from '@timebank/application';
import type { CommandInput } from '@timebank/domain';
import {
  createDueIndexQueries,
  openSqliteReadModels,
  Projector,
} from '../../packages/projections/src/index.js';
import { adapterAppends } from './event-store-sqlite.js';
import { confirmCommand, PARTNER, PARTNER_ID, recordCommand, recordIdOf } from './support/command-cycle.js';
import { createWorld, NOW_MS, registerVolunteers } from './support/ledger-world.js';
import { figure, type Benchmark, type Figure } from './types.js';

/** Holds expired by the timed sweep: the 100,000, or 5,000 for `--quick`. */
const SIZES = { quick: { holds: 5_000 }, full: { holds: 100_000 } };
/** One-centipoint holds per volunteer (10 hours earn 1,000): enough volunteers that 32 commands in flight rarely share a stream. */
const HOLDS_PER_VOLUNTEER = 100;
/** Commands in flight while placing holds. */
const CALLERS = 32;
const HOLD_TIMEOUT_SECONDS = 60;
const ADMIN = { id: 'admin-1', role: 'administrator' } as const;

async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CALLERS, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function sweepRate(holds: number): Promise<number> {
  const world = await createWorld();
  const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-clock-'));
  const db = openSqliteReadModels({ path: join(directory, 'projections.sqlite') });
  try {
    await world.ledger.execute({
      type: 'PublishPartnerOffer',
      idempotencyKey: 'tea',
      actor: ADMIN,
      partnerId: PARTNER_ID,
      offerId: 'tea',
      title: 'Tea',
      priceCentipoints: 1,
    });
    const volunteers = await registerVolunteers(world.ledger, 0, Math.ceil(holds / HOLDS_PER_VOLUNTEER));
    await inParallel(volunteers.length, async (index) => {
      const volunteerId = volunteers[index]!;
      const recorded = await world.ledger.execute(
        recordCommand(volunteerId, `earn-${index}`, NOW_MS - 30 * 3_600_000, 10),
      );
      await world.ledger.execute(confirmCommand(volunteerId, `earn-${index}`, recordIdOf(recorded.events)));
    });
    await inParallel(holds, async (index) => {
      const hold: CommandInput = {
        type: 'HoldPoints',
        idempotencyKey: `hold-${index}`,
        actor: PARTNER,
        volunteerId: volunteers[index % volunteers.length]!,
        partnerId: PARTNER_ID,
        offerId: 'tea',
        centipoints: 1,
        holdTimeoutSeconds: HOLD_TIMEOUT_SECONDS,
      };
      await world.ledger.execute(hold);
    });
    const projector = new Projector({ store: world.store, db });
    await projector.start();
    await projector.waitFor(await world.store.headPosition(), 600_000);
    await projector.stop();

    // The sweep runs an hour after the holds fell due, on a restarted ledger (cold cache).
    const sweepAtMs = NOW_MS + 3_600_000;
    const ledger = createLedger({
      store: world.store,
      clock: () => sweepAtMs,
      nationalIdKey: 'bench-key-0123456789abcdef0123456789abcdef',
    });
    const queries = createDueIndexQueries(db);
    const job = holdExpiryJob({
      ledger,
      source: {
        dueHolds: async (dueBy, limit, after) =>
          (await queries.due(dueBy, limit, after, 'expire-hold')).map((item) => ({
            ...item,
            holdId: item.subjectId,
          })),
      },
    });
    const startedMs = performance.now();
    const expired = await job.run(sweepAtMs);
    const rate = expired / ((performance.now() - startedMs) / 1000);
    if (expired !== holds) throw new Error(`the sweep expired ${expired} of ${holds} holds`);
    console.log(`expired ${expired} due holds at ${Math.round(rate)} events/s`);
    return rate;
  } finally {
    await db.close();
    rmSync(directory, { recursive: true, force: true });
    await world.close();
  }
}

export const schedulerExpiryBenchmark: Benchmark = {
  name: 'scheduler-expiry',
  describe: ({ quick }) =>
    `One sweep of the hold-expiry job over ${(quick ? SIZES.quick : SIZES.full).holds.toLocaleString('en')} due holds ` +
    `(${HOLDS_PER_VOLUNTEER} one-centipoint holds per volunteer), read page by page from the due index and expired ` +
    'with 32 commands in flight on a restarted ledger, against the SQLite adapter appending one event per append ' +
    'with the same group commit in the same run.',
  async run({ quick }): Promise<Figure[]> {
    const { holds } = quick ? SIZES.quick : SIZES.full;
    const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-clock-raw-'));
    let baseline: number;
    try {
      baseline = (await adapterAppends(join(directory, 'raw.db'), quick ? 5_000 : 20_000)).rate;
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const rate = await sweepRate(holds);
    return [
      figure({
        name: `expiring ${holds.toLocaleString('en')} due holds in one sweep`,
        value: rate,
        unit: 'events/s',
        baseline: { name: 'SQLite adapter, one event per append', value: baseline },
        note: 'Each expiry is a full command (load the cached stream, decide, append with its revision) plus its share of a due-index page read; the adapter figure is the ceiling.',
      }),
    ];
  },
};
