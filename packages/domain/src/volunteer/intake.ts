/**
 * Plausibility checks at intake, shared by recording and correcting: real systems are gamed,
 * so a record must be ordered, short enough, in the past, recent enough, after the volunteer
 * was old enough, and must not overlap or overfill a day with the volunteer's other live records.
 */
import { dayReachingAge } from '../age.js';
import { isAdministrator } from '../authority.js';
import { reject, type DomainError } from '../errors.js';
import type { Actor } from '../events/common.js';
import type { LedgerRules } from '../rules.js';
import {
  formatInstant,
  localDayOf,
  localDayStartMs,
  MILLISECONDS_PER_DAY,
  MILLISECONDS_PER_MINUTE,
  minutesPerLocalDay,
} from '../time.js';
import type { VolunteerState } from './state.js';

export interface ServiceInterval {
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMinutes: number;
}

/**
 * Hours are counted in whole minutes. Commands carry whole minutes only (their schemas refuse
 * seconds and milliseconds, naming the field), so this changes nothing a caller sent; it keeps the
 * arithmetic in whole minutes for any other caller of the intake checks.
 */
export function truncateToMinute(epochMilliseconds: number): number {
  return Math.floor(epochMilliseconds / MILLISECONDS_PER_MINUTE) * MILLISECONDS_PER_MINUTE;
}

const isLive = (status: string): boolean => status === 'pending' || status === 'confirmed';

/** Who dates a service how far back, and when: what the back-dating window is checked against. */
export interface BackdatingRequest {
  readonly actor: Actor;
  readonly startMs: number;
  readonly nowMs: number;
  readonly rules: LedgerRules;
}

/**
 * The back-dating window, shared by a volunteer's records and a team's group activities (both earn
 * points). Within `backdatingDaysMax` anyone who records may date a start; beyond that only an
 * administrator, never beyond `adminBackdatingDaysMax`. `beyondWindow` says that the caller must
 * then insist on the administrator's reason (`backdatingReasonRequired`).
 */
export function checkBackdatingWindow(request: BackdatingRequest): DomainError | { beyondWindow: boolean } {
  const { actor, startMs, nowMs, rules } = request;
  const beyondWindow = startMs < nowMs - rules.backdatingDaysMax * MILLISECONDS_PER_DAY;
  if (beyondWindow && !isAdministrator(actor)) {
    return reject(
      'SERVICE_TOO_OLD',
      `service older than ${rules.backdatingDaysMax} days needs an administrator`,
      {
        backdatingDaysMax: rules.backdatingDaysMax,
      },
    );
  }
  if (startMs < nowMs - rules.adminBackdatingDaysMax * MILLISECONDS_PER_DAY) {
    return reject(
      'SERVICE_BEFORE_BACKDATING_FLOOR',
      `no service may be dated more than ${rules.adminBackdatingDaysMax} days back`,
      { adminBackdatingDaysMax: rules.adminBackdatingDaysMax },
    );
  }
  return { beyondWindow };
}

export function backdatingReasonRequired(rules: LedgerRules): DomainError {
  return reject(
    'BACKDATING_REASON_REQUIRED',
    `service older than ${rules.backdatingDaysMax} days needs the administrator's reason`,
    { backdatingDaysMax: rules.backdatingDaysMax },
  );
}

/**
 * How far back a start may lie: the window above, with a reason that the event records beyond it.
 * Whoever records it, service never starts before the local day on which the volunteer reached
 * `registrationAgeYearsMin` (as far as the stream knows the birth date).
 */
function checkBackdating(check: IntakeCheck, startMs: number): DomainError | undefined {
  const { state, rules, nowMs, request } = check;
  const window = checkBackdatingWindow({ actor: request.actor, startMs, nowMs, rules });
  if (window instanceof Error) return window;
  if (state.birthDate !== null) {
    const ageDay = dayReachingAge(state.birthDate, rules.registrationAgeYearsMin);
    const ageStartMs = ageDay * MILLISECONDS_PER_DAY - rules.localTimeOffsetMinutes * MILLISECONDS_PER_MINUTE;
    // The details name the age, never the date: the date would disclose the birth date.
    if (startMs < ageStartMs) {
      return reject(
        'SERVICE_BEFORE_MINIMUM_AGE',
        `service cannot start before the volunteer was ${rules.registrationAgeYearsMin}`,
        { registrationAgeYearsMin: rules.registrationAgeYearsMin },
      );
    }
  }
  if (window.beyondWindow && request.backdatingReason === undefined) return backdatingReasonRequired(rules);
  return undefined;
}

