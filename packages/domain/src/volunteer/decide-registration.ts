/**
 * RegisterVolunteer, DeactivateVolunteer, ErasePersonalData, ApplyForStarRating, and the
 * administrator's ResolveStarAwardReview and BarStarCertification.
 */
import { actsForVolunteer, isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { ageYearsOn, dayNumberOf, formatCalendarDate, type CalendarDate } from '../age.js';
import {
  isValidNationalId,
  maskNationalId,
  nationalIdBirthDate,
  normaliseNationalId,
} from '../national-id.js';
import { ID_PATTERN, NATIONAL_ID_HASH_PATTERN, volunteerIdForNationalIdHash } from '../streams.js';
import { formatInstant, localDayOf, MILLISECONDS_PER_DAY, parseInstant } from '../time.js';
import { awardedStarLevel, eligibleStarLevel } from './queries.js';
import type { VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;

/**
 * The volunteer id is derived from the keyed hash of the ID number, so this decision runs on
 * the one stream every registration of that person targets: a registered state here *is* the
 * duplicate, and a concurrent duplicate loses the store's `no_stream` check and, on retry,
 * lands here too.
 */
export function registerVolunteer(
  command: CommandOf<'RegisterVolunteer'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, name, phone, community } = command;
  if (actor.role !== 'registration_desk' && !isAdministrator(actor)) {
    return reject('ACTOR_NOT_PERMITTED', 'volunteers are registered at a registration desk');
  }
  const nationalId = normaliseNationalId(command.nationalIdNumber);
  if (!isValidNationalId(nationalId))
    return reject('INVALID_NATIONAL_ID', 'the ID number is malformed or its check digit is wrong');
  const birthDate = checkRegistrationAge(command, nationalId, context);
  if (birthDate instanceof Error) return birthDate;
  const { nationalIdHash, volunteerNumber } = context;
  if (nationalIdHash === undefined || !NATIONAL_ID_HASH_PATTERN.test(nationalIdHash)) {
    throw new Error('RegisterVolunteer needs context.nationalIdHash (lower-case hex keyed hash)');
  }
  if (volunteerNumber === undefined || !ID_PATTERN.test(volunteerNumber))
    throw new Error('RegisterVolunteer needs context.volunteerNumber');
  if (state.status !== 'unregistered') {
    return reject('VOLUNTEER_ALREADY_REGISTERED', 'a volunteer with this ID number is already registered', {
      volunteerNumber: state.volunteerNumber,
    });
  }
  return [
    {
      type: 'VolunteerRegistered',
      data: {
        idempotencyKey,
        volunteerId: context.volunteerId ?? volunteerIdForNationalIdHash(nationalIdHash),
        volunteerNumber,
        name,
        nationalIdHash,
        nationalIdMasked: maskNationalId(nationalId),
        phone,
        community,
        birthDate: formatCalendarDate(birthDate),
        // Only a minor's guardian is recorded: an adult's would be personal data with no purpose.
        ...(isMinor(birthDate, context) && command.guardian !== undefined
          ? {
              guardian: {
                name: command.guardian.name,
                contact: command.guardian.contact,
                consentGiven: true,
              },
            }
          : {}),
        ...(command.platformVolunteerNumber === undefined
          ? {}
          : { platformVolunteerNumber: command.platformVolunteerNumber }),
        registeredAt: context.now,
        actor,
      },
    },
  ];
}

/** The local day of the injected clock: ages count local calendar days, as birth dates are local. */
function localToday(context: DecideContext): number {
  return localDayOf(parseInstant(context.now), context.rules.localTimeOffsetMinutes);
}

function isMinor(birthDate: CalendarDate, context: DecideContext): boolean {
  return ageYearsOn(birthDate, localToday(context)) < context.rules.adultAgeYears;
}

/**
 * The birth date inside the ID number must be a real date, not after today, and old enough to
 * register; below the age of majority a guardian's consent is required. Details never carry
 * the date or the age: both are personal data.
 */
function checkRegistrationAge(
  command: CommandOf<'RegisterVolunteer'>,
  nationalId: string,
  context: DecideContext,
): CalendarDate | DomainError {
  const birthDate = nationalIdBirthDate(nationalId);
  if (birthDate === undefined)
    return reject('NATIONAL_ID_BIRTH_DATE_INVALID', 'the birth date in the ID number is not a real date', {
      reason: 'not_a_calendar_date',
    });
  const today = localToday(context);
  if (dayNumberOf(birthDate) > today)
    return reject('NATIONAL_ID_BIRTH_DATE_INVALID', 'the birth date in the ID number lies in the future', {
      reason: 'in_the_future',
    });
  const { registrationAgeYearsMin, adultAgeYears } = context.rules;
  if (ageYearsOn(birthDate, today) < registrationAgeYearsMin)
    return reject('VOLUNTEER_TOO_YOUNG', `volunteers register from the age of ${registrationAgeYearsMin}`, {
      registrationAgeYearsMin,
    });
  if (isMinor(birthDate, context) && command.guardian?.consentGiven !== true) {
    return reject(
      'GUARDIAN_CONSENT_REQUIRED',
      `a volunteer under ${adultAgeYears} registers with a guardian's recorded consent`,
      { adultAgeYears },
    );
  }
  return birthDate;
}

export function deactivateVolunteer(
  command: CommandOf<'DeactivateVolunteer'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, reason } = command;
  if (!isAdministrator(actor) && actor.role !== 'registration_desk') {
    return reject(
      'ACTOR_NOT_PERMITTED',
      'only a registration desk or an administrator deactivates volunteers',
    );
  }
  if (state.status === 'inactive') return reject('VOLUNTEER_INACTIVE', 'the volunteer is already inactive');
  return [
    {
      type: 'VolunteerDeactivated',
      data: { idempotencyKey, volunteerId, reason, deactivatedAt: context.now, actor },
    },
  ];
}

