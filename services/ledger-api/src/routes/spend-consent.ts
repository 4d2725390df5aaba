/**
 * How a partner's hold or redemption names the volunteer's consent: a spend code the volunteer
 * gave them (the partner then needs no volunteer id, and learns it from the response), or a
 * volunteer id under a standing mandate. The code is hashed at once and never kept or logged.
 */
import { z } from 'zod';
import { isDomainError, idSchema } from '@timebank/domain';
import type { Ledger } from '@timebank/application';
import type { SpendCodeGuard } from '../auth/spend-code-guard.js';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { ProblemError } from '../http/problem.js';

/** A spend code as the volunteer shows it: 16 digits (docs/domain.md gives the guessing odds). */
export const SPEND_CODE_DIGITS = 16;
export const spendCodeSchema = z
  .string()
  .regex(new RegExp(`^[0-9]{${SPEND_CODE_DIGITS}}$`), `expected ${SPEND_CODE_DIGITS} digits`);

/** The consent fields of a hold or redemption body; at least one of the two. */
export const spendConsentFields = {
  volunteerId: idSchema
    .optional()
    .describe('The volunteer, when a standing mandate authorises the hold; optional with a spend code'),
  spendCode: spendCodeSchema
    .optional()
    .describe("The volunteer's one-time spend code; the response names the volunteer"),
};

export const NAME_A_CONSENT = {
  message: 'name the volunteer (under a mandate) or send a spend code',
  path: ['volunteerId'],
};

export interface SpendTarget {
  readonly volunteerId: string;
  readonly spendCodeHash?: string;
}

function invalidCode(): ProblemError {
  return new ProblemError(
    DOMAIN_ERROR_STATUS.SPEND_CODE_INVALID,
    'SPEND_CODE_INVALID',
    'the spend code is not valid for this partner',
  );
}

/** Resolves the consent a body presents to the volunteer and the code's hash; counts wrong codes. */
export async function spendTargetOf(
  ledger: Ledger,
  guard: SpendCodeGuard,
  attempt: { readonly partnerId: string; readonly sourceAddress: string },
  body: { readonly volunteerId?: string | undefined; readonly spendCode?: string | undefined },
): Promise<SpendTarget> {
  if (body.spendCode === undefined) {
    if (body.volunteerId === undefined) throw new Error('the body schema requires a volunteer id or a code');
    return { volunteerId: body.volunteerId };
  }
  const tried = { ...attempt, volunteerId: body.volunteerId };
  guard.assertNotLockedOut(tried);
  const spendCodeHash = ledger.spendCodeHash(body.spendCode);
  const { state } = await ledger.load('spend-code', spendCodeHash);
  const volunteerId = state.volunteerId;
  if (
    state.status !== 'issued' ||
    volunteerId === null ||
    (body.volunteerId ?? volunteerId) !== volunteerId
  ) {
    guard.recordFailure(tried);
    throw invalidCode();
  }
  return { volunteerId, spendCodeHash };
}

/** A code the domain refused (used, expired, another partner's) counts as a wrong guess too. */
export function countRefusedCode(
  guard: SpendCodeGuard,
  attempt: { readonly partnerId: string; readonly sourceAddress: string },
  body: { readonly volunteerId?: string | undefined; readonly spendCode?: string | undefined },
  error: unknown,
): void {
  if (body.spendCode === undefined || !isDomainError(error) || error.code !== 'SPEND_CODE_INVALID') return;
  guard.recordFailure({ ...attempt, volunteerId: body.volunteerId });
}
