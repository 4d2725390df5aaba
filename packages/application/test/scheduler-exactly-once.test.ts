/**
 * Property: for random interleavings of holds, captures, releases and sweeps at random times, the
 * hold expiries the scheduler stores are each stored at most once, dated at their due time, and
 * leave the same balances as a replay of the same requests in which every hold expired exactly
 * at its due time.
 */
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { dueHoldExpiries, formatInstant, type DomainEvent } from '@timebank/domain';
import type { Ledger } from '../src/ledger.js';
import { createScheduler, holdExpiryJob, type DueHoldSource } from '../src/scheduler/index.js';
import { PARTNER, ledgerFixture, offerFor, volunteerWithPoints } from './support/ledger-fixture.js';

type Step =
  | { readonly kind: 'hold'; readonly afterMs: number; readonly timeoutSeconds: number }
  | { readonly kind: 'capture' | 'release'; readonly afterMs: number; readonly holdIndex: number }
  | { readonly kind: 'sweep'; readonly afterMs: number };

const afterMs = fc.integer({ min: 0, max: 90_000 });
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('hold' as const),
    afterMs,
    timeoutSeconds: fc.integer({ min: 1, max: 120 }),
  }),
  fc.record({
    kind: fc.constantFrom('capture' as const, 'release' as const),
    afterMs,
    holdIndex: fc.nat(15),
  }),
  fc.record({ kind: fc.constant('sweep' as const), afterMs }),
);

/** The due index of one volunteer, read from the ledger's own state (the projection is tested elsewhere). */
function stateSource(ledger: Ledger, volunteerId: string): DueHoldSource {
  return {
    async dueHolds(dueBy, limit, after) {
      const { state } = await ledger.load('volunteer', volunteerId);
      return dueHoldExpiries(state, Date.parse(dueBy))
        .map((holdId) => ({
          key: `expire-hold:${volunteerId}:${holdId}`,
          dueAt: formatInstant(state.holds.get(holdId)!.expiresAtMs),
          volunteerId,
          holdId,
        }))
        .sort((a, b) => (a.dueAt === b.dueAt ? a.key.localeCompare(b.key) : a.dueAt.localeCompare(b.dueAt)))
        .filter(
          (item) =>
            after === undefined ||
            item.dueAt > after.dueAt ||
            (item.dueAt === after.dueAt && item.key > after.key),
        )
        .slice(0, limit);
    },
  };
}

interface Run {
  readonly available: number;
  readonly held: number;
  readonly events: readonly DomainEvent[];
}

/**
 * Plays `steps`; with `ideal`, expires each due hold exactly at its due time before every step
 * instead of sweeping when the steps say so.
 */
async function play(t: Test, steps: readonly Step[], ideal: boolean): Promise<Run> {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  // 50 h: 5,000 centipoints, more than 16 holds of 100, so no hold is refused for want of points.
  const volunteerId = await volunteerWithPoints(ledger, 50);
  const job = holdExpiryJob({ ledger, source: stateSource(ledger, volunteerId), pageItemsMax: 3 });
  const scheduler = createScheduler({ jobs: [job], clock: () => fixture.clock.nowMs });
  const holdIds: string[] = [];
  const expireDueExactly = async (untilMs: number): Promise<void> => {
    const { state } = await ledger.load('volunteer', volunteerId);
    const due = [...state.holds.values()]
      .filter((hold) => hold.status === 'pending' && hold.expiresAtMs <= untilMs)
      .sort((a, b) => a.expiresAtMs - b.expiresAtMs);
    const nowMs = fixture.clock.nowMs;
    for (const hold of due) {
      fixture.clock.nowMs = hold.expiresAtMs;
      await job.run(hold.expiresAtMs);
    }
    fixture.clock.nowMs = nowMs;
  };
  let index = 0;
  for (const step of steps) {
    fixture.clock.nowMs += step.afterMs;
    if (ideal) await expireDueExactly(fixture.clock.nowMs);
    index += 1;
    if (step.kind === 'sweep') {
      if (!ideal) await scheduler.tick();
      continue;
    }
    if (step.kind === 'hold') {
      const held = await ledger.execute({
        type: 'HoldPoints',
        idempotencyKey: `hold-${index}`,
        actor: PARTNER,
        volunteerId,
        partnerId: 'partner-1',
        offerId: offerFor(100),
        centipoints: 100,
        holdTimeoutSeconds: step.timeoutSeconds,
      });
      const event = held.events[0];
      if (event?.type === 'PointsHeld') holdIds.push(event.data.holdId);
      continue;
    }
    const holdId = holdIds[step.holdIndex % Math.max(1, holdIds.length)];
    if (holdId === undefined) continue;
    await ledger
      .execute({
        type: step.kind === 'capture' ? 'CapturePoints' : 'ReleasePoints',
        idempotencyKey: `${step.kind}-${index}`,
        actor: PARTNER,
        volunteerId,
        partnerId: 'partner-1',
        holdId,
      })
      .catch(() => undefined); // expired, resolved already: refused alike in both runs
  }
  // Everything falls due in the end; a last sweep (twice, as after a crash) settles it.
  fixture.clock.nowMs += 200_000;
  if (ideal) await expireDueExactly(fixture.clock.nowMs);
  else {
    await scheduler.tick();
    await scheduler.tick();
  }
  const { state } = await ledger.load('volunteer', volunteerId);
  const events = (await fixture.store.readStream(`volunteer-${volunteerId}`)).map(
    (recorded) => ({ type: recorded.type, data: recorded.data }) as unknown as DomainEvent,
  );
  return { available: state.availableCentipoints, held: state.heldCentipoints, events };
}

const captured = (run: Run): number => run.events.filter((event) => event.type === 'PointsCaptured').length;

t.test(
  'sweeps at random times expire each hold once, at its due time, as an exact replay would',
  async (t) => {
    const result = await fc.check(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 24 }), async (steps) => {
        const swept = await play(t, steps, false);
        const exact = await play(t, steps, true);
        const expiries = swept.events.filter((event) => event.type === 'PointsHoldExpired');
        const expiredHolds = new Set(expiries.map((event) => (event.data as { holdId: string }).holdId));
        const heldAt = new Map(
          swept.events
            .filter((event) => event.type === 'PointsHeld')
            .map((event) => [
              (event.data as { holdId: string }).holdId,
              (event.data as { expiresAt: string }).expiresAt,
            ]),
        );
        return (
          expiredHolds.size === expiries.length &&
          expiries.every((event) => {
            const data = event.data as { holdId: string; expiredAt: string };
            return heldAt.get(data.holdId) === data.expiredAt;
          }) &&
          swept.held === 0 &&
          swept.available === exact.available &&
          captured(swept) === captured(exact) &&
          swept.held === exact.held
        );
      }),
      { numRuns: 15 },
    );
    t.equal(result.failed, false, fc.defaultReportMessage(result) ?? 'every interleaving holds');
  },
);
