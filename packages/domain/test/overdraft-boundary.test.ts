/**
 * The overdraft boundary, asked of the deciders directly: every command that spends
 * points succeeds for exactly the usable balance and fails INSUFFICIENT_POINTS for one centipoint
 * more. The usable balance is set up to differ from the available one (a pending hold and a lot
 * already due to expire), so a check against the wrong figure fails here too.
 */
import t from 'tap';
import type { Test } from 'tap';
import { type CommandInput, type DecideContext, type DomainEvent } from '../src/index.js';
import { confirm, hold, record, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerState, policyWithExpiry, volunteerWithHours } from './support/points-setup.js';
import { DESK, given, history, lastRecordId, PARTNER_USER, testContext } from './support/scenario.js';

/** Expected usable balance at LATER, in centipoints (derivation in `boundaryHistory`). */
const USABLE = 300;
/** The volunteer's available balance at LATER: usable plus the 500 already due to expire. */
const AVAILABLE = 800;
const SECOND_LOT_AT = '2026-03-20T04:00:00.000Z';
/** After the first lot's expiry (2026-04-09T04:00Z), before the second's (2026-04-19T04:00Z). */
const LATER = '2026-04-10T00:00:00.000Z';

/** Offers priced at the boundary: a hold must name an offer and pay its price exactly. */
function offer(offerId: string, priceCentipoints: number): DomainEvent {
  return {
    type: 'PartnerOfferPublished',
    data: {
      idempotencyKey: `offer-${offerId}`,
      partnerId: 'p1',
      offerId,
      title: `Offer at ${priceCentipoints}`,
      priceCentipoints,
      publishedAt: '2026-03-01T00:00:00.000Z',
      actor: PARTNER_USER,
    },
  };
}

function contextAt(t: Test, now: string): DecideContext {
  const policy = policyWithExpiry(t, [{ effectiveFrom: '2026-01-01T00:00:00.000Z', expiryDays: 30 }]);
  return testContext({
    now,
    pointsPolicy: policy,
    partner: partnerState(t, [offer('at-usable', USABLE), offer('over-usable', USABLE + 1)]),
  });
}

/**
 * 1000 earned on 2026-03-10 (expires 2026-04-09), 300 earned on 2026-03-20 (expires 2026-04-19),
 * a 500 hold still pending. Spending draws on the earliest lot first, so at LATER 500 of the first
 * lot are due to expire: available 1300 − 500 = 800, usable 800 − 500 = 300.
 */
function boundaryHistory(t: Test): DomainEvent[] {
  const first = volunteerWithHours(t, 10, contextAt(t, '2026-03-10T04:00:00.000Z'));
  const secondContext = contextAt(t, SECOND_LOT_AT);
  const recorded = history(t, [record(8, 11, {}, 19)], secondContext, first);
  return history(
    t,
    [confirm(lastRecordId(recorded)), hold(500, { holdTimeoutSeconds: 86_400 })],
    secondContext,
    recorded,
  );
}

const spend = (type: 'HoldPoints' | 'RedeemPoints', offerId: string, centipoints: number): CommandInput =>
  ({ ...hold(centipoints, { offerId }), type }) as CommandInput;

const transfer = (centipoints: number): CommandInput => ({
  type: 'TransferPoints',
  idempotencyKey: `transfer-${centipoints}`,
  actor: DESK,
  volunteerId: VOLUNTEER_ID,
  toVolunteerId: 'v-relative',
  centipoints,
});

const donate = (centipoints: number): CommandInput => ({
  type: 'DonatePoints',
  idempotencyKey: `donate-${centipoints}`,
  actor: DESK,
  volunteerId: VOLUNTEER_ID,
  centipoints,
});

t.test('the set-up gives a usable balance below the available one', async (t) => {
  const events = boundaryHistory(t);
  const later = contextAt(t, LATER);
  // Spending the whole available balance would spend points already due to expire.
  given(t, events, later)
    .when(transfer(AVAILABLE))
    .thenFails('INSUFFICIENT_POINTS', { availableCentipoints: USABLE });
});

t.test('HoldPoints: exactly the usable balance is held; one centipoint more is refused', async (t) => {
  const events = boundaryHistory(t);
  const later = contextAt(t, LATER);
  given(t, events, later)
    .when(spend('HoldPoints', 'over-usable', USABLE + 1))
    // A partner learns "insufficient", never the balance.
    .thenFailsTelling('INSUFFICIENT_POINTS', {});
  given(t, events, later)
    .when(spend('HoldPoints', 'at-usable', USABLE))
    .then([{ type: 'PointsHeld', data: { centipoints: USABLE } }]);
});

t.test('RedeemPoints: exactly the usable balance is redeemed; one centipoint more is refused', async (t) => {
  const events = boundaryHistory(t);
  const later = contextAt(t, LATER);
  given(t, events, later)
    .when(spend('RedeemPoints', 'over-usable', USABLE + 1))
    // A partner learns "insufficient", never the balance.
    .thenFailsTelling('INSUFFICIENT_POINTS', {});
  given(t, events, later)
    .when(spend('RedeemPoints', 'at-usable', USABLE))
    .then([
      { type: 'PointsHeld', data: { centipoints: USABLE } },
      { type: 'PointsCaptured', data: { centipoints: USABLE } },
    ]);
});

t.test('TransferPoints: exactly the usable balance is sent; one centipoint more is refused', async (t) => {
  const events = boundaryHistory(t);
  const later = contextAt(t, LATER);
  given(t, events, later)
    .when(transfer(USABLE + 1))
    .thenFails('INSUFFICIENT_POINTS', { availableCentipoints: USABLE });
  given(t, events, later)
    .when(transfer(USABLE))
    .then([{ type: 'PointsTransferSent', data: { centipoints: USABLE } }]);
});

t.test('DonatePoints: exactly the usable balance is donated; one centipoint more is refused', async (t) => {
  const events = boundaryHistory(t);
  const later = contextAt(t, LATER);
  given(t, events, later)
    .when(donate(USABLE + 1))
    .thenFails('INSUFFICIENT_POINTS', { availableCentipoints: USABLE });
  given(t, events, later)
    .when(donate(USABLE))
    .then([{ type: 'PointsDonated', data: { centipoints: USABLE } }]);
});
