/**
 * Plausibility checks at intake, shared by recording and correcting: real systems are gamed,
 * so a record must be ordered, short enough, in the past, recent enough, and must not overlap
 * or overfill a day with the volunteer's other live records.
 */
import { isAdministrator } from '../authority.js';
import { reject, type DomainError } from '../errors.js';
import type { Actor } from '../events/common.js';
import type { LedgerRules } from '../rules.js';
import { formatInstant, MILLISECONDS_PER_DAY, MILLISECONDS_PER_MINUTE, minutesPerLocalDay } from '../time.js';
import type { VolunteerState } from './state.js';

export interface ServiceInterval {
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMinutes: number;
}

/** Hours are counted in whole minutes, so both ends are truncated to the minute. */
export function truncateToMinute(epochMilliseconds: number): number {
  return Math.floor(epochMilliseconds / MILLISECONDS_PER_MINUTE) * MILLISECONDS_PER_MINUTE;
}

const isLive = (status: string): boolean => status === 'pending' || status === 'confirmed';

export function checkServiceInterval(
  state: VolunteerState,
  rules: LedgerRules,
  nowMs: number,
  actor: Actor,
  rawStartMs: number,
  rawEndMs: number,
  replacingRecordId: string | null,
): ServiceInterval | DomainError {
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
  if (startMs < nowMs - rules.backdatingDaysMax * MILLISECONDS_PER_DAY && !isAdministrator(actor)) {
    return reject(
      'SERVICE_TOO_OLD',
      `service older than ${rules.backdatingDaysMax} days needs an administrator`,
      {
        backdatingDaysMax: rules.backdatingDaysMax,
      },
    );
  }
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
  // with it, so only those pay for the per-day split: a long history stays cheap to check.
  const offset = rules.localTimeOffsetMinutes;
  const newMinutes = minutesPerLocalDay(startMs, endMs, offset);
  const minutesByDay = new Map<number, number>();
  for (const record of state.records.values()) {
    if (!isLive(record.status) || record.recordId === replacingRecordId) continue;
    if (record.endMs <= startMs - MILLISECONDS_PER_DAY || record.startMs >= endMs + MILLISECONDS_PER_DAY)
      continue;
    if (record.startMs < endMs && startMs < record.endMs) {
      return reject('SERVICE_RECORD_OVERLAP', 'the volunteer already has a record in this time', {
        recordId: record.recordId,
      });
    }
    for (const [day, minutes] of minutesPerLocalDay(record.startMs, record.endMs, offset)) {
      if (newMinutes.has(day)) minutesByDay.set(day, (minutesByDay.get(day) ?? 0) + minutes);
    }
  }
  for (const [day, minutes] of newMinutes) {
    const total = (minutesByDay.get(day) ?? 0) + minutes;
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
