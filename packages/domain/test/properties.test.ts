/**
 * Property tests over random command sequences on two volunteers, a partner and the donation
 * pool, with a points-policy change in the middle of the run and a clock that moves forward.
 *
 * Each property compares the ledger with something computed another way: the
 * accounts with an independent tally of what each event means (support/ledger-model.ts), the
 * incrementally evolved state with a fold from scratch of events decoded from JSON, and each
 * award with the policy table and formula restated here. None compares a function with itself.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import {
  compensate,
  computeBalances,
  DEFAULT_LEDGER_RULES,
  foldVolunteer,
  formatInstant,
  isDomainError,
  parseInstant,
  policyDecider,
  react,
  volunteerDecider,
  type CommandInput,
  type DecideContext,
  type DomainEvent,
  type QualityGrade,
} from '../src/index.js';
import { VOLUNTEER_ID } from './support/fixtures.js';
import { tallyLedger } from './support/ledger-model.js';
import { partnerState } from './support/points-setup.js';
import {
  ADMIN,
  decideOn,
  DESK,
  HASH,
  NATIONAL_ID,
  ORGANISER,
  PARTNER_USER,
  SYSTEM,
} from './support/scenario.js';

const OTHER_HASH = 'cd'.repeat(32);
const OTHER_ID = 'v' + OTHER_HASH.slice(0, 32);
const POLICY_FROM = '2026-03-05T00:00:00.000Z';
const START_MS = parseInstant('2026-03-05T12:00:00.000Z');

type Step =
  | { kind: 'record'; who: 0 | 1; hourOffset: number; minutes: number }
  | { kind: 'confirm' | 'void' | 'correct'; pick: number; grade?: 'poor' | 'standard' | 'good' | 'excellent' }
  | { kind: 'hold' | 'redeem'; who: 0 | 1; timeoutSeconds: number }
  | { kind: 'capture' | 'release' | 'expireHold'; pick: number }
  | { kind: 'transfer' | 'donate'; who: 0 | 1; centipoints: number }
  | { kind: 'expirePoints'; who: 0 | 1 }
  | { kind: 'advance'; minutes: number };

const who = fc.constantFrom<0 | 1>(0, 1);
// Weighted towards steps that move points, so that short histories reach every kind of movement.
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      who,
      hourOffset: fc.integer({ min: -72, max: -1 }),
      minutes: fc.integer({ min: 1, max: 600 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('confirm' as const),
      pick: fc.nat(),
      grade: fc.constantFrom('poor' as const, 'standard' as const, 'good' as const, 'excellent' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('void' as const, 'correct' as const), pick: fc.nat() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('hold' as const, 'redeem' as const),
      who,
      timeoutSeconds: fc.integer({ min: 60, max: 200_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('capture' as const, 'release' as const, 'expireHold' as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('transfer' as const, 'donate' as const),
      who,
      centipoints: fc.integer({ min: 1, max: 1500 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expirePoints' as const), who }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      minutes: fc.integer({ min: 1, max: 60 * 24 * 40 }),
    }),
  },
);

/** Runs a sequence from scratch; returns every event in append order. Deterministic in `steps`. */
function run(steps: readonly Step[]): DomainEvent[] {
  let nowMs = START_MS;
  let idCounter = 0;
  const volunteers = [VOLUNTEER_ID, OTHER_ID] as const;
  const streams = new Map<string, DomainEvent[]>();
  const log: DomainEvent[] = [];
  // Version 1 from 2026-03-05: double rate, 30-day expiry, 25-point daily cap, 15-point balance cap.
  const policyEvents = [
    {
      type: 'PointsPolicyChanged',
      data: {
        idempotencyKey: 'policy-1',
        version: 1,
        effectiveFrom: POLICY_FROM,
        terms: {
          ratePerHourCentipoints: 200,
          qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
          balanceCapCentipoints: 1500,
          dailyEarningCapCentipoints: 2500,
          minStarToRedeem: 0,
          expiryDays: 30,
        },
        changedAt: '2026-02-01T00:00:00.000Z',
        actor: ADMIN,
      },
    },
  ] satisfies DomainEvent[];
  const pointsPolicy = policyEvents.reduce(policyDecider.evolve, policyDecider.initialState());
  const partner = partnerState(t, [
    {
      type: 'PartnerOfferPublished',
      data: {
        idempotencyKey: 'tea',
        partnerId: 'p1',
        offerId: 'tea',
        title: 'Tea',
        priceCentipoints: 100,
        publishedAt: '2026-01-01T00:00:00.000Z',
        actor: ADMIN,
      },
    },
  ]);
  const context = (): DecideContext => ({
    now: formatInstant(nowMs),
    newId: () => `id-${++idCounter}`,
    rules: DEFAULT_LEDGER_RULES,
    pointsPolicy,
    partner,
  });
  const streamOf = (volunteerId: string): DomainEvent[] => streams.get(volunteerId) ?? [];

  const execute = (key: string, command: CommandInput, stream: string, hash?: string): void => {
    const events = streamOf(stream);
    const result = decideOn(events, command, {
      ...context(),
      ...(hash === undefined ? {} : { nationalIdHash: hash, volunteerNumber: `N-${hash.slice(0, 6)}` }),
    });
    if (isDomainError(result)) {
      if (command.type === 'ReceivePointsTransfer') {
        for (const refund of compensate(command, result))
          execute(`${key}:refund`, refund, (refund as { volunteerId: string }).volunteerId);
      }
      return;
    }
    streams.set(stream, [...events, ...result]);
    log.push(...result);
    for (const event of result) {
      for (const reaction of react(event)) {
        const target =
          reaction.type === 'ReceiveDonation'
            ? 'donation-pool'
            : (reaction as { volunteerId: string }).volunteerId;
        execute(reaction.idempotencyKey, reaction, target);
      }
    }
  };

  execute(
    'reg-0',
    {
      type: 'RegisterVolunteer',
      idempotencyKey: 'reg-0',
      actor: DESK,
      name: 'A',
      nationalIdNumber: NATIONAL_ID,
      phone: '13800000000',
      community: 'Q',
    },
    VOLUNTEER_ID,
    HASH,
  );
  execute(
    'reg-1',
    {
      type: 'RegisterVolunteer',
      idempotencyKey: 'reg-1',
      actor: DESK,
      name: 'B',
      nationalIdNumber: '110105194912310038',
      phone: '13800000001',
      community: 'Q',
    },
    OTHER_ID,
    OTHER_HASH,
  );
  // Both volunteers consent to the partner's holds; a cap no history reaches keeps every
  // rejection in these histories about points, not consent.
  for (const volunteerId of [VOLUNTEER_ID, OTHER_ID]) {
    execute(
      `mandate-${volunteerId}`,
      {
        type: 'GrantSpendMandate',
        idempotencyKey: `mandate-${volunteerId}`,
        actor: ADMIN,
        volunteerId,
        partnerId: 'p1',
        monthlyCapCentipoints: Number.MAX_SAFE_INTEGER,
      },
      volunteerId,
    );
  }

  const records = (): { volunteerId: string; recordId: string }[] =>
    log.flatMap((event) =>
      event.type === 'ServiceHoursRecorded'
        ? [{ volunteerId: event.data.volunteerId, recordId: event.data.recordId }]
        : event.type === 'ServiceRecordCorrected'
          ? [{ volunteerId: event.data.volunteerId, recordId: event.data.replacementRecordId }]
          : [],
    );
  const holds = (): { volunteerId: string; holdId: string }[] =>
    log.flatMap((event) =>
      event.type === 'PointsHeld' ? [{ volunteerId: event.data.volunteerId, holdId: event.data.holdId }] : [],
    );
  /** Even picks choose among open items, odd picks among all, so that both useful and repeated commands occur. */
  const choose = <T>(all: T[], open: (item: T) => boolean, pick: number): T | undefined => {
    const pool = pick % 2 === 0 ? all.filter(open) : all;
    return pool[Math.floor(pick / 2) % Math.max(1, pool.length)];
  };
  const closedRecords = (): Set<string> =>
    new Set(
      log.flatMap((event) =>
        event.type === 'ServiceHoursConfirmed' ||
        event.type === 'ServiceRecordVoided' ||
        event.type === 'ServiceRecordCorrected'
          ? [event.data.recordId]
          : [],
      ),
    );
  const resolvedHolds = (): Set<string> =>
    new Set(
      log.flatMap((event) =>
        event.type === 'PointsCaptured' ||
        event.type === 'PointsReleased' ||
        event.type === 'PointsHoldExpired'
          ? [event.data.holdId]
          : [],
      ),
    );

  steps.forEach((step, index) => {
    const key = `step-${index}`;
    const base = { idempotencyKey: key };
    switch (step.kind) {
      case 'record': {
        const startMs = nowMs + step.hourOffset * 3_600_000;
        const minutes = Math.min(step.minutes, -step.hourOffset * 60);
        const volunteerId = volunteers[step.who];
        execute(
          key,
          {
            ...base,
            type: 'RecordServiceHours',
            actor: ORGANISER,
            volunteerId,
            activity: 'help',
            organisationId: 'org-1',
            startAt: formatInstant(startMs),
            endAt: formatInstant(startMs + minutes * 60_000),
          },
          volunteerId,
        );
        return;
      }
      case 'confirm':
      case 'void':
      case 'correct': {
        const closed = closedRecords();
        const target = choose(records(), (item) => !closed.has(item.recordId), step.pick);
        if (target === undefined) return;
        const common = {
          ...base,
          actor: ORGANISER,
          volunteerId: target.volunteerId,
          recordId: target.recordId,
        };
        const command: CommandInput =
          step.kind === 'confirm'
            ? { ...common, type: 'ConfirmServiceHours', qualityGrade: step.grade ?? 'standard' }
            : step.kind === 'void'
              ? { ...common, type: 'VoidServiceRecord', reasonCode: 'duplicate_record' }
              : {
                  ...common,
                  type: 'CorrectServiceRecord',
                  reasonCode: 'wrong_activity',
                  activity: 'corrected',
                };
        execute(key, command, target.volunteerId);
        return;
      }
      case 'hold':
      case 'redeem': {
        const volunteerId = volunteers[step.who];
        const common = {
          ...base,
          actor: PARTNER_USER,
          volunteerId,
          partnerId: 'p1',
          offerId: 'haircut',
          centipoints: 500,
        };
        execute(
          key,
          step.kind === 'hold'
            ? { ...common, type: 'HoldPoints', holdTimeoutSeconds: step.timeoutSeconds }
            : { ...common, type: 'RedeemPoints' },
          volunteerId,
        );
        return;
      }
      case 'capture':
      case 'release':
      case 'expireHold': {
        const resolved = resolvedHolds();
        const target = choose(holds(), (item) => !resolved.has(item.holdId), step.pick);
        if (target === undefined) return;
        const command: CommandInput =
          step.kind === 'expireHold'
            ? {
                ...base,
                type: 'ExpireHold',
                actor: SYSTEM,
                volunteerId: target.volunteerId,
                holdId: target.holdId,
              }
            : {
                ...base,
                type: step.kind === 'capture' ? 'CapturePoints' : 'ReleasePoints',
                actor: PARTNER_USER,
                volunteerId: target.volunteerId,
                holdId: target.holdId,
                partnerId: 'p1',
              };
        execute(key, command, target.volunteerId);
        return;
      }
      case 'transfer':
      case 'donate': {
        const volunteerId = volunteers[step.who];
        const command: CommandInput =
          step.kind === 'transfer'
            ? {
                ...base,
                type: 'TransferPoints',
                actor: DESK,
                volunteerId,
                toVolunteerId: volunteers[1 - step.who] ?? OTHER_ID,
                centipoints: step.centipoints,
              }
            : { ...base, type: 'DonatePoints', actor: DESK, volunteerId, centipoints: step.centipoints };
        execute(key, command, volunteerId);
        return;
      }
      case 'expirePoints':
        execute(
          key,
          { ...base, type: 'ExpirePoints', actor: SYSTEM, volunteerId: volunteers[step.who] },
          volunteers[step.who],
        );
        return;
      case 'advance':
        nowMs += step.minutes * 60_000;
        return;
    }
  });
  return log;
}

