/** Holds, captures, releases, redemptions, expiry, transfers and donations on the volunteer's account. */
import { EXPIRED_ACCOUNT, heldAccount, partnerAccount, volunteerAccount } from '../accounts.js';
import { actsForPartner, isAdministrator, isSystem } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { Consent, DomainEvent } from '../events/index.js';
import { policyInForceAt } from '../policy/policy.js';
import { formatInstant, parseInstant } from '../time.js';
import { checkConsent } from './decide-consent.js';
import { foldVolunteer } from './evolve.js';
import { pointsReversed } from './reversal.js';
import { effectiveStarLevel, expirableCentipoints, usableCentipoints } from './queries.js';
import { SETTLED_HOLDS_KEPT, type HoldState, type VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;

function registeredId(state: VolunteerState): string {
  if (state.volunteerId === null) throw new Error('points command on an unregistered volunteer');
  return state.volunteerId;
}

interface CheckedHold {
  readonly expiresAtMs: number;
  readonly consent: Consent;
  /** The offer's cash co-payment in fen (低偿), recorded with the points; 0 for a points-only offer. */
  readonly cashCopayFen: number;
}

/** The optional cash field of a hold or capture: present only when there is cash, so points-only events keep their shape. */
const cashField = (cashCopayFen: number): { cashCopayFen?: number } =>
  cashCopayFen === 0 ? {} : { cashCopayFen };

/**
 * Everything a hold must pass: the volunteer's consent first (a partner without it learns
 * nothing more), then partner, offer, price, timeout, star level, and enough usable points.
 * Rejections about the volunteer say only "not eligible" or "insufficient", never the star
 * level or the balance: the partner sees what a redemption needs and no more.
 */
function checkHold(
  command: CommandOf<'HoldPoints' | 'RedeemPoints'>,
  state: VolunteerState,
  context: DecideContext,
): CheckedHold | DomainError {
  const { actor, partnerId, offerId, centipoints } = command;
  if (!actsForPartner(actor, partnerId))
    return reject('ACTOR_NOT_PERMITTED', 'only the partner holds points for its offers');
  const consent = checkConsent(command, state, context);
  if (consent instanceof Error) return consent;
  const partner = context.partner;
  if (partner === undefined || partner.status === 'unregistered')
    return reject('PARTNER_NOT_FOUND', `no partner ${partnerId}`);
  if (partner.partnerId !== partnerId)
    throw new Error('context.partner is not the partner named in the command');
  if (partner.status === 'suspended') return reject('PARTNER_SUSPENDED', `partner ${partnerId} is suspended`);
  const offer = partner.offers.get(offerId);
  if (offer === undefined) return reject('OFFER_NOT_FOUND', `partner ${partnerId} has no offer ${offerId}`);
  if (offer.priceCentipoints !== centipoints) {
    return reject('OFFER_PRICE_MISMATCH', 'the amount must equal the offer price', {
      priceCentipoints: offer.priceCentipoints,
    });
  }
  const timeoutSeconds =
    command.type === 'HoldPoints'
      ? (command.holdTimeoutSeconds ?? context.rules.holdTimeoutSecondsDefault)
      : 0;
  if (timeoutSeconds > context.rules.holdTimeoutSecondsMax) {
    return reject(
      'HOLD_TIMEOUT_TOO_LONG',
      `a hold may last at most ${context.rules.holdTimeoutSecondsMax} seconds`,
      {
        holdTimeoutSecondsMax: context.rules.holdTimeoutSecondsMax,
      },
    );
  }
  const nowMs = parseInstant(context.now);
  const minStar = policyInForceAt(context.pointsPolicy, context.rules, nowMs).terms.minStarToRedeem;
  const star = effectiveStarLevel(state, nowMs);
  // The star rule is about volunteers earning their right to spend; a beneficiary's points were
  // given to them from the donation pool and are theirs to spend without stars.
  if (state.kind !== 'beneficiary' && star < minStar)
    return reject('STAR_LEVEL_TOO_LOW_TO_REDEEM', `redeeming needs ${minStar} star(s)`, {
      minStarToRedeem: minStar,
    });
  if (centipoints > usableCentipoints(state, nowMs))
    return reject('INSUFFICIENT_POINTS', 'not enough available points');
  return { expiresAtMs: nowMs + timeoutSeconds * 1000, consent, cashCopayFen: offer.cashCopayFen };
}

function heldEvent(
  command: CommandOf<'HoldPoints' | 'RedeemPoints'>,
  hold: CheckedHold & { readonly volunteerId: string; readonly holdId: string },
  context: DecideContext,
): DomainEvent {
  const { volunteerId, holdId, expiresAtMs, consent, cashCopayFen } = hold;
  const { idempotencyKey, actor, partnerId, offerId, centipoints } = command;
  return {
    type: 'PointsHeld',
    data: {
      idempotencyKey,
      fromAccount: volunteerAccount(volunteerId),
      toAccount: heldAccount(volunteerId),
      centipoints,
      volunteerId,
      holdId,
      partnerId,
      offerId,
      heldAt: context.now,
      expiresAt: formatInstant(expiresAtMs),
      actor,
      consent,
      ...cashField(cashCopayFen),
    },
  };
}

export function holdPoints(
  command: CommandOf<'HoldPoints'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const checked = checkHold(command, state, context);
  if (checked instanceof Error) return checked;
  return [
    heldEvent(command, { ...checked, volunteerId: registeredId(state), holdId: context.newId() }, context),
  ];
}

/** A plain redemption: a hold that is captured in the same append, so it can never be left pending. */
export function redeemPoints(
  command: CommandOf<'RedeemPoints'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const checked = checkHold(command, state, context);
  if (checked instanceof Error) return checked;
  const volunteerId = registeredId(state);
  const holdId = context.newId();
  const { idempotencyKey, actor, partnerId, centipoints } = command;
  return [
    heldEvent(command, { ...checked, volunteerId, holdId }, context),
    {
      type: 'PointsCaptured',
      data: {
        idempotencyKey,
        fromAccount: heldAccount(volunteerId),
        toAccount: partnerAccount(partnerId),
        centipoints,
        volunteerId,
        holdId,
        partnerId,
        capturedAt: context.now,
        actor,
        ...cashField(checked.cashCopayFen),
      },
    },
  ];
}

function pendingHold(
  state: VolunteerState,
  holdId: string,
  partnerId: string | null,
): HoldState | DomainError {
  const hold = state.holds.get(holdId);
  // Another partner's hold reads as not found: partners must not learn of each other's redemptions.
  if (hold === undefined || (partnerId !== null && hold.partnerId !== partnerId))
    return reject(
      'HOLD_NOT_FOUND',
      `no pending hold ${holdId}, nor one among the volunteer's latest ${SETTLED_HOLDS_KEPT} settled holds`,
    );
  if (hold.status !== 'pending')
    return reject('HOLD_ALREADY_RESOLVED', `hold ${holdId} is ${hold.status}`, { status: hold.status });
  return hold;
}

export function resolveHold(
  command: CommandOf<'CapturePoints' | 'ReleasePoints'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, holdId, partnerId } = command;
  if (!actsForPartner(actor, partnerId))
    return reject('ACTOR_NOT_PERMITTED', 'only the partner resolves its holds');
  const hold = pendingHold(state, holdId, partnerId);
  if (hold instanceof Error) return hold;
  const volunteerId = registeredId(state);
  const base = { idempotencyKey, centipoints: hold.centipoints, volunteerId, holdId, partnerId, actor };
  if (command.type === 'ReleasePoints') {
    const movement = { fromAccount: heldAccount(volunteerId), toAccount: volunteerAccount(volunteerId) };
    const released: DomainEvent = {
      type: 'PointsReleased',
      data: { ...base, ...movement, releasedAt: context.now },
    };
    return afterReturn(state, hold, released, { idempotencyKey, volunteerId, at: context.now });
  }
  if (parseInstant(context.now) >= hold.expiresAtMs) {
    return reject('HOLD_EXPIRED', `hold ${holdId} timed out at ${formatInstant(hold.expiresAtMs)}`);
  }
  const movement = { fromAccount: heldAccount(volunteerId), toAccount: partnerAccount(partnerId) };
  const cash = cashField(hold.cashCopayFen);
  return [{ type: 'PointsCaptured', data: { ...base, ...movement, capturedAt: context.now, ...cash } }];
}

