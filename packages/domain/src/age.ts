/**
 * Calendar dates and ages in whole years (周岁), without `Date`. A birth date is a local
 * calendar date, so ages are counted against the local day of the injected clock
 * (`rules.localTimeOffsetMinutes`), never against the UTC day.
 */
import { daysFromCivil, daysInMonth } from './time.js';

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const CALENDAR_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real proleptic Gregorian date, or undefined for month 13, 30 February and the like. */
export function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  if (!Number.isSafeInteger(year) || month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** Parses `YYYY-MM-DD`; undefined unless it names a real date. */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = CALENDAR_DATE_PATTERN.exec(text);
  if (match === null) return undefined;
  return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

export const isCalendarDate = (text: string): boolean => parseCalendarDate(text) !== undefined;

export function formatCalendarDate(date: CalendarDate): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${String(date.year).padStart(4, '0')}-${two(date.month)}-${two(date.day)}`;
}

/** Days since 1970-01-01 of a calendar date: comparable with `localDayOf`. */
export const dayNumberOf = (date: CalendarDate): number => daysFromCivil(date.year, date.month, date.day);

/**
 * The day (days since 1970-01-01) on which someone born on `birth` turns `years`: the birthday
 * itself. Someone born on 29 February turns a year older on 1 March in common years, because
 * the day number overflows into March.
 */
export function dayReachingAge(birth: CalendarDate, years: number): number {
  return daysFromCivil(birth.year + years, birth.month, 1) + birth.day - 1;
}

/** Age in whole years on the day `dayNumber` (days since 1970-01-01); negative before birth. */
export function ageYearsOn(birth: CalendarDate, dayNumber: number): number {
  const candidate = yearOfDay(dayNumber) - birth.year;
  return dayReachingAge(birth, candidate) <= dayNumber ? candidate : candidate - 1;
}

function yearOfDay(dayNumber: number): number {
  // An estimate from the mean Gregorian year, then a step or two to the exact year.
  let year = 1970 + Math.floor(dayNumber / 365.2425);
  while (daysFromCivil(year, 1, 1) > dayNumber) year -= 1;
  while (daysFromCivil(year + 1, 1, 1) <= dayNumber) year += 1;
  return year;
}
