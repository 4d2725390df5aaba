/**
 * Group points, on random sequences of commands on one project's teams and the donation pool:
 * group activities earn, donations leave, and holds, redemptions and transfers are attempted
 * with any amount by anyone. Compared with a tally kept here: a `group:` account is only ever
 * credited from `issuance` by `GroupActivityConfirmed` and debited to `in-transit` by
 * `GroupPointsDonated`; every other use is refused with GROUP_POINTS_DONATION_ONLY; no team's
 * balance goes below zero; once the reactions ran, Σ balances = 0 and the pool holds exactly what
 * was donated.
 */
import fc from 'fast-check';
import t from 'tap';
import {
  computeBalances,
  deciderFor,
  formatInstant,
  isDomainError,
  parseInstant,
  react,
  type CommandInput,
  type DomainEvent,
} from '../src/index.js';
import { ADMIN, decideOn, history, ORGANISER, PARTNER_USER, testContext, NOW } from './support/scenario.js';

const TEAMS = ['t1', 't2'] as const;
const NOW_MS = parseInstant(NOW);

type Step =
  | { kind: 'activity'; team: number; startHoursAgo: number; minutes: number }
  | { kind: 'donate'; team: number; centipoints: number }
  | {
      kind: 'use';
      team: number;
      use: 'hold' | 'redeem' | 'transfer';
      centipoints: number;
      asPartner: boolean;
    };

const team = fc.integer({ min: 0, max: 2 }); // 2 is a team that does not exist
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('activity' as const),
    team,
    startHoursAgo: fc.integer({ min: 1, max: 2000 }),
    minutes: fc.integer({ min: 1, max: 900 }),
  }),
  fc.record({ kind: fc.constant('donate' as const), team, centipoints: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({
    kind: fc.constant('use' as const),
    team,
    use: fc.constantFrom('hold' as const, 'redeem' as const, 'transfer' as const),
    centipoints: fc.integer({ min: 1, max: 2000 }),
    asPartner: fc.boolean(),
  }),
);

const teamId = (index: number): string => TEAMS[index] ?? 't-none';

t.test('group points leave only as donations, never below zero, and Σ balances = 0', async (t) => {
  const organisation = history(t, [
    {
      type: 'RegisterOrganisation',
      idempotencyKey: 'o',
      actor: ADMIN,
      organisationId: 'org-1',
      name: 'Station',
      community: 'c1',
    },
  ]);
  const organisationDecider = deciderFor('organisation');
  const context = testContext({
    organisation: organisation.reduce(organisationDecider.evolve, organisationDecider.initialState()),
  });
  const setup = history(
    t,
    [
      {
        type: 'RegisterProject',
        idempotencyKey: 'p',
        actor: ORGANISER,
        projectId: 'pr1',
        organisationId: 'org-1',
        name: 'Companions',
        leaderId: 'sw-1',
        leaderName: 'Zhang Min',
        leaderContact: '0311-5550123',
      },
      ...TEAMS.map((id): CommandInput => ({
        type: 'RegisterTeam',
        idempotencyKey: `team-${id}`,
        actor: ORGANISER,
        projectId: 'pr1',
        teamId: id,
        name: `Team ${id}`,
      })),
    ],
    context,
  );

  fc.assert(
    fc.property(fc.array(stepArbitrary, { maxLength: 40 }), (steps) => {
      const project: DomainEvent[] = [...setup];
      const pool: DomainEvent[] = [];
      const tally = new Map<string, number>(TEAMS.map((id) => [id, 0]));
      let donatedTotal = 0;
      for (const [index, step] of steps.entries()) {
        const key = `step-${index}`;
        let command: CommandInput;
        if (step.kind === 'activity') {
          const startMs = NOW_MS - step.startHoursAgo * 3_600_000;
          command = {
            type: 'ConfirmGroupActivity',
            idempotencyKey: key,
            actor: ORGANISER,
            projectId: 'pr1',
            teamId: teamId(step.team),
            activityId: `a${index}`,
            activity: 'Together',
            startAt: formatInstant(startMs),
            endAt: formatInstant(startMs + step.minutes * 60_000),
          };
        } else if (step.kind === 'donate') {
          command = {
            type: 'DonateGroupPoints',
            idempotencyKey: key,
            actor: ORGANISER,
            projectId: 'pr1',
            teamId: teamId(step.team),
            donationId: `d${index}`,
            centipoints: step.centipoints,
          };
        } else {
          command = {
            type: 'UseGroupPoints',
            idempotencyKey: key,
            actor: step.asPartner ? PARTNER_USER : ORGANISER,
            projectId: 'pr1',
            teamId: teamId(step.team),
            use: step.use,
            centipoints: step.centipoints,
          };
        }
        const result = decideOn(project, command, context);
        if (step.kind === 'use') {
          // Refused whatever the balance: the rule, not a shortage.
          if (!isDomainError(result)) return false;
          if (result.code !== (step.team === 2 ? 'TEAM_NOT_FOUND' : 'GROUP_POINTS_DONATION_ONLY'))
            return false;
          continue;
        }
        if (step.kind === 'donate' && step.team !== 2 && step.centipoints > tally.get(teamId(step.team))!) {
          if (!isDomainError(result) || result.code !== 'INSUFFICIENT_GROUP_POINTS') return false;
          continue;
        }
        if (isDomainError(result)) continue; // unknown team, overlap, too long: nothing moves
        for (const event of result) {
          project.push(event);
          if (event.type === 'GroupActivityConfirmed') {
            tally.set(event.data.teamId, tally.get(event.data.teamId)! + event.data.centipoints);
          } else if (event.type === 'GroupPointsDonated') {
            tally.set(event.data.teamId, tally.get(event.data.teamId)! - event.data.centipoints);
            donatedTotal += event.data.centipoints;
          }
          for (const reaction of react(event)) {
            const credited = decideOn(pool, reaction, testContext());
            if (isDomainError(credited)) return false;
            pool.push(...credited);
          }
        }
      }
      const everything = [...project, ...pool];
      // Only these two events ever touch a group account, each in its one direction.
      for (const event of everything) {
        const data = event.data as { fromAccount?: string; toAccount?: string };
        if (data.toAccount?.startsWith('group:') === true) {
          if (event.type !== 'GroupActivityConfirmed' || data.fromAccount !== 'issuance') return false;
        }
        if (data.fromAccount?.startsWith('group:') === true) {
          if (event.type !== 'GroupPointsDonated' || data.toAccount !== 'in-transit') return false;
        }
      }
      const balances = computeBalances(everything); // throws unless Σ = 0
      for (const id of TEAMS) {
        const balance = balances.get(`group:pr1:${id}`) ?? 0;
        if (balance < 0 || balance !== tally.get(id)) return false;
      }
      return (balances.get('in-transit') ?? 0) === 0 && (balances.get('donation-pool') ?? 0) === donatedTotal;
    }),
    { numRuns: 200 },
  );
  t.pass('held on every run');
});