// Long enough for points to accumulate and be spent, expire and be refunded; fast-check shrinks within these bounds.
const stepsArbitrary = fc.array(stepArbitrary, { minLength: 20, maxLength: 80, size: 'max' });

/** Throws (so that fast-check reports and shrinks the history) unless the two agree. */
function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const show = (value: unknown): string =>
    JSON.stringify(value, (_key, item: unknown): unknown =>
      item instanceof Map ? (Object.fromEntries(item) as unknown) : item,
    );
  throw new Error(`${what}: got ${show(actual)}, expected ${show(expected)}`);
}

/** Accounts with a non-zero balance, sorted, as a plain object. */
const nonZero = (balances: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries(
    [...balances].filter(([, balance]) => balance !== 0).sort(([a], [b]) => a.localeCompare(b)),
  );

const streamOf = (log: readonly DomainEvent[], volunteerId: string): DomainEvent[] =>
  log.filter((event) => 'volunteerId' in event.data && event.data.volunteerId === volunteerId);

t.test(
  'conservation: every account equals an independent tally of the events; no volunteer account goes negative',
  async (t) => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        const log = run(steps);
        const model = tallyLedger(log);
        // computeBalances throws unless its own books sum to zero; the model checks where each amount went.
        expectSame(
          nonZero(computeBalances(log)),
          nonZero(model.balances),
          'computeBalances against the model',
        );
        let sum = 0;
        for (const balance of model.balances.values()) sum += balance;
        expectSame(sum, 0, 'the model itself sums to zero');
        for (const [account, balance] of model.balances) {
          if (account !== 'issuance' && balance < 0) throw new Error(`${account} went negative: ${balance}`);
        }
      }),
      { numRuns: 150 },
    );
    // The property is only as strong as the histories it sees: make sure they reach every movement.
    const seen = new Map<string, number>();
    fc.sample(stepsArbitrary, { numRuns: 150, seed: 42 }).forEach((steps) => {
      for (const event of run(steps)) seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
    });
    for (const type of [
      'PointsEarned',
      'PointsExcessOffered',
      'PointsReversed',
      'PointsCaptured',
      'PointsReleased',
      'PointsHoldExpired',
      'PointsExpired',
      'PointsTransferReceived',
      'PointsTransferRefunded',
      'DonationReceived',
    ]) {
      t.ok((seen.get(type) ?? 0) > 0, `random histories include ${type} (${seen.get(type) ?? 0})`);
    }
  },
);