export function expireHold(
  command: CommandOf<'ExpireHold'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, holdId } = command;
  if (!isSystem(actor) && !isAdministrator(actor))
    return reject('ACTOR_NOT_PERMITTED', 'holds are expired by the clock');
  const hold = pendingHold(state, holdId, null);
  if (hold instanceof Error) return hold;
  if (parseInstant(context.now) < hold.expiresAtMs) {
    return reject('HOLD_NOT_EXPIRED', `hold ${holdId} runs until ${formatInstant(hold.expiresAtMs)}`);
  }
  const volunteerId = registeredId(state);
  const expired: DomainEvent = {
    type: 'PointsHoldExpired',
    data: {
      idempotencyKey,
      fromAccount: heldAccount(volunteerId),
      toAccount: volunteerAccount(volunteerId),
      centipoints: hold.centipoints,
      volunteerId,
      holdId,
      partnerId: hold.partnerId,
      // Effective at the due time, not when the clock's sweep got to it: replay and as-of reads
      // then never depend on how late the sweep ran.
      expiredAt: formatInstant(hold.expiresAtMs),
    },
  };
  return afterReturn(state, hold, expired, {
    idempotencyKey,
    volunteerId,
    at: formatInstant(hold.expiresAtMs),
  });
}

/** When, under which key and for whom a released or expired hold gives its points back. */
interface HoldReturn {
  readonly idempotencyKey: string;
  readonly volunteerId: string;
  readonly at: string;
}

