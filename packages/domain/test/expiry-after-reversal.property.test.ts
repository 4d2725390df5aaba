/**
 * Under a policy where every point expires, once every lot's date has passed nothing the volunteer
 * holds is still usable: each point earned was spent, taken back by a reversal, or is due to
 * expire. Random histories of one volunteer earn, spend (holds, some released), void and correct
 * records (with their points spent or not, expired or not) and let the clock expire points; the
 * volunteer receives no points that never expire (no transfers, no pool allocations).
 *
 * A void or correction that could not take back spent points (a shortfall) used to drop the
 * record's lot, so its spending counted against the volunteer's later lots, which then expired
 * that much less: some points never expired.
 */
import fc from 'fast-check';
import t from 'tap';
import {
  foldVolunteer,
  formatInstant,
  isDomainError,
  parseInstant,
  usableCentipoints,
  type CommandInput,
  type DecideContext,
  type DomainEvent,
} from '../src/index.js';
import { hold, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerContext, policyWithExpiry, volunteerWithHours } from './support/points-setup.js';
import { decideOn, NOW, ORGANISER, PARTNER_USER, SYSTEM } from './support/scenario.js';

const DAY_MS = 86_400_000;

type Step =
  | { kind: 'earn'; hours: number }
  | { kind: 'spend'; release: boolean }
  | { kind: 'void' | 'correct'; pick: number }
  | { kind: 'expire' }
  | { kind: 'advance'; days: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('earn' as const), hours: fc.integer({ min: 1, max: 10 }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('spend' as const), release: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('void' as const, 'correct' as const), pick: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 40 }) }),
  },
);

t.test('once every lot is due, no point is left usable, whatever was voided or corrected', async (t) => {
  const pointsPolicy = policyWithExpiry(t, [{ effectiveFrom: '2026-01-01T00:00:00.000Z', expiryDays: 30 }]);
  const start = partnerContext(t, { pointsPolicy });
  const opening = volunteerWithHours(t, 10, start);

  const run = (steps: readonly Step[]): { events: DomainEvent[]; nowMs: number } => {
    let nowMs = parseInstant(NOW);
    let keys = 0;
    const events = [...opening];
    const context = (): DecideContext => ({ ...start, now: formatInstant(nowMs) });
    /** Appends what the command decides; a refusal (nothing to spend, nothing due) appends nothing. */
    const execute = (command: CommandInput): DomainEvent[] => {
      const result = decideOn(events, command, context());
      if (isDomainError(result)) return [];
      events.push(...result);
      return result;
    };
    const common = { actor: ORGANISER, volunteerId: VOLUNTEER_ID };
    for (const step of steps) {
      const key = `step-${++keys}`;
      switch (step.kind) {
        case 'earn': {
          // A new day each time, so that records never overlap or pass the daily cap.
          nowMs += DAY_MS;
          const recorded = execute({
            ...common,
            type: 'RecordServiceHours',
            idempotencyKey: key,
            activity: 'Visiting elderly neighbours',
            organisationId: 'org-1',
            startAt: formatInstant(nowMs - 20 * 3_600_000),
            endAt: formatInstant(nowMs - (20 - step.hours) * 3_600_000),
          });
          const recordId = recorded.find((event) => event.type === 'ServiceHoursRecorded')?.data.recordId;
          if (recordId !== undefined)
            execute({
              ...common,
              type: 'ConfirmServiceHours',
              idempotencyKey: `${key}:confirm`,
              recordId,
              qualityGrade: 'standard',
            });
          break;
        }
        case 'spend': {
          const held = execute(hold(500, { idempotencyKey: key }));
          const holdId = held.find((event) => event.type === 'PointsHeld')?.data.holdId;
          if (holdId !== undefined)
            execute({
              type: step.release ? 'ReleasePoints' : 'CapturePoints',
              idempotencyKey: `${key}:settle`,
              actor: PARTNER_USER,
              volunteerId: VOLUNTEER_ID,
              partnerId: 'p1',
              holdId,
            });
          break;
        }
        case 'void':
        case 'correct': {
          const state = foldVolunteer(events);
          const live = [...state.records.values()].filter((record) => record.status === 'confirmed');
          const target = live[step.pick % Math.max(1, live.length)];
          if (target === undefined) break;
          execute(
            step.kind === 'void'
              ? {
                  ...common,
                  type: 'VoidServiceRecord',
                  idempotencyKey: key,
                  recordId: target.recordId,
                  reasonCode: 'duplicate_record',
                }
              : {
                  ...common,
                  type: 'CorrectServiceRecord',
                  idempotencyKey: key,
                  recordId: target.recordId,
                  reasonCode: 'wrong_activity',
                  activity: 'Visiting elderly neighbours (corrected)',
                },
          );
          break;
        }
        case 'expire':
          execute({ type: 'ExpirePoints', idempotencyKey: key, actor: SYSTEM, volunteerId: VOLUNTEER_ID });
          break;
        case 'advance':
          nowMs += step.days * DAY_MS;
          break;
      }
    }
    return { events, nowMs };
  };

  fc.assert(
    fc.property(fc.array(stepArbitrary, { minLength: 5, maxLength: 40 }), (steps) => {
      const { events, nowMs } = run(steps);
      const state = foldVolunteer(events);
      // Every lot was earned by `nowMs` and expires 30 days after it was earned.
      const usable = usableCentipoints(state, nowMs + 31 * DAY_MS);
      if (usable !== 0)
        throw new Error(`${usable} centipoints of ${state.availableCentipoints} available never expire`);
    }),
    { numRuns: 300 },
  );
  // The property is only as strong as its histories: they must void spent points that were not taken back.
  const shortfalls = fc
    .sample(fc.array(stepArbitrary, { minLength: 5, maxLength: 40 }), { numRuns: 300, seed: 7 })
    .flatMap((steps) => run(steps).events)
    .filter((event) => event.type === 'PointsReversed' && event.data.shortfallCentipoints > 0);
  t.ok(shortfalls.length > 0, `histories include reversals with a shortfall (${shortfalls.length})`);
});
