/**
 * Spend consent on the volunteer's stream: granting and revoking standing mandates, and the
 * check every hold and redemption passes before anything about the volunteer's points is
 * looked at, so a partner without consent learns nothing.
 */
import { actsForCommunity, isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { Consent, DomainEvent } from '../events/index.js';
import { localMonthStartMs, parseInstant } from '../time.js';
import type { VolunteerState } from './state.js';

/** Whether the volunteer's standing mandate to the partner is in force (granted, not revoked, not ended). */
export function hasMandateInForce(state: VolunteerState, partnerId: string, nowMs: number): boolean {
  const mandate = state.mandates.get(partnerId);
  return mandate !== undefined && (mandate.endsAtMs === null || nowMs < mandate.endsAtMs);
}

/** Centipoints a partner held under its mandate this local month, not counting holds given back. */
export function mandateSpentThisMonthCentipoints(
  state: VolunteerState,
  partnerId: string,
  nowMs: number,
  offsetMinutes: number,
): number {
  const monthStartMs = localMonthStartMs(nowMs, offsetMinutes);
  let spent = 0;
  for (const hold of state.holds.values()) {
    if (hold.partnerId !== partnerId || hold.consentForm !== 'mandate') continue;
    if (hold.heldAtMs < monthStartMs || hold.status === 'released' || hold.status === 'expired') continue;
    spent += hold.centipoints;
  }
  // Captured holds dropped from `holds` (see SETTLED_HOLDS_KEPT), by the minute they were held in.
  for (const [minute, centipoints] of state.mandateCapturedByMinute.get(partnerId) ?? []) {
    if (minute * 60_000 >= monthStartMs) spent += centipoints;
  }
  return spent;
}

function checkSpendCode(
  command: CommandOf<'HoldPoints' | 'RedeemPoints'>,
  codeHash: string,
  state: VolunteerState,
  context: DecideContext,
): Consent | DomainError {
  const code = context.spendCode;
  if (code === undefined) throw new Error('a hold with a spend code is decided with the code in context');
  // One answer for unknown, used, expired and another partner's code: a guesser learns nothing.
  const invalid = reject('SPEND_CODE_INVALID', 'the spend code is not valid for this partner');
  if (code.status !== 'issued' || code.volunteerId !== command.volunteerId) return invalid;
  if (parseInstant(context.now) >= code.expiresAtMs) return invalid;
  if (state.usedSpendCodeHashes.has(codeHash)) return invalid;
  if (code.partnerId !== null && code.partnerId !== command.partnerId) return invalid;
  if (code.centipointsMax !== null && command.centipoints > code.centipointsMax) {
    return reject('SPEND_CODE_CAP_EXCEEDED', 'the amount is above the spend code’s cap', {
      centipointsMax: code.centipointsMax,
    });
  }
  return { form: 'spendCode', codeHash };
}

/** The consent a hold or redemption presents, or why it has none. */
export function checkConsent(
  command: CommandOf<'HoldPoints' | 'RedeemPoints'>,
  state: VolunteerState,
  context: DecideContext,
): Consent | DomainError {
  if (command.spendCodeHash !== undefined)
    return checkSpendCode(command, command.spendCodeHash, state, context);
  const nowMs = parseInstant(context.now);
  const mandate = state.mandates.get(command.partnerId);
  if (mandate === undefined || !hasMandateInForce(state, command.partnerId, nowMs))
    return reject('CONSENT_REQUIRED', 'the volunteer has not consented: present a spend code');
  const offset = context.rules.localTimeOffsetMinutes;
  const spent = mandateSpentThisMonthCentipoints(state, command.partnerId, nowMs, offset);
  if (spent + command.centipoints > mandate.monthlyCapCentipoints) {
    return reject('MANDATE_CAP_EXCEEDED', 'the hold is above what the mandate allows this month', {
      monthlyCapCentipoints: mandate.monthlyCapCentipoints,
    });
  }
  return { form: 'mandate' };
}

/** The volunteer in person, their community's desk, or an administrator. */
function actsForThisVolunteer(
  command: CommandOf<'GrantSpendMandate' | 'RevokeSpendMandate'>,
  state: VolunteerState,
): boolean {
  const { actor } = command;
  if (actor.role === 'volunteer') return actor.id === command.volunteerId;
  return isAdministrator(actor) || actsForCommunity(actor, state.community ?? '');
}

export function grantSpendMandate(
  command: CommandOf<'GrantSpendMandate'>,
  state: VolunteerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (!actsForThisVolunteer(command, state))
    return reject('ACTOR_NOT_PERMITTED', "only the volunteer or their community's desk grants a mandate");
  const partner = context.partner;
  if (partner === undefined || partner.status === 'unregistered')
    return reject('PARTNER_NOT_FOUND', `no partner ${command.partnerId}`);
  if (partner.partnerId !== command.partnerId)
    throw new Error('context.partner is not the partner named in the command');
  const endsAt = command.endsAt ?? null;
  if (endsAt !== null && parseInstant(endsAt) <= parseInstant(context.now))
    return reject('MANDATE_END_IN_PAST', 'a mandate must end after it is granted');
  const { idempotencyKey, actor, volunteerId, partnerId, monthlyCapCentipoints } = command;
  return [
    {
      type: 'SpendMandateGranted',
      data: {
        idempotencyKey,
        volunteerId,
        partnerId,
        monthlyCapCentipoints,
        endsAt,
        grantedAt: context.now,
        actor,
      },
    },
  ];
}

export function revokeSpendMandate(
  command: CommandOf<'RevokeSpendMandate'>,
  state: VolunteerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (!actsForThisVolunteer(command, state))
    return reject('ACTOR_NOT_PERMITTED', "only the volunteer or their community's desk revokes a mandate");
  const { idempotencyKey, actor, volunteerId, partnerId } = command;
  if (!state.mandates.has(partnerId))
    return reject('MANDATE_NOT_FOUND', `no mandate to partner ${partnerId}`);
  return [
    {
      type: 'SpendMandateRevoked',
      data: { idempotencyKey, volunteerId, partnerId, revokedAt: context.now, actor },
    },
  ];
}
