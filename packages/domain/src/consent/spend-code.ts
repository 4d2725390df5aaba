/**
 * The `spend-code-<hash>` stream: one spend code, issued once. Its use is recorded on the
 * volunteer's stream (the hold's `consent`), where every spend is decided under one expected
 * revision, so two partners racing one code cannot both win.
 */
import { actsForCommunity } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { formatInstant, parseInstant } from '../time.js';

export interface SpendCodeState {
  readonly status: 'unissued' | 'issued';
  readonly volunteerId: string | null;
  readonly partnerId: string | null;
  readonly centipointsMax: number | null;
  readonly expiresAtMs: number;
}

export const initialSpendCodeState: SpendCodeState = Object.freeze({
  status: 'unissued',
  volunteerId: null,
  partnerId: null,
  centipointsMax: null,
  expiresAtMs: 0,
});

export function evolveSpendCode(state: SpendCodeState, event: DomainEvent): SpendCodeState {
  if (event.type !== 'SpendCodeIssued') return state;
  const { volunteerId, partnerId, centipointsMax, expiresAt } = event.data;
  return { status: 'issued', volunteerId, partnerId, centipointsMax, expiresAtMs: parseInstant(expiresAt) };
}

/**
 * The volunteer in person, or the registration desk of their community for a volunteer who is
 * present (and has no phone), or an administrator. `context.volunteer` is the volunteer's stream.
 */
export function decideSpendCode(
  command: CommandOf<'IssueSpendCode'>,
  state: SpendCodeState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const { idempotencyKey, actor, volunteerId, codeHash } = command;
  const volunteer = context.volunteer;
  if (volunteer === undefined) throw new Error('IssueSpendCode is decided with the volunteer in context');
  if (volunteer.status === 'unregistered' || volunteer.volunteerId !== volunteerId)
    return reject('VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
  const inPerson = actor.role === 'volunteer' && actor.id === volunteerId;
  if (!inPerson && !actsForCommunity(actor, volunteer.community ?? ''))
    return reject('ACTOR_NOT_PERMITTED', "only the volunteer or their community's desk issues a spend code");
  // No hold can ever use a code of an erased volunteer (their stream refuses it); issue none.
  if (volunteer.personalDataErased)
    return reject('VOLUNTEER_PERSONAL_DATA_ERASED', "the volunteer's personal data has been erased");
  if (volunteer.status !== 'active') return reject('VOLUNTEER_INACTIVE', 'the volunteer is inactive');
  // A code bound to a partner nobody registered could never be used: refuse it as a mandate is.
  if (command.partnerId !== undefined) {
    const partner = context.partner;
    if (partner === undefined || partner.status === 'unregistered')
      return reject('PARTNER_NOT_FOUND', `no partner ${command.partnerId}`);
    if (partner.partnerId !== command.partnerId)
      throw new Error('context.partner is not the partner named in the command');
  }
  // The caller draws 16 random digits; a collision with a code ever issued is a retry, not a rule.
  if (state.status === 'issued') return reject('SPEND_CODE_COLLISION', 'draw another spend code');
  const nowMs = parseInstant(context.now);
  return [
    {
      type: 'SpendCodeIssued',
      data: {
        idempotencyKey,
        codeHash,
        volunteerId,
        partnerId: command.partnerId ?? null,
        centipointsMax: command.centipointsMax ?? null,
        issuedAt: context.now,
        expiresAt: formatInstant(nowMs + context.rules.spendCodeValiditySeconds * 1000),
        actor,
      },
    },
  ];
}