t.test('a hold resolves at most once', async (t) => {
  let resolved = 0;
  fc.assert(
    fc.property(stepsArbitrary, (steps) => {
      const resolutions = new Map<string, number>();
      for (const event of run(steps)) {
        if (
          event.type === 'PointsCaptured' ||
          event.type === 'PointsReleased' ||
          event.type === 'PointsHoldExpired'
        ) {
          resolutions.set(event.data.holdId, (resolutions.get(event.data.holdId) ?? 0) + 1);
        }
      }
      resolved += resolutions.size;
      return [...resolutions.values()].every((count) => count === 1);
    }),
    { numRuns: 150 },
  );
  t.ok(resolved > 0, `the histories resolved ${resolved} holds, none twice`);
});

t.test(
  'replay: a fold of the events decoded from JSON gives the state evolved event by event, and the model’s balances',
  async (t) => {
    let compared = 0;
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        const log = run(steps);
        const model = tallyLedger(log);
        for (const volunteerId of [VOLUNTEER_ID, OTHER_ID]) {
          const stream = streamOf(log, volunteerId);
          // As a state cache keeps it: one evolve (copy, then apply) per appended event.
          const incremental = stream.reduce(volunteerDecider.evolve, volunteerDecider.initialState());
          // As a fresh process replays it: from stored JSON, in one pass.
          const replayed = foldVolunteer(JSON.parse(JSON.stringify(stream)) as DomainEvent[]);
          expectSame(incremental, replayed, `${volunteerId}: evolved state against the replayed one`);
          expectSame(
            {
              available: replayed.availableCentipoints,
              held: replayed.heldCentipoints,
              offered: replayed.offeredCentipoints,
              confirmedMinutes: replayed.confirmedMinutes,
            },
            {
              available: model.balances.get(`volunteer:${volunteerId}`) ?? 0,
              held: model.balances.get(`held:${volunteerId}`) ?? 0,
              offered: model.balances.get(`offered:${volunteerId}`) ?? 0,
              confirmedMinutes: model.confirmedMinutes.get(volunteerId) ?? 0,
            },
            `${volunteerId}: replayed balances against the model`,
          );
          compared += stream.length;
        }
      }),
      { numRuns: 60 },
    );
    t.ok(compared > 0, `compared states after ${compared} events`);
  },
);