/** The reason recorded when an erasure closes a dispute still open (sealed, so it reads `[erased]` after). */
export const DISPUTE_CLOSED_BY_ERASURE = "closed: the volunteer's personal data was erased";

/**
 * Only an administrator erases, or the system when a retention period ends; the reason is one of
 * the law's, and the event names no person. Disputes still open are dismissed first, in the same
 * append: after the erasure no command can answer them (each would have to seal its reason under
 * the destroyed key), and they would stay in their organisation's queue for ever.
 */
export function erasePersonalData(
  command: CommandOf<'ErasePersonalData'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, reason } = command;
  if (!isAdministrator(actor) && actor.role !== 'system')
    return reject('ACTOR_NOT_PERMITTED', "only an administrator erases a volunteer's personal data");
  const closed: DomainEvent[] = [];
  for (const dispute of state.disputes.values()) {
    if (dispute.outcome !== null) continue;
    closed.push({
      type: 'DisputeResolved',
      data: {
        idempotencyKey,
        volunteerId,
        disputeId: dispute.disputeId,
        outcome: 'dismissed',
        reason: DISPUTE_CLOSED_BY_ERASURE,
        resolvedAt: context.now,
        actor,
      },
    });
  }
  return [
    ...closed,
    {
      type: 'PersonalDataErased',
      data: { idempotencyKey, volunteerId, reason, erasedAt: context.now, actor },
    },
  ];
}

/**
 * Stars are awarded on application, never automatically: the highest level the confirmed hours
 * allow, if it is above every level already awarded. The award takes effect after the notice
 * window.
 */