/** What one record or correction asks for: who, the raw interval, and the override's reason if any. */
export interface IntakeRequest {
  readonly actor: Actor;
  readonly rawStartMs: number;
  readonly rawEndMs: number;
  /** The record a correction replaces: it does not overlap with its own replacement. */
  readonly replacingRecordId: string | null;
  /** Required when the start is older than `rules.backdatingDaysMax`. */
  readonly backdatingReason: string | undefined;
}

/** Everything one intake check reads: the stream's state, the rules, the clock and the request. */
export interface IntakeCheck {
  readonly state: VolunteerState;
  readonly rules: LedgerRules;
  readonly nowMs: number;
  readonly request: IntakeRequest;
}

export function checkServiceInterval(check: IntakeCheck): ServiceInterval | DomainError {
  const { state, rules, nowMs, request } = check;
  const { rawStartMs, rawEndMs, replacingRecordId } = request;
  const startMs = truncateToMinute(rawStartMs);
  const endMs = truncateToMinute(rawEndMs);
  if (rawEndMs <= rawStartMs) return reject('SERVICE_END_BEFORE_START', 'a service must end after it starts');
  const durationMinutes = (endMs - startMs) / MILLISECONDS_PER_MINUTE;
  if (durationMinutes < 1)
    return reject('SERVICE_RECORD_TOO_SHORT', 'a service record needs at least one whole minute');
  if (rawEndMs > nowMs)
    return reject('SERVICE_END_IN_FUTURE', 'a service cannot end in the future', {
      now: formatInstant(nowMs),
    });
  const backdating = checkBackdating(check, startMs);
  if (backdating !== undefined) return backdating;
  if (durationMinutes > rules.serviceRecordMinutesMax) {
    return reject(
      'SERVICE_RECORD_TOO_LONG',
      `one record may hold at most ${rules.serviceRecordMinutesMax} minutes`,
      {
        durationMinutes,
        serviceRecordMinutesMax: rules.serviceRecordMinutesMax,
      },
    );
  }
  // One pass over the records. Only records within a day of the new one can share a local day
  // with it, so only those pay for the per-day split: a long history stays cheap to check. Every
  // write runs this over the volunteer's recent records (most of them, when a desk records a day's
  // activities), so the split adds into an array by day, allocating nothing per record.
  const offset = rules.localTimeOffsetMinutes;
  const newMinutes = minutesPerLocalDay(startMs, endMs, offset);
  // The new record's local days are consecutive (the split walks day by day) and at least one.
  const firstDay = localDayOf(startMs, offset);
  const otherMinutes = new Array<number>(newMinutes.size).fill(0);
  const windowStartMs = startMs - MILLISECONDS_PER_DAY;
  const windowEndMs = endMs + MILLISECONDS_PER_DAY;
  for (const record of state.records.values()) {
    if (record.endMs <= windowStartMs || record.startMs >= windowEndMs) continue;
    if (!isLive(record.status) || record.recordId === replacingRecordId) continue;
    if (record.startMs < endMs && startMs < record.endMs) {
      return reject('SERVICE_RECORD_OVERLAP', 'the volunteer already has a record in this time', {
        recordId: record.recordId,
      });
    }
    // As minutesPerLocalDay: one slice per local day the record touches, whole minutes.
    for (let cursor = record.startMs; cursor < record.endMs;) {
      const day = localDayOf(cursor, offset);
      const sliceEnd = Math.min(localDayStartMs(day + 1, offset), record.endMs);
      const slot = day - firstDay;
      if (slot >= 0 && slot < otherMinutes.length) {
        otherMinutes[slot]! += Math.floor((sliceEnd - cursor) / MILLISECONDS_PER_MINUTE);
      }
      cursor = sliceEnd;
    }
  }
  for (const [day, minutes] of newMinutes) {
    const total = otherMinutes[day - firstDay]! + minutes;
    if (total > rules.dailyServiceMinutesMax) {
      return reject(
        'DAILY_HOURS_EXCEEDED',
        `at most ${rules.dailyServiceMinutesMax} minutes of service per day`,
        {
          localDay: day,
          totalMinutes: total,
          dailyServiceMinutesMax: rules.dailyServiceMinutesMax,
        },
      );
    }
  }
  return { startMs, endMs, durationMinutes };
}