/** The two policy versions of `run`, restated: version 0 is the default terms, version 1 from POLICY_FROM. */
const MULTIPLIER_PERCENT: Record<QualityGrade, number> = {
  poor: 50,
  standard: 100,
  good: 120,
  excellent: 150,
};
const RATE_PER_HOUR_CENTIPOINTS = [100, 200] as const;

t.test(
  'points follow the policy version in force at the service start, by the formula restated here',
  async (t) => {
    let awards = 0;
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        const log = run(steps);
        const records = new Map<string, { startAt: string; minutes: number; grade: QualityGrade | null }>();
        for (const event of log) {
          if (event.type === 'ServiceHoursRecorded')
            records.set(event.data.recordId, {
              startAt: event.data.startAt,
              minutes: event.data.durationMinutes,
              grade: null,
            });
          if (event.type === 'ServiceHoursConfirmed') {
            const record = records.get(event.data.recordId);
            if (record !== undefined) record.grade = event.data.qualityGrade;
          }
          if (event.type === 'ServiceRecordCorrected')
            records.set(event.data.replacementRecordId, {
              startAt: event.data.replacement.startAt,
              minutes: event.data.replacement.durationMinutes,
              grade: event.data.replacement.qualityGrade,
            });
          if (event.type !== 'PointsEarned') continue;
          const record = records.get(event.data.recordId);
          if (record?.grade == null) throw new Error(`points for unconfirmed record ${event.data.recordId}`);
          const version = parseInstant(record.startAt) >= parseInstant(POLICY_FROM) ? 1 : 0;
          const rate = RATE_PER_HOUR_CENTIPOINTS[version];
          const multiplier = MULTIPLIER_PERCENT[record.grade];
          // hours × rate × quality multiplier, rounded down to whole centipoints.
          const uncapped = Math.floor((record.minutes * rate * multiplier) / (60 * 100));
          expectSame(
            {
              policyVersion: event.data.policyVersion,
              durationMinutes: event.data.durationMinutes,
              ratePerHourCentipoints: event.data.ratePerHourCentipoints,
              qualityMultiplierPercent: event.data.qualityMultiplierPercent,
              uncappedCentipoints: event.data.uncappedCentipoints,
            },
            {
              policyVersion: version,
              durationMinutes: record.minutes,
              ratePerHourCentipoints: rate,
              qualityMultiplierPercent: multiplier,
              uncappedCentipoints: uncapped,
            },
            `award for ${event.data.recordId}`,
          );
          if (event.data.centipoints > uncapped) throw new Error('an award above its uncapped amount');
          awards += 1;
        }
      }),
      { numRuns: 40 },
    );
    t.ok(awards > 0, `checked ${awards} awards`);
  },
);
