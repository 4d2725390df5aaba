import t from 'tap';
import { evolvePolicy, initialPolicyState, type CommandInput } from '../src/index.js';
import { partnerSetup } from './support/fixtures.js';
import { ADMIN, given, history, NOW, PARTNER_USER, testContext } from './support/scenario.js';

const terms = {
  ratePerHourCentipoints: 150,
  qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
  balanceCapCentipoints: 60_000,
  dailyEarningCapCentipoints: 200,
  minStarToRedeem: 1,
  expiryDays: 365,
};
const changePolicy = (effectiveFrom: string, key = `policy-${effectiveFrom}`): CommandInput => ({
  type: 'ChangePointsPolicy',
  idempotencyKey: key,
  actor: ADMIN,
  effectiveFrom,
  terms,
});

t.test('partners: register, publish offers, suspend, reinstate', async (t) => {
  const [registerPartner, publish] = partnerSetup as [CommandInput, CommandInput];
  const registered = given(t, [])
    .when(registerPartner)
    .then([{ type: 'PartnerRegistered', data: { partnerId: 'p1' } }]);
  given(t, registered).when(registerPartner).then([]);
  given(t, registered)
    .when({ ...registerPartner, idempotencyKey: 'again' })
    .thenFails('PARTNER_ALREADY_REGISTERED');
  given(t, [])
    .when({ ...registerPartner, actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, []).when(publish).thenFails('PARTNER_NOT_FOUND');
  const offered = [
    ...registered,
    ...given(t, registered)
      .when(publish)
      .then([{ type: 'PartnerOfferPublished', data: { offerId: 'haircut', priceCentipoints: 500 } }]),
  ];
  given(t, offered)
    .when({ ...publish, idempotencyKey: 'offer-again' })
    .thenFails('OFFER_ALREADY_PUBLISHED');
  given(t, offered)
    .when({
      ...publish,
      idempotencyKey: 'o2',
      offerId: 'o2',
      actor: { id: 'x', role: 'partner', partnerId: 'p2' },
    } as CommandInput)
    .thenFails('ACTOR_NOT_PERMITTED');
  const suspend = {
    type: 'SuspendPartner',
    idempotencyKey: 'suspend-1',
    actor: ADMIN,
    partnerId: 'p1',
    reason: 'complaints',
  } as const;
  const suspended = [
    ...offered,
    ...given(t, offered)
      .when(suspend)
      .then([{ type: 'PartnerSuspended' }]),
  ];
  given(t, suspended)
    .when({ ...suspend, idempotencyKey: 'suspend-2' })
    .thenFails('PARTNER_SUSPENDED');
  given(t, suspended)
    .when({ ...publish, idempotencyKey: 'o3', offerId: 'o3' } as CommandInput)
    .thenFails('PARTNER_SUSPENDED');
  given(t, offered)
    .when({ ...suspend, actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  const reinstate = {
    type: 'ReinstatePartner',
    idempotencyKey: 'reinstate-1',
    actor: ADMIN,
    partnerId: 'p1',
  } as const;
  given(t, suspended)
    .when(reinstate)
    .then([{ type: 'PartnerReinstated' }]);
  given(t, offered).when(reinstate).thenFails('PARTNER_NOT_SUSPENDED');
});

t.test('organisations: RegisterOrganisation once', async (t) => {
  const command = {
    type: 'RegisterOrganisation',
    idempotencyKey: 'org-1',
    actor: ADMIN,
    organisationId: 'org-1',
    name: 'Qiaoxi social work station',
    community: 'Qiaoxi',
  } as const;
  const registered = given(t, [])
    .when(command)
    .then([{ type: 'OrganisationRegistered', data: { organisationId: 'org-1', registeredAt: NOW } }]);
  given(t, registered).when(command).then([]);
  given(t, registered)
    .when({ ...command, idempotencyKey: 'org-again' })
    .thenFails('ORGANISATION_ALREADY_REGISTERED');
  given(t, [])
    .when({ ...command, actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('organisations: suspend and reinstate, by an administrator, once each', async (t) => {
  const register = {
    type: 'RegisterOrganisation',
    idempotencyKey: 'org-1',
    actor: ADMIN,
    organisationId: 'org-1',
    name: 'Qiaoxi social work station',
    community: 'Qiaoxi',
  } as const;
  const suspend = {
    type: 'SuspendOrganisation',
    idempotencyKey: 'suspend-1',
    actor: ADMIN,
    organisationId: 'org-1',
    reason: 'licence withdrawn',
  } as const;
  const reinstate = {
    type: 'ReinstateOrganisation',
    idempotencyKey: 'reinstate-1',
    actor: ADMIN,
    organisationId: 'org-1',
  } as const;
  given(t, []).when(suspend).thenFails('ORGANISATION_NOT_FOUND');
  given(t, []).when(reinstate).thenFails('ORGANISATION_NOT_FOUND');
  const registered = given(t, [])
    .when(register)
    .then([{ type: 'OrganisationRegistered' }]);
  given(t, registered).when(reinstate).thenFails('ORGANISATION_NOT_SUSPENDED');
  given(t, registered)
    .when({ ...suspend, actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  const suspended = [
    ...registered,
    ...given(t, registered)
      .when(suspend)
      .then([
        { type: 'OrganisationSuspended', data: { organisationId: 'org-1', reason: 'licence withdrawn' } },
      ]),
  ];
  given(t, suspended).when(suspend).then([]);
  given(t, suspended)
    .when({ ...suspend, idempotencyKey: 'suspend-again' })
    .thenFails('ORGANISATION_SUSPENDED');
  given(t, suspended)
    .when(reinstate)
    .then([{ type: 'OrganisationReinstated', data: { organisationId: 'org-1' } }]);
});

t.test(
  'ChangePointsPolicy takes effect from a time that is neither past nor before the latest version',
  async (t) => {
    const first = given(t, [])
      .when(changePolicy('2026-04-01T00:00:00.000Z'))
      .then([{ type: 'PointsPolicyChanged', data: { version: 1, terms } }]);
    given(t, first).when(changePolicy('2026-04-01T00:00:00.000Z')).then([]);
    given(t, first)
      .when(changePolicy('2026-05-01T00:00:00.000Z'))
      .then([{ type: 'PointsPolicyChanged', data: { version: 2 } }]);
    given(t, first)
      .when(changePolicy('2026-03-20T00:00:00.000Z'))
      .thenFails('POLICY_EFFECTIVE_NOT_AFTER_LATEST', { latestVersion: 1 });
    given(t, []).when(changePolicy('2026-03-01T00:00:00.000Z')).thenFails('POLICY_EFFECTIVE_IN_PAST');
    given(t, [])
      .when({ ...changePolicy(NOW), actor: PARTNER_USER })
      .thenFails('ACTOR_NOT_PERMITTED');
    t.ok(history(t, [changePolicy(NOW)], testContext()).length === 1, 'effective now is allowed');
  },
);

// QA: an offer priced at 10,000,000 points (yuan typed as centipoints, a zero too many) was
// published, though no volunteer's balance can pass the policy's cap: every hold failed for ever.
t.test('an offer priced above every balance cap of the points policy is refused', async (t) => {
  const [registerPartner, publish] = partnerSetup as [CommandInput, CommandInput];
  const registered = history(t, [registerPartner]);
  const priced = (priceCentipoints: number): CommandInput =>
    ({
      ...publish,
      idempotencyKey: `offer-${priceCentipoints}`,
      offerId: `o${priceCentipoints}`,
      priceCentipoints,
    }) as CommandInput;
  // Version 0 (DEFAULT_POINTS_POLICY): a cap of 150,000 centipoints.
  given(t, registered).when(priced(150_001)).thenFailsTelling('INVALID_COMMAND', {
    path: 'priceCentipoints',
    issueCount: 1,
    balanceCapCentipoints: 150_000,
  });
  given(t, registered)
    .when(priced(150_000))
    .then([{ type: 'PartnerOfferPublished', data: { priceCentipoints: 150_000 } }]);

  // A later version's lower cap (60,000, as in Changning) leaves the balances built up under the
  // higher one spendable, so the highest cap of any version still bounds the price; a version
  // scheduled to raise the cap lets offers at the new cap be published ahead of it.
  const lowered = history(t, [changePolicy(NOW)], testContext());
  const policyContext = (events: typeof lowered) =>
    testContext({
      pointsPolicy: events.reduce((state, event) => evolvePolicy(state, event), initialPolicyState),
    });
  given(t, registered, policyContext(lowered))
    .when(priced(150_000))
    .then([{ type: 'PartnerOfferPublished' }]);
  given(t, registered, policyContext(lowered)).when(priced(150_001)).thenFails('INVALID_COMMAND');
  const raised = history(
    t,
    [
      {
        type: 'ChangePointsPolicy',
        idempotencyKey: 'raise',
        actor: ADMIN,
        effectiveFrom: '2026-06-01T00:00:00.000Z',
        terms: { ...terms, balanceCapCentipoints: 300_000 },
      },
    ],
    testContext(),
    lowered,
  );
  given(t, registered, policyContext(raised))
    .when(priced(300_000))
    .then([{ type: 'PartnerOfferPublished' }]);
  given(t, registered, policyContext(raised)).when(priced(300_001)).thenFails('INVALID_COMMAND');
});
