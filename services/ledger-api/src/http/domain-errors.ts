/**
 * The only place domain error codes meet HTTP status codes. The table is typed as a complete
 * record over the domain's catalogue, so a new domain code fails the typecheck until it is mapped
 * and a code the domain dropped fails it until it is removed.
 *
 *  - 404: the thing named does not exist.
 *  - 409: the request conflicts with the current state (already done, already resolved).
 *  - 422: the request is well-formed but a business rule rejects it.
 */
import { isDomainError, type DomainErrorCode } from '@timebank/domain';
import { ProblemError } from './problem.js';

// `satisfies` checks the literal itself: a missing code and a stale one (no longer in the
// catalogue) are both compile errors, which an annotation on the frozen result would let through.
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = Object.freeze({
  INVALID_COMMAND: 400,
  IDEMPOTENCY_KEY_REUSED: 409,
  ACTOR_NOT_PERMITTED: 403,
  VOLUNTEER_ALREADY_REGISTERED: 409,
  VOLUNTEER_NOT_FOUND: 404,
  VOLUNTEER_INACTIVE: 422,
  VOLUNTEER_PERSONAL_DATA_ERASED: 410,
  INVALID_NATIONAL_ID: 422,
  NATIONAL_ID_BIRTH_DATE_INVALID: 422,
  VOLUNTEER_TOO_YOUNG: 422,
  GUARDIAN_CONSENT_REQUIRED: 422,
  SERVICE_END_BEFORE_START: 422,
  SERVICE_RECORD_TOO_SHORT: 422,
  SERVICE_RECORD_TOO_LONG: 422,
  DAILY_HOURS_EXCEEDED: 422,
  SERVICE_RECORD_OVERLAP: 422,
  SERVICE_END_IN_FUTURE: 422,
  RECORD_DATE_IN_FUTURE: 422,
  RECORD_DATE_BEFORE_BIRTH: 422,
  SERVICE_TOO_OLD: 422,
  SERVICE_BEFORE_BACKDATING_FLOOR: 422,
  SERVICE_BEFORE_MINIMUM_AGE: 422,
  BACKDATING_REASON_REQUIRED: 422,
  SERVICE_RECORD_NOT_FOUND: 404,
  SERVICE_RECORD_ALREADY_EXISTS: 409,
  SERVICE_RECORD_NOT_PENDING: 409,
  SERVICE_RECORD_CLOSED: 409,
  CORRECTION_CHANGES_NOTHING: 422,
  NOT_ORGANISING_ORGANISATION: 403,
  NOT_ELIGIBLE_FOR_STAR: 422,
  STAR_AWARD_NOT_FLAGGED: 409,
  STAR_BAR_PERIOD_INVALID: 422,
  STAR_CERTIFICATION_BARRED: 422,
  NO_CERTIFIABLE_SERVICE: 422,
  CERTIFICATE_PERIOD_INVALID: 422,
  CERTIFICATE_TOO_MANY_RECORDS: 422,
  INSUFFICIENT_POINTS: 422,
  STAR_LEVEL_TOO_LOW_TO_REDEEM: 422,
  BALANCE_CAP_EXCEEDED: 422,
  NO_POINTS_TO_EXPIRE: 422,
  HOLD_NOT_FOUND: 404,
  HOLD_ALREADY_RESOLVED: 409,
  HOLD_EXPIRED: 409,
  HOLD_NOT_EXPIRED: 409,
  HOLD_TIMEOUT_TOO_LONG: 422,
  TRANSFER_TO_SELF: 422,
  TRANSFER_NOT_FOUND: 404,
  CONSENT_REQUIRED: 403,
  SPEND_CODE_INVALID: 403,
  SPEND_CODE_CAP_EXCEEDED: 403,
  SPEND_CODE_COLLISION: 409,
  MANDATE_CAP_EXCEEDED: 403,
  MANDATE_END_IN_PAST: 422,
  MANDATE_NOT_FOUND: 404,
  DISPUTE_NOT_FOUND: 404,
  DISPUTE_ALREADY_RESOLVED: 409,
  DISPUTE_RECORD_REQUIRED: 422,
  DISPUTE_OUTCOME_NOT_APPLICABLE: 422,
  PARTNER_ALREADY_REGISTERED: 409,
  PARTNER_NOT_FOUND: 404,
  PARTNER_SUSPENDED: 409,
  PARTNER_NOT_SUSPENDED: 409,
  OFFER_ALREADY_PUBLISHED: 409,
  OFFER_NOT_FOUND: 404,
  OFFER_PRICE_MISMATCH: 422,
  OFFER_CASH_COPAY_INVALID: 422,
  BENEFICIARY_CATEGORY_NOT_FOUND: 404,
  BENEFICIARY_ALREADY_REGISTERED: 409,
  BENEFICIARY_NOT_FOUND: 404,
  BENEFICIARY_ACCOUNT_SPEND_ONLY: 422,
  BENEFICIARY_DATA_ERASED: 409,
  POOL_NOTHING_TO_ALLOCATE: 422,
  ORGANISATION_ALREADY_REGISTERED: 409,
  ORGANISATION_NOT_FOUND: 404,
  ORGANISATION_SUSPENDED: 409,
  ORGANISATION_NOT_SUSPENDED: 409,
  AREA_ALREADY_REGISTERED: 409,
  AREA_NOT_FOUND: 404,
  AREA_PARENT_INVALID: 422,
  COMMUNITY_NOT_REGISTERED: 404,
  COMMUNITY_ALREADY_ON_STREET: 409,
  COORDINATOR_NOT_FOUND: 404,
  COORDINATOR_DATA_ERASED: 409,
  COORDINATOR_DETAILS_MISMATCH: 409,
  PROJECT_ALREADY_REGISTERED: 409,
  PROJECT_NOT_FOUND: 404,
  PROJECT_ORGANISATION_MISMATCH: 422,
  TEAM_ALREADY_REGISTERED: 409,
  TEAM_NOT_FOUND: 404,
  TEAM_MEMBER_ALREADY_JOINED: 409,
  GROUP_ACTIVITY_ALREADY_CONFIRMED: 409,
  GROUP_ACTIVITY_OVERLAP: 409,
  GROUP_POINTS_DONATION_ONLY: 409,
  INSUFFICIENT_GROUP_POINTS: 409,
  POLICY_EFFECTIVE_IN_PAST: 422,
  POLICY_EFFECTIVE_NOT_AFTER_LATEST: 422,
  POLICY_VERSION_NOT_FOUND: 404,
  POLICY_VERSION_IN_EFFECT: 409,
  POLICY_VERSION_ALREADY_WITHDRAWN: 409,
} satisfies Record<DomainErrorCode, number>);

/** The problem for a domain rejection, or undefined when `error` is not one. */
export function domainProblem(error: unknown): ProblemError | undefined {
  if (!isDomainError(error)) return undefined;
  // A command the domain finds invalid names its field (`details.path`, the command's field, which
  // the routes send under the same name in the body): as `errors[]`, like a VALIDATION_FAILED, so a
  // form names the input (an offer above the balance cap read only "invalid request").
  const path = error.code === 'INVALID_COMMAND' ? error.details.path : undefined;
  const errors =
    typeof path === 'string' && path !== '' ? [{ field: `body.${path}`, message: error.message }] : undefined;
  return new ProblemError(DOMAIN_ERROR_STATUS[error.code], error.code, error.message, errors);
}
