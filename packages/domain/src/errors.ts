/**
 * The one catalogue of domain error codes. Codes are stable API: never rename or reuse one.
 * Every code is documented in docs/errors.md; a test fails when the two disagree. Only the HTTP
 * layer maps codes to status codes.
 */

export const DOMAIN_ERROR_CODES = [
  // Input and authority
  'INVALID_COMMAND',
  'IDEMPOTENCY_KEY_REUSED',
  'ACTOR_NOT_PERMITTED',
  // Volunteers
  'VOLUNTEER_ALREADY_REGISTERED',
  'VOLUNTEER_NOT_FOUND',
  'VOLUNTEER_INACTIVE',
  'VOLUNTEER_PERSONAL_DATA_ERASED',
  'INVALID_NATIONAL_ID',
  'NATIONAL_ID_BIRTH_DATE_INVALID',
  'VOLUNTEER_TOO_YOUNG',
  'GUARDIAN_CONSENT_REQUIRED',
  // Service records
  'SERVICE_END_BEFORE_START',
  'SERVICE_RECORD_TOO_SHORT',
  'SERVICE_RECORD_TOO_LONG',
  'DAILY_HOURS_EXCEEDED',
  'SERVICE_RECORD_OVERLAP',
  'SERVICE_END_IN_FUTURE',
  // Trainings and commendations: dated after the local today, or before the volunteer's birth
  'RECORD_DATE_IN_FUTURE',
  'RECORD_DATE_BEFORE_BIRTH',
  'SERVICE_TOO_OLD',
  'SERVICE_BEFORE_BACKDATING_FLOOR',
  'SERVICE_BEFORE_MINIMUM_AGE',
  'BACKDATING_REASON_REQUIRED',
  'SERVICE_RECORD_NOT_FOUND',
  'SERVICE_RECORD_ALREADY_EXISTS',
  'SERVICE_RECORD_NOT_PENDING',
  'SERVICE_RECORD_CLOSED',
  'CORRECTION_CHANGES_NOTHING',
  'NOT_ORGANISING_ORGANISATION',
  // Stars
  'NOT_ELIGIBLE_FOR_STAR',
  'STAR_AWARD_NOT_FLAGGED',
  'STAR_BAR_PERIOD_INVALID',
  'STAR_CERTIFICATION_BARRED',
  // Certificates
  'NO_CERTIFIABLE_SERVICE',
  'CERTIFICATE_PERIOD_INVALID',
  'CERTIFICATE_TOO_MANY_RECORDS',
  // Points
  'INSUFFICIENT_POINTS',
  'STAR_LEVEL_TOO_LOW_TO_REDEEM',
  'BALANCE_CAP_EXCEEDED',
  'NO_POINTS_TO_EXPIRE',
  'HOLD_NOT_FOUND',
  'HOLD_ALREADY_RESOLVED',
  'HOLD_EXPIRED',
  'HOLD_NOT_EXPIRED',
  'HOLD_TIMEOUT_TOO_LONG',
  'TRANSFER_TO_SELF',
  'TRANSFER_NOT_FOUND',
  // Spend consent
  'CONSENT_REQUIRED',
  'SPEND_CODE_INVALID',
  'SPEND_CODE_CAP_EXCEEDED',
  'SPEND_CODE_COLLISION',
  'MANDATE_CAP_EXCEEDED',
  'MANDATE_END_IN_PAST',
  'MANDATE_NOT_FOUND',
  // Disputes
  'DISPUTE_NOT_FOUND',
  'DISPUTE_ALREADY_RESOLVED',
  'DISPUTE_RECORD_REQUIRED',
  'DISPUTE_OUTCOME_NOT_APPLICABLE',
  // Partners and organisations
  'PARTNER_ALREADY_REGISTERED',
  'PARTNER_NOT_FOUND',
  'PARTNER_SUSPENDED',
  'PARTNER_NOT_SUSPENDED',
  'OFFER_ALREADY_PUBLISHED',
  'OFFER_NOT_FOUND',
  'OFFER_PRICE_MISMATCH',
  'OFFER_CASH_COPAY_INVALID',
  'ORGANISATION_ALREADY_REGISTERED',
  'ORGANISATION_NOT_FOUND',
  'ORGANISATION_SUSPENDED',
  'ORGANISATION_NOT_SUSPENDED',
  // The administrative hierarchy
  'AREA_ALREADY_REGISTERED',
  'AREA_NOT_FOUND',
  'AREA_PARENT_INVALID',
  'COMMUNITY_NOT_REGISTERED',
  'COMMUNITY_ALREADY_ON_STREET',
  // The donation pool's beneficiaries
  'BENEFICIARY_CATEGORY_NOT_FOUND',
  'BENEFICIARY_ALREADY_REGISTERED',
  'BENEFICIARY_NOT_FOUND',
  'BENEFICIARY_ACCOUNT_SPEND_ONLY',
  'BENEFICIARY_DATA_ERASED',
  'POOL_NOTHING_TO_ALLOCATE',
  'COORDINATOR_NOT_FOUND',
  'COORDINATOR_DATA_ERASED',
  'COORDINATOR_DETAILS_MISMATCH',
  // Social-work projects, teams and group points
  'PROJECT_ALREADY_REGISTERED',
  'PROJECT_NOT_FOUND',
  'PROJECT_ORGANISATION_MISMATCH',
  'TEAM_ALREADY_REGISTERED',
  'TEAM_NOT_FOUND',
  'TEAM_MEMBER_ALREADY_JOINED',
  'GROUP_ACTIVITY_ALREADY_CONFIRMED',
  'GROUP_ACTIVITY_OVERLAP',
  'GROUP_DONATION_ALREADY_RECORDED',
  'GROUP_POINTS_DONATION_ONLY',
  'INSUFFICIENT_GROUP_POINTS',
  // Points policy
  'POLICY_EFFECTIVE_IN_PAST',
  'POLICY_EFFECTIVE_NOT_AFTER_LATEST',
  'POLICY_VERSION_NOT_FOUND',
  'POLICY_VERSION_IN_EFFECT',
  'POLICY_VERSION_ALREADY_WITHDRAWN',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Extra facts about a rejection, safe to show to the caller (never personal data). */
export type DomainErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/**
 * A rule rejected a command; nothing was decided. Deciders return it rather than throw, so that
 * callers must handle it; `assertNever`-style programmer errors still throw plain `Error`s.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

/** Shorthand used by the deciders. */
export function reject(
  code: DomainErrorCode,
  message: string,
  details: DomainErrorDetails = {},
): DomainError {
  return new DomainError(code, message, details);
}
