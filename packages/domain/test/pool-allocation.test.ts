/**
 * The donation pool's outflow: given / when / then for categories, beneficiaries and allocation
 * runs, and a fast-check property over random donations, category changes, registrations and
 * allocation runs across months. The property restates the allocation rule here (serving order:
 * priority, category id, registration order) rather than calling the rule under test.
 */
import fc from 'fast-check';
import t from 'tap';
import {
  compensate,
  DEFAULT_LEDGER_RULES,
  DEFAULT_POINTS_POLICY,
  computeBalances,
  COMMAND_STREAM_KIND,
  deciderFor,
  formatInstant,
  isDomainError,
  parseCommand,
  parseInstant,
  react,
  streamForCommand,
  volunteerStream,
  type CommandInput,
  type DecideContext,
  type DomainEvent,
  type EventOf,
} from '../src/index.js';
import { hold, mandate, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerContext, volunteerWithHours } from './support/points-setup.js';
import { ADMIN, decideOn, DESK, NOW, SYSTEM, testContext } from './support/scenario.js';

const category = (
  categoryId: string,
  priority: number,
  monthlyAllowanceCentipoints: number,
): CommandInput => ({
  type: 'ConfigureBeneficiaryCategory',
  idempotencyKey: `category-${categoryId}-${priority}-${monthlyAllowanceCentipoints}`,
  actor: ADMIN,
  categoryId,
  title: categoryId,
  priority,
  monthlyAllowanceCentipoints,
});
const beneficiary = (beneficiaryId: string, categoryId: string): CommandInput => ({
  type: 'RegisterBeneficiary',
  idempotencyKey: `beneficiary-${beneficiaryId}`,
  actor: ADMIN,
  beneficiaryId,
  categoryId,
  community: 'Qiaoxi',
  name: 'Zhao Guifen',
  contact: '0311-5559876',
});
const donation = (donationId: string, centipoints: number): CommandInput => ({
  type: 'ReceiveDonation',
  idempotencyKey: `donation-${donationId}`,
  actor: SYSTEM,
  donationId,
  fromVolunteerId: VOLUNTEER_ID,
  centipoints,
});
const allocate = (key: string): CommandInput => ({
  type: 'AllocatePoolPoints',
  idempotencyKey: key,
  actor: ADMIN,
});

/** Decides each command on the events so far; fails the test on a rejection. */
function pool(commands: readonly CommandInput[], context: DecideContext = testContext()): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const command of commands) {
    const result = decideOn(events, command, context);
    if (isDomainError(result)) throw new Error(`${command.type}: ${result.code}`);
    events.push(...result);
  }
  return events;
}

t.test('a run serves categories by priority and fills each to its monthly allowance', async (t) => {
  const given = pool([
    category('hardship', 2, 500),
    category('elderly-alone', 1, 300),
    beneficiary('b-h1', 'hardship'),
    beneficiary('b-e1', 'elderly-alone'),
    donation('d1', 700),
  ]);
  const result = decideOn(given, allocate('run-1'), testContext());
  if (isDomainError(result)) throw new Error(result.code);
  t.same(
    result.map(
      (event) => event.type === 'PoolPointsAllocated' && [event.data.beneficiaryId, event.data.centipoints],
    ),
    [
      ['b-e1', 300],
      ['b-h1', 400],
    ],
  );
  t.match(result[0]!.data, { fromAccount: 'donation-pool', toAccount: 'in-transit', period: '2026-03' });
  const again = decideOn([...given, ...result], allocate('run-2'), testContext());
  t.equal(isDomainError(again) && again.code, 'POOL_NOTHING_TO_ALLOCATE', 'the pool is empty now');
  t.same(
    decideOn([...given, ...result], allocate('run-1'), testContext()),
    [],
    'a repeated run does nothing',
  );
});