/**
 * A released or expired hold's event and what follows from it in the same append: the points a
 * voided record's shortfall still claims (`shortfallRecoveries`), then the points that fell due
 * while they were held, expired at the return. The clock expires a lot at its date with what is
 * not held then and settles it; points of that lot held at its date came back later available but
 * not usable, and no due item was left to expire them: they stayed with the volunteer for good and
 * `expired` was short by as much.
 */
function afterReturn(
  state: VolunteerState,
  hold: HoldState,
  returned: DomainEvent,
  at: HoldReturn,
): DomainEvent[] {
  const events = [returned, ...shortfallRecoveries(state, hold, at)];
  const centipoints = expirableCentipoints(foldVolunteer(events, state), parseInstant(at.at));
  if (centipoints === 0) return events;
  return [...events, pointsExpired({ ...at, centipoints })];
}

/** `PointsExpired` of `centipoints` of the volunteer's available points, dated `at`. */
function pointsExpired(
  expiry: HoldReturn & { readonly centipoints: number; readonly recordId?: string },
): DomainEvent {
  const { idempotencyKey, volunteerId, centipoints, recordId } = expiry;
  return {
    type: 'PointsExpired',
    data: {
      idempotencyKey,
      fromAccount: volunteerAccount(volunteerId),
      toAccount: EXPIRED_ACCOUNT,
      centipoints,
      volunteerId,
      ...(recordId === undefined ? {} : { recordId }),
      expiredAt: expiry.at,
    },
  };
}

/**
 * The points a released or expired hold gives back that a reversal's shortfall still claims
 * (`recoverableShortfalls`: the hold was pending when the record was voided or corrected), taken
 * back at once, in the same append, as further reversals of that record (`earnedCentipoints` 0).
 * Without them a volunteer whose fraudulent hours were voided while their points sat in holds got
 * the points back, spendable, when the partner released the holds.
 */
function shortfallRecoveries(
  state: VolunteerState,
  hold: HoldState,
  { idempotencyKey, volunteerId, at }: HoldReturn,
): DomainEvent[] {
  const events: DomainEvent[] = [];
  let returned = hold.centipoints;
  for (const [recordId, shortfall] of state.recoverableShortfalls) {
    if (returned === 0) break;
    if (!shortfall.holdIds.includes(hold.holdId)) continue;
    const centipoints = Math.min(returned, shortfall.centipoints);
    returned -= centipoints;
    events.push(
      pointsReversed({
        idempotencyKey,
        volunteerId,
        recordId,
        centipoints,
        shortfallCentipoints: shortfall.centipoints - centipoints,
        reasonCode: shortfall.reasonCode,
        reversedAt: at,
      }),
    );
  }
  return events;
}

export function expirePoints(
  command: CommandOf<'ExpirePoints'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, recordId } = command;
  if (!isSystem(actor) && !isAdministrator(actor))
    return reject('ACTOR_NOT_PERMITTED', 'points are expired by the clock');
  const nowMs = parseInstant(context.now);
  const lot = recordId === undefined ? undefined : state.expiringLots.get(recordId);
  if (recordId !== undefined && (lot === undefined || lot.settled === true || lot.expiresAtMs > nowMs))
    return reject('NO_POINTS_TO_EXPIRE', `lot ${recordId} is not due, or expired already`);
  // The clock's expiry is effective at the lot's date, not when the sweep got to it: replay and
  // as-of reads then never depend on how late the sweep ran.
  const effectiveMs = lot === undefined ? nowMs : lot.expiresAtMs;
  const centipoints = expirableCentipoints(state, effectiveMs);
  // A lot spent before its date still settles, with 0 expired, so its due item is done once.
  if (centipoints === 0 && lot === undefined)
    return reject('NO_POINTS_TO_EXPIRE', 'no points are due to expire');
  const volunteerId = registeredId(state);
  return [
    pointsExpired({
      idempotencyKey,
      volunteerId,
      centipoints,
      ...(recordId === undefined ? {} : { recordId }),
      at: formatInstant(effectiveMs),
    }),
  ];
}
