/**
 * Spend consent: no hold or redemption without the volunteer's spend code or standing mandate,
 * the mandate's monthly cap in local (UTC+8) calendar months, and the spend code's single use,
 * expiry, partner binding and cap.
 */
import t, { type Test } from 'tap';
import {
  deciderFor,
  foldVolunteer,
  localMonthStartMs,
  parseInstant,
  type CommandInput,
  type DecideContext,
  type DomainEvent,
  type PartnerState,
  type SpendCodeState,
} from '../src/index.js';
import { ADMIN, confirm, hold, mandate, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerState } from './support/points-setup.js';
import { DESK, given, history, lastRecordId, NOW, testContext } from './support/scenario.js';

const CODE_HASH = 'c0'.repeat(32);
const OTHER_CODE_HASH = 'c1'.repeat(32);
const COMMUNITY_DESK = { id: 'desk-q', role: 'registration_desk', organisationId: 'Qiaoxi' } as const;

/** Registered, 10 hours confirmed (1000 centipoints), and no consent to anyone. */
function volunteerWithoutConsent(t: Test): DomainEvent[] {
  let events = history(t, [register()]);
  events = history(t, [record(8, 18)], testContext(), events);
  return history(t, [confirm(lastRecordId(events))], testContext(), events);
}

const issue = (overrides: { codeHash?: string } & Record<string, unknown> = {}): CommandInput => ({
  type: 'IssueSpendCode',
  idempotencyKey: `issue-${overrides.codeHash ?? CODE_HASH}`,
  actor: COMMUNITY_DESK,
  volunteerId: VOLUNTEER_ID,
  codeHash: CODE_HASH,
  ...overrides,
});

/** A registered partner's folded stream, as the application loads it for a code bound to it. */
function registeredPartner(partnerId: string): PartnerState {
  return { ...deciderFor('partner').initialState(), status: 'active', partnerId, name: partnerId };
}

/** The spend-code stream's state after `IssueSpendCode` was decided at NOW. */
function issuedCode(
  t: Test,
  volunteer: DomainEvent[],
  overrides: Record<string, unknown> = {},
): SpendCodeState {
  const partnerId = overrides['partnerId'];
  const context = testContext({
    volunteer: foldVolunteer(volunteer),
    ...(typeof partnerId === 'string' ? { partner: registeredPartner(partnerId) } : {}),
  });
  const events = history(t, [issue(overrides)], context);
  const decider = deciderFor('spend-code');
  return events.reduce(decider.evolve, decider.initialState());
}

function contextWith(spendCode: SpendCodeState, overrides: Partial<DecideContext> = {}): DecideContext {
  return testContext({ partner: partnerState(t), spendCode, ...overrides });
}

t.test('a hold or redemption without a mandate or a spend code is refused, telling nothing', async (t) => {
  const volunteer = volunteerWithoutConsent(t);
  const context = testContext({ partner: partnerState(t) });
  given(t, volunteer, context).when(hold(500)).thenFailsTelling('CONSENT_REQUIRED', {});
  given(t, volunteer, context)
    .when({
      type: 'RedeemPoints',
      idempotencyKey: 'redeem-1',
      actor: { id: 'p-user', role: 'partner', partnerId: 'p1' },
      volunteerId: VOLUNTEER_ID,
      partnerId: 'p1',
      offerId: 'haircut',
      centipoints: 500,
    })
    .thenFailsTelling('CONSENT_REQUIRED', {});
  // Consent is checked before the balance: a partner without it cannot probe for "insufficient".
  given(t, volunteer, context).when(hold(500_000)).thenFailsTelling('CONSENT_REQUIRED', {});
});

t.test('a mandate lets its partner hold up to the monthly cap, and no further', async (t) => {
  const context = testContext({ partner: partnerState(t) });
  const volunteer = history(
    t,
    [mandate({ monthlyCapCentipoints: 1000 })],
    context,
    volunteerWithoutConsent(t),
  );
  const held = history(t, [hold(500)], context, volunteer);
  t.match(held.at(-1), { type: 'PointsHeld', data: { consent: { form: 'mandate' } } });
  given(t, held, context)
    .when(hold(500))
    .then([{ type: 'PointsHeld' }]);
  const twice = history(t, [hold(500)], context, held);
  given(t, twice, context)
    .when(hold(500))
    .thenFailsTelling('MANDATE_CAP_EXCEEDED', { monthlyCapCentipoints: 1000 });
});

t.test("a released hold gives its points back to the month's cap", async (t) => {
  const context = testContext({ partner: partnerState(t) });
  const volunteer = history(
    t,
    [mandate({ monthlyCapCentipoints: 500 })],
    context,
    volunteerWithoutConsent(t),
  );
  const held = history(t, [hold(500)], context, volunteer);
  given(t, held, context).when(hold(500)).thenFails('MANDATE_CAP_EXCEEDED');
  const holdId = held.findLast((event) => event.type === 'PointsHeld')?.data;
  const released = history(
    t,
    [
      {
        type: 'ReleasePoints',
        idempotencyKey: 'release-1',
        actor: ADMIN,
        volunteerId: VOLUNTEER_ID,
        partnerId: 'p1',
        holdId: (holdId as { holdId: string }).holdId,
      },
    ],
    context,
    held,
  );
  given(t, released, context)
    .when(hold(500))
    .then([{ type: 'PointsHeld' }]);
});