t.test('pool commands: who may, and what is refused', async (t) => {
  const given = pool([category('hardship', 2, 500), beneficiary('b-h1', 'hardship')]);
  const fromDesk = decideOn(given, { ...allocate('x'), actor: DESK }, testContext());
  t.equal(isDomainError(fromDesk) && fromDesk.code, 'ACTOR_NOT_PERMITTED');
  const unknown = decideOn(given, beneficiary('b-h2', 'nobody'), testContext());
  t.equal(isDomainError(unknown) && unknown.code, 'BENEFICIARY_CATEGORY_NOT_FOUND');
  const twice = decideOn(
    given,
    { ...beneficiary('b-h1', 'hardship'), idempotencyKey: 'other' },
    testContext(),
  );
  t.equal(isDomainError(twice) && twice.code, 'BENEFICIARY_ALREADY_REGISTERED');
  const empty = decideOn(given, allocate('y'), testContext());
  t.equal(isDomainError(empty) && empty.code, 'POOL_NOTHING_TO_ALLOCATE');
  const badId = parseCommand(beneficiary('v123', 'hardship'));
  t.ok(isDomainError(badId), 'a beneficiary id is b- and an id, never a volunteer id');
});

t.test("a beneficiary's stream receives allocations and only spends them", async (t) => {
  const credit: CommandInput = {
    type: 'ReceivePoolAllocation',
    idempotencyKey: 'credit-1',
    actor: SYSTEM,
    volunteerId: 'b-e1',
    allocationId: 'a1',
    categoryId: 'elderly-alone',
    community: 'Qiaoxi',
    centipoints: 300,
  };
  const opened = decideOn([], credit, testContext());
  if (isDomainError(opened)) throw new Error(opened.code);
  t.match(opened, [
    { type: 'PoolAllocationReceived', data: { toAccount: 'volunteer:b-e1', centipoints: 300 } },
  ]);
  t.same(
    decideOn(opened, { ...credit, idempotencyKey: 'credit-again' }, testContext()),
    [],
    'once per allocation',
  );
  const byAdmin = decideOn([], { ...credit, actor: ADMIN }, testContext());
  t.equal(isDomainError(byAdmin) && byAdmin.code, 'ACTOR_NOT_PERMITTED');
  const donate = decideOn(
    opened,
    { type: 'DonatePoints', idempotencyKey: 'd', actor: DESK, volunteerId: 'b-e1', centipoints: 10 },
    testContext(),
  );
  t.equal(isDomainError(donate) && donate.code, 'BENEFICIARY_ACCOUNT_SPEND_ONLY');
});

t.test('a beneficiary holds with consent and without stars, even where volunteers need one', async (t) => {
  const oneStar = {
    ...DEFAULT_LEDGER_RULES,
    initialPointsPolicy: { ...DEFAULT_POINTS_POLICY, minStarToRedeem: 1 },
  };
  const context = partnerContext(t, { rules: oneStar });
  const credit: CommandInput = {
    type: 'ReceivePoolAllocation',
    idempotencyKey: 'credit-star',
    actor: SYSTEM,
    volunteerId: 'b-e2',
    allocationId: 'a-star',
    categoryId: 'elderly-alone',
    community: 'Qiaoxi',
    centipoints: 600,
  };
  const events = pool([credit], context);
  const withoutConsent = decideOn(events, hold(500, { volunteerId: 'b-e2' }), context);
  t.equal(isDomainError(withoutConsent) && withoutConsent.code, 'CONSENT_REQUIRED', 'consent first');
  const consented = [...events];
  const granted = decideOn(consented, mandate({ volunteerId: 'b-e2' }), context);
  if (isDomainError(granted)) throw new Error(granted.code);
  consented.push(...granted);
  const held = decideOn(consented, hold(500, { volunteerId: 'b-e2' }), context);
  t.match(held, [{ type: 'PointsHeld', data: { fromAccount: 'volunteer:b-e2', centipoints: 500 } }]);
  const volunteer = volunteerWithHours(t, 6, context);
  const refused = decideOn(volunteer, hold(500), context);
  t.equal(
    isDomainError(refused) && refused.code,
    'STAR_LEVEL_TOO_LOW_TO_REDEEM',
    'a volunteer without a star',
  );
});