export function applyForStarRating(
  command: CommandOf<'ApplyForStarRating'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId } = command;
  if (!actsForVolunteer(actor, volunteerId))
    return reject('ACTOR_NOT_PERMITTED', 'the volunteer or a registration desk applies for stars');
  const nowMs = parseInstant(context.now);
  if (state.starBarredUntilMs !== null && nowMs < state.starBarredUntilMs) {
    return reject('STAR_CERTIFICATION_BARRED', 'star certification is barred after fraudulent hours', {
      barredUntil: formatInstant(state.starBarredUntilMs),
    });
  }
  const { rules } = context;
  const eligible = eligibleStarLevel(state.confirmedMinutes, rules);
  const awarded = awardedStarLevel(state);
  if (eligible <= awarded) {
    const nextThresholdHours = rules.starThresholdsHours[awarded] ?? null;
    return reject(
      'NOT_ELIGIBLE_FOR_STAR',
      eligible === 0 ? 'not enough confirmed hours for a star' : 'this level is already awarded',
      {
        confirmedMinutes: state.confirmedMinutes,
        eligibleLevel: eligible,
        awardedLevel: awarded,
        nextThresholdHours,
      },
    );
  }
  const applicationId = context.newId();
  const effectiveAt = formatInstant(
    parseInstant(context.now) + rules.starNoticeWindowDays * MILLISECONDS_PER_DAY,
  );
  return [
    {
      type: 'StarRatingApplied',
      data: {
        idempotencyKey,
        volunteerId,
        applicationId,
        level: eligible,
        confirmedMinutes: state.confirmedMinutes,
        appliedAt: context.now,
        actor,
      },
    },
    {
      type: 'StarRatingAwarded',
      data: {
        idempotencyKey,
        volunteerId,
        applicationId,
        level: eligible,
        awardedAt: context.now,
        effectiveAt,
      },
    },
  ];
}

/**
 * An administrator answers every award flagged for review at once. `revoke` withdraws the
 * flagged awards (the awarded and effective stars fall to the highest award left; the volunteer
 * may apply again for what the hours still allow); `keep` clears the flags.
 */
export function resolveStarAwardReview(
  command: CommandOf<'ResolveStarAwardReview'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, decision, reason } = command;
  if (!isAdministrator(actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator resolves a star award review');
  const flagged = state.awards.filter((award) => award.flaggedForReview);
  if (flagged.length === 0)
    return reject('STAR_AWARD_NOT_FLAGGED', 'no star award of this volunteer is flagged for review');
  const levels = [...new Set(flagged.map((award) => award.level))].sort((a, b) => a - b);
  const standing =
    decision === 'revoke' ? state.awards.filter((award) => !award.flaggedForReview) : state.awards;
  const awardedLevelAfter = standing.reduce((level, award) => Math.max(level, award.level), 0);
  return [
    {
      type: 'StarAwardReviewResolved',
      data: {
        idempotencyKey,
        volunteerId,
        levels,
        decision,
        reason,
        awardedLevelAfter,
        resolvedAt: context.now,
        actor,
      },
    },
  ];
}

/** Fraudulent hours can bar star certification for 1–3 years (counted as 365 and 1,096 days). */
export const STAR_BAR_DAYS_MIN = 365;
export const STAR_BAR_DAYS_MAX = 1096;

/**
 * An administrator bars star applications until `until`, 1–3 years on. Awards already made
 * stand (a flagged one is reviewed on its own). A later bar replaces an earlier one.
 */
export function barStarCertification(
  command: CommandOf<'BarStarCertification'>,
  _state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, until, reason } = command;
  if (!isAdministrator(actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator bars star certification');
  const nowMs = parseInstant(context.now);
  const untilMs = parseInstant(until);
  const days = (untilMs - nowMs) / MILLISECONDS_PER_DAY;
  if (days < STAR_BAR_DAYS_MIN || days > STAR_BAR_DAYS_MAX) {
    return reject(
      'STAR_BAR_PERIOD_INVALID',
      untilMs <= nowMs ? 'the bar must end in the future' : 'a bar lasts between one and three years',
      { minDays: STAR_BAR_DAYS_MIN, maxDays: STAR_BAR_DAYS_MAX },
    );
  }
  return [
    {
      type: 'StarCertificationBarred',
      data: {
        idempotencyKey,
        volunteerId,
        barredUntil: formatInstant(untilMs),
        reason,
        barredAt: context.now,
        actor,
      },
    },
  ];
}