t.test('the monthly cap restarts at local (UTC+8) midnight of the 1st, not UTC midnight', async (t) => {
  t.equal(
    localMonthStartMs(parseInstant('2026-03-31T15:59:59.999Z'), 480),
    parseInstant('2026-02-28T16:00:00.000Z'),
    '23:59 local on 31 March is still March',
  );
  t.equal(
    localMonthStartMs(parseInstant('2026-03-31T16:00:00.000Z'), 480),
    parseInstant('2026-03-31T16:00:00.000Z'),
    '00:00 local on 1 April starts April',
  );
  const lastOfMarch = testContext({ partner: partnerState(t), now: '2026-03-31T15:59:00.000Z' });
  const firstOfApril = testContext({ partner: partnerState(t), now: '2026-03-31T16:00:00.000Z' });
  const volunteer = history(
    t,
    [mandate({ monthlyCapCentipoints: 500 })],
    lastOfMarch,
    volunteerWithoutConsent(t),
  );
  const held = history(t, [hold(500)], lastOfMarch, volunteer);
  given(t, held, lastOfMarch).when(hold(500)).thenFails('MANDATE_CAP_EXCEEDED');
  given(t, held, firstOfApril)
    .when(hold(500))
    .then([{ type: 'PointsHeld' }]);
});

t.test('a revoked or lapsed mandate authorises nothing', async (t) => {
  const context = testContext({ partner: partnerState(t) });
  const volunteer = history(
    t,
    [mandate({ endsAt: '2026-03-11T00:00:00.000Z' })],
    context,
    volunteerWithoutConsent(t),
  );
  given(t, volunteer, context)
    .when(hold(500))
    .then([{ type: 'PointsHeld' }]);
  const after = testContext({ partner: partnerState(t), now: '2026-03-11T00:00:00.000Z' });
  given(t, volunteer, after).when(hold(500)).thenFails('CONSENT_REQUIRED');
  const revoke: CommandInput = {
    type: 'RevokeSpendMandate',
    idempotencyKey: 'revoke-1',
    actor: ADMIN,
    volunteerId: VOLUNTEER_ID,
    partnerId: 'p1',
  };
  const revoked = history(t, [revoke], context, volunteer);
  t.match(revoked.at(-1), { type: 'SpendMandateRevoked', data: { partnerId: 'p1' } });
  given(t, revoked, context).when(hold(500)).thenFails('CONSENT_REQUIRED');
  given(t, revoked, context)
    .when({ ...revoke, idempotencyKey: 'revoke-2' })
    .thenFails('MANDATE_NOT_FOUND');
});

t.test(
  'mandates: only the volunteer, their desk or an administrator; a partner that exists; an end ahead',
  async (t) => {
    const context = testContext({ partner: partnerState(t) });
    const volunteer = volunteerWithoutConsent(t);
    given(t, volunteer, context)
      .when(mandate({ actor: DESK }))
      .thenFails('ACTOR_NOT_PERMITTED');
    given(t, volunteer, context)
      .when(mandate({ actor: { id: 'p-user', role: 'partner', partnerId: 'p1' } }))
      .thenFails('ACTOR_NOT_PERMITTED');
    given(t, volunteer, context)
      .when(mandate({ actor: COMMUNITY_DESK }))
      .then([
        {
          type: 'SpendMandateGranted',
          data: { partnerId: 'p1', monthlyCapCentipoints: 1_000_000, endsAt: null },
        },
      ]);
    given(t, volunteer, context)
      .when(mandate({ actor: { id: VOLUNTEER_ID, role: 'volunteer' } }))
      .then([{ type: 'SpendMandateGranted' }]);
    given(t, volunteer, testContext({ partner: deciderFor('partner').initialState() }))
      .when(mandate({ partnerId: 'p9' }))
      .thenFails('PARTNER_NOT_FOUND');
    given(t, volunteer, context)
      .when(mandate({ endsAt: NOW }))
      .thenFails('MANDATE_END_IN_PAST');
  },
);

t.test('a spend code authorises one hold, records itself in it, and is then spent', async (t) => {
  const volunteer = volunteerWithoutConsent(t);
  const code = issuedCode(t, volunteer);
  t.equal(code.expiresAtMs - parseInstant(NOW), 120_000, 'valid for the default 120 s');
  const context = contextWith(code);
  const held = given(t, volunteer, context)
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .then([{ type: 'PointsHeld', data: { consent: { form: 'spendCode', codeHash: CODE_HASH } } }]);
  given(t, [...volunteer, ...held], context)
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .thenFailsTelling('SPEND_CODE_INVALID', {});
});