/** A little multi-stream ledger: commands routed to their streams, reactions run at once. */
function createWorld(context: () => DecideContext) {
  const streams = new Map<string, DomainEvent[]>();
  const log: DomainEvent[] = [];
  function execute(input: CommandInput): void {
    const command = parseCommand(input);
    if (isDomainError(command)) throw new Error(`invalid command: ${command.message}`);
    const name = streamForCommand(command);
    const decider = deciderFor(COMMAND_STREAM_KIND[command.type]);
    const history = streams.get(name) ?? [];
    const result = decider.decide(command, history.reduce(decider.evolve, decider.initialState()), context());
    if (isDomainError(result)) {
      for (const next of compensate(command, result)) execute(next);
      return;
    }
    streams.set(name, [...history, ...result]);
    log.push(...result);
    for (const event of result) for (const next of react(event)) execute(next);
  }
  return { streams, log, execute };
}

type Step =
  | { kind: 'configure'; category: number; priority: number; allowance: number }
  | { kind: 'register'; category: number }
  | { kind: 'donate'; centipoints: number }
  | { kind: 'allocate' }
  | { kind: 'nextMonth' };

const CATEGORIES = ['elderly-alone', 'hardship', 'disabled'] as const;
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('configure' as const),
    category: fc.integer({ min: 0, max: 2 }),
    priority: fc.integer({ min: 1, max: 3 }),
    allowance: fc.integer({ min: 1, max: 400 }),
  }),
  {
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      category: fc.integer({ min: 0, max: 2 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('donate' as const),
      centipoints: fc.integer({ min: 1, max: 300 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.constant({ kind: 'allocate' as const }), weight: 3 },
  fc.constant({ kind: 'nextMonth' as const }),
);

t.test('property: donations and allocations keep Σ = 0 and never pass over a higher priority', async (t) => {
  const donor = volunteerWithHours(t, 12);
  let runsThatPaid = 0;
  fc.assert(
    fc.property(fc.array(stepArbitrary, { minLength: 20, maxLength: 60 }), (steps) => {
      let nowMs = parseInstant(NOW);
      const world = createWorld(() => testContext({ now: formatInstant(nowMs) }));
      world.streams.set(volunteerStream(VOLUNTEER_ID), donor);
      world.log.push(...donor);
      const configured = new Map<string, { priority: number; allowance: number }>();
      const registered: { id: string; categoryId: string }[] = [];
      let counter = 0;
      for (const step of steps) {
        counter += 1;
        switch (step.kind) {
          case 'configure': {
            const id = CATEGORIES[step.category]!;
            world.execute({ ...category(id, step.priority, step.allowance), idempotencyKey: `c${counter}` });
            configured.set(id, { priority: step.priority, allowance: step.allowance });
            break;
          }
          case 'register': {
            const id = CATEGORIES[step.category]!;
            if (!configured.has(id)) break;
            const beneficiaryId = `b-${registered.length}`;
            world.execute(beneficiary(beneficiaryId, id));
            registered.push({ id: beneficiaryId, categoryId: id });
            break;
          }
          case 'donate':
            // Refused when the donor has spent everything: then nothing moves.
            world.execute({
              type: 'DonatePoints',
              idempotencyKey: `d${counter}`,
              actor: DESK,
              volunteerId: VOLUNTEER_ID,
              centipoints: step.centipoints,
            });
            break;
          case 'nextMonth':
            nowMs += 31 * 86_400_000;
            break;
          case 'allocate': {
            const before = world.log.length;
            world.execute(allocate(`a${counter}`));
            const run = world.log
              .slice(before)
              .filter(
                (event): event is EventOf<'PoolPointsAllocated'> => event.type === 'PoolPointsAllocated',
              );
            if (run.length === 0) break;
            runsThatPaid += 1;
            const period = run[0]!.data.period;
            // What each beneficiary was allocated this month, tallied from the events themselves.
            const received = new Map<string, number>();
            for (const event of world.log) {
              if (event.type === 'PoolPointsAllocated' && event.data.period === period)
                received.set(
                  event.data.beneficiaryId,
                  (received.get(event.data.beneficiaryId) ?? 0) + event.data.centipoints,
                );
            }
            const rank = (b: { id: string; categoryId: string }, index: number) =>
              [configured.get(b.categoryId)!.priority, b.categoryId, index] as const;
            const before_ = (x: readonly [number, string, number], y: readonly [number, string, number]) =>
              x[0] < y[0] || (x[0] === y[0] && (x[1] < y[1] || (x[1] === y[1] && x[2] < y[2])));
            for (const paid of run) {
              const paidIndex = registered.findIndex((b) => b.id === paid.data.beneficiaryId);
              const paidRank = rank(registered[paidIndex]!, paidIndex);
              registered.forEach((other, index) => {
                if (!before_(rank(other, index), paidRank)) return;
                const allowance = configured.get(other.categoryId)!.allowance;
                if ((received.get(other.id) ?? 0) < allowance)
                  throw new Error(
                    `${paid.data.beneficiaryId} was paid while ${other.id} is below its allowance`,
                  );
              });
              const allowance = configured.get(registered[paidIndex]!.categoryId)!.allowance;
              if ((received.get(paid.data.beneficiaryId) ?? 0) > allowance)
                throw new Error(`${paid.data.beneficiaryId} got more than its allowance`);
            }
            break;
          }
        }
        const balances = computeBalances(world.log); // throws unless Σ = 0
        if ((balances.get('donation-pool') ?? 0) < 0) throw new Error('the pool went negative');
        if ((balances.get('in-transit') ?? 0) !== 0) throw new Error('points were left in transit');
      }
      // Every allocation reached its beneficiary exactly once.
      const allocated = new Map<string, number>();
      for (const event of world.log)
        if (event.type === 'PoolPointsAllocated')
          allocated.set(
            event.data.beneficiaryId,
            (allocated.get(event.data.beneficiaryId) ?? 0) + event.data.centipoints,
          );
      const balances = computeBalances(world.log);
      for (const [id, centipoints] of allocated)
        if (balances.get(`volunteer:${id}`) !== centipoints)
          throw new Error(`${id} was not credited exactly once`);
    }),
    { numRuns: 200 },
  );
  t.ok(runsThatPaid > 200, `allocation runs that paid someone: ${runsThatPaid}`);
});

t.test(
  'erasing a beneficiary: refused for unknown or erased ids and for non-admins; runs skip them',
  async (t) => {
    const erase = (
      beneficiaryId: string,
      key: string,
      actor: typeof ADMIN | typeof DESK = ADMIN,
    ): CommandInput => ({
      type: 'EraseBeneficiaryData',
      idempotencyKey: key,
      actor,
      beneficiaryId,
      reason: 'purpose_met',
    });
    const history = pool([
      category('elderly', 1, 300),
      beneficiary('b-1', 'elderly'),
      beneficiary('b-2', 'elderly'),
    ]);
    const unknown = decideOn(history, erase('b-nobody', 'erase-unknown'), testContext());
    t.equal(isDomainError(unknown) && unknown.code, 'BENEFICIARY_NOT_FOUND');
    const byDesk = decideOn(history, erase('b-1', 'erase-desk', DESK), testContext());
    t.equal(isDomainError(byDesk) && byDesk.code, 'ACTOR_NOT_PERMITTED');
    const events = [...history];
    const first = decideOn(events, erase('b-1', 'erase-1'), testContext());
    t.match(first, [
      { type: 'BeneficiaryDataErased', data: { beneficiaryId: 'b-1', reason: 'purpose_met' } },
    ]);
    if (isDomainError(first)) return;
    events.push(...first);
    t.same(
      decideOn(events, erase('b-1', 'erase-1'), testContext()),
      [],
      'the same command again is idempotent',
    );
    const again = decideOn(events, erase('b-1', 'erase-again'), testContext());
    t.equal(isDomainError(again) && again.code, 'BENEFICIARY_DATA_ERASED');
    events.push(...pool([donation('d-1', 600)]));
    const run = decideOn(events, allocate('run-1'), testContext());
    t.match(
      isDomainError(run)
        ? run.code
        : run.map((event) => (event as EventOf<'PoolPointsAllocated'>).data.beneficiaryId),
      ['b-2'],
      'the erased beneficiary is left out of the run',
    );
  },
);
