/**
 * Instants without `Date`: the domain is pure, so the clock arrives as an ISO-8601 UTC string
 * and all arithmetic happens on integer epoch milliseconds. Parsing is strict (only `Z`, no
 * offsets) so that one instant has one spelling in events.
 */

export const MILLISECONDS_PER_MINUTE = 60_000;
export const MILLISECONDS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). Day and month may overflow: (2027, 2, 29) is 2027-03-01. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

export function daysInMonth(year: number, month: number): number {
  return (
    daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) -
    daysFromCivil(year, month, 1)
  );
}

/** True when `text` is a valid ISO-8601 UTC instant such as `2026-03-01T08:30:00Z`. */
export function isInstant(text: string): boolean {
  return tryParseInstant(text) !== undefined;
}

/**
 * The decimal value of `length` ASCII digits of `text` from `start`, or -1 if any is not a digit.
 * Parsing by character codes allocates nothing: every write parses three instants.
 */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The one spelling of an instant, `/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/`, as epoch
 * milliseconds; undefined for anything else, or for a date or time that does not exist.
 */
function tryParseInstant(text: string): number | undefined {
  const length = text.length;
  if (length < 20 || length === 21 || length > 24) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':')
    return undefined;
  if (text[length - 1] !== 'Z') return undefined;
  let fraction = 0;
  if (length > 20) {
    if (text[19] !== '.') return undefined;
    const digits = length - 21;
    fraction = digitsAt(text, 20, digits);
    if (fraction < 0) return undefined;
    // `.5` is 500 ms, `.05` 50 ms.
    fraction *= digits === 1 ? 100 : digits === 2 ? 10 : 1;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return (
    daysFromCivil(year, month, day) * MILLISECONDS_PER_DAY +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    fraction
  );
}

/** Epoch milliseconds of an ISO-8601 UTC instant. A malformed instant is a programmer error here: schemas validate input first. */
export function parseInstant(text: string): number {
  const milliseconds = tryParseInstant(text);
  if (milliseconds === undefined) throw new Error(`not an ISO-8601 UTC instant: ${JSON.stringify(text)}`);
  return milliseconds;
}

/** Formats epoch milliseconds as `YYYY-MM-DDTHH:mm:ss.sssZ`. */
export function formatInstant(epochMilliseconds: number): string {
  if (!Number.isSafeInteger(epochMilliseconds))
    throw new Error(`not an integer instant: ${epochMilliseconds}`);
  const days = Math.floor(epochMilliseconds / MILLISECONDS_PER_DAY);
  const rest = epochMilliseconds - days * MILLISECONDS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  const two = (value: number): string => String(value).padStart(2, '0');
  const hours = Math.floor(rest / 3_600_000);
  const minutes = Math.floor((rest % 3_600_000) / 60_000);
  const seconds = Math.floor((rest % 60_000) / 1000);
  const milliseconds = rest % 1000;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${String(milliseconds).padStart(3, '0')}Z`;
}

/**
 * The local calendar day (as days since the epoch) that an instant falls on, for a zone that is
 * `offsetMinutes` east of UTC. Daily caps count local days, not UTC days.
 */
export function localDayOf(epochMilliseconds: number, offsetMinutes: number): number {
  return Math.floor((epochMilliseconds + offsetMinutes * MILLISECONDS_PER_MINUTE) / MILLISECONDS_PER_DAY);
}

/**
 * The first instant of the local calendar month containing an instant, for a zone that is
 * `offsetMinutes` east of UTC (UTC+8 by default: Asia/Shanghai keeps no daylight saving time).
 * Monthly caps count local months, not UTC months.
 */
export function localMonthStartMs(epochMilliseconds: number, offsetMinutes: number): number {
  const [year, month] = civilFromDays(localDayOf(epochMilliseconds, offsetMinutes));
  return daysFromCivil(year, month, 1) * MILLISECONDS_PER_DAY - offsetMinutes * MILLISECONDS_PER_MINUTE;
}

/** The first instant of a local day (days since the epoch), `offsetMinutes` east of UTC. */
export function localDayStartMs(day: number, offsetMinutes: number): number {
  return day * MILLISECONDS_PER_DAY - offsetMinutes * MILLISECONDS_PER_MINUTE;
}

/** Splits [start, end) into whole minutes per local day: a record across midnight counts on both days. */
export function minutesPerLocalDay(
  startMs: number,
  endMs: number,
  offsetMinutes: number,
): Map<number, number> {
  const result = new Map<number, number>();
  let cursor = startMs;
  while (cursor < endMs) {
    const day = localDayOf(cursor, offsetMinutes);
    const dayEnd = (day + 1) * MILLISECONDS_PER_DAY - offsetMinutes * MILLISECONDS_PER_MINUTE;
    const sliceEnd = Math.min(dayEnd, endMs);
    result.set(day, (result.get(day) ?? 0) + (sliceEnd - cursor) / MILLISECONDS_PER_MINUTE);
    cursor = sliceEnd;
  }
  for (const [day, minutes] of result) result.set(day, Math.floor(minutes));
  return result;
}