t.test('an expired code, another partner’s code, another volunteer’s code are refused alike', async (t) => {
  const volunteer = volunteerWithoutConsent(t);
  const code = issuedCode(t, volunteer);
  const expired = contextWith(code, { now: new Date(parseInstant(NOW) + 120_000).toISOString() });
  given(t, volunteer, expired)
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .thenFailsTelling('SPEND_CODE_INVALID', {});
  const bound = issuedCode(t, volunteer, { codeHash: OTHER_CODE_HASH, partnerId: 'p2' });
  given(t, volunteer, contextWith(bound))
    .when(hold(500, { spendCodeHash: OTHER_CODE_HASH }))
    .thenFailsTelling('SPEND_CODE_INVALID', {});
  const someoneElses: SpendCodeState = { ...code, volunteerId: 'v-someone-else' };
  given(t, volunteer, contextWith(someoneElses))
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .thenFailsTelling('SPEND_CODE_INVALID', {});
  const unissued = deciderFor('spend-code').initialState();
  given(t, volunteer, contextWith(unissued))
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .thenFailsTelling('SPEND_CODE_INVALID', {});
});

t.test("an amount above the code's cap is refused; at the cap it is held", async (t) => {
  const volunteer = volunteerWithoutConsent(t);
  const code = issuedCode(t, volunteer, { centipointsMax: 400 });
  given(t, volunteer, contextWith(code))
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .thenFailsTelling('SPEND_CODE_CAP_EXCEEDED', { centipointsMax: 400 });
  const atCap = issuedCode(t, volunteer, { centipointsMax: 500 });
  given(t, volunteer, contextWith(atCap))
    .when(hold(500, { spendCodeHash: CODE_HASH }))
    .then([{ type: 'PointsHeld' }]);
});

t.test('a spend code is issued by the volunteer or their community’s desk, once per hash', async (t) => {
  const volunteer = volunteerWithoutConsent(t);
  const context = testContext({ volunteer: foldVolunteer(volunteer) });
  given(t, [], { ...context, partner: registeredPartner('p1') })
    .when(issue({ partnerId: 'p1', centipointsMax: 300 }))
    .then([
      {
        type: 'SpendCodeIssued',
        data: { codeHash: CODE_HASH, volunteerId: VOLUNTEER_ID, partnerId: 'p1', centipointsMax: 300 },
      },
    ]);
  given(t, [], context)
    .when(issue({ actor: { id: VOLUNTEER_ID, role: 'volunteer' } }))
    .then([{ type: 'SpendCodeIssued' }]);
  given(t, [], context)
    .when(issue({ actor: DESK }))
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, [], context)
    .when(issue({ actor: { id: 'p-user', role: 'partner', partnerId: 'p1' } }))
    .thenFails('ACTOR_NOT_PERMITTED');
  const issued = history(t, [issue()], context);
  given(t, issued, context)
    .when(issue({ idempotencyKey: 'another-key' }))
    .thenFails('SPEND_CODE_COLLISION');
  given(t, [], testContext({ volunteer: deciderFor('volunteer').initialState() }))
    .when(issue())
    .thenFails('VOLUNTEER_NOT_FOUND');
  // Bound to a partner: only one that is registered, as for a mandate.
  given(t, [], { ...context, partner: deciderFor('partner').initialState() })
    .when(issue({ partnerId: 'p-typo' }))
    .thenFails('PARTNER_NOT_FOUND');
  given(t, [], { ...context, partner: registeredPartner('p2') })
    .when(issue({ partnerId: 'p2' }))
    .then([{ type: 'SpendCodeIssued', data: { partnerId: 'p2' } }]);
});

t.test(
  'a partner without consent hears CONSENT_REQUIRED whether the volunteer is unknown, inactive or erased',
  async (t) => {
    const context = testContext({ partner: partnerState(t) });
    const active = volunteerWithoutConsent(t);
    const inactive = history(
      t,
      [
        {
          type: 'DeactivateVolunteer',
          idempotencyKey: 'deactivate-1',
          actor: ADMIN,
          volunteerId: VOLUNTEER_ID,
          reason: 'moved away',
        },
      ],
      testContext(),
      active,
    );
    const erased = history(
      t,
      [
        {
          type: 'ErasePersonalData',
          idempotencyKey: 'erase-1',
          actor: ADMIN,
          volunteerId: VOLUNTEER_ID,
          reason: 'consent_withdrawn',
        },
      ],
      testContext(),
      active,
    );
    for (const [label, events] of [
      ['unknown', []],
      ['active', active],
      ['inactive', inactive],
      ['erased', erased],
    ] as const) {
      given(t, events, context).when(hold(500)).thenFailsTelling('CONSENT_REQUIRED', {});
      t.pass(`${label}: the same answer`);
    }
    // With the volunteer's standing consent, the partner is told why the hold cannot be made.
    const consented = history(t, [mandate()], context, active);
    const thenInactive = history(
      t,
      [
        {
          type: 'DeactivateVolunteer',
          idempotencyKey: 'deactivate-2',
          actor: ADMIN,
          volunteerId: VOLUNTEER_ID,
          reason: 'moved away',
        },
      ],
      testContext(),
      consented,
    );
    given(t, thenInactive, context).when(hold(500)).thenFails('VOLUNTEER_INACTIVE');
  },
);
