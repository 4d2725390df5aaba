/** What the handlers need besides the rows: the configured rules, and where the event came from for errors. */
import { formatInstant, parseInstant, type LedgerRules } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import { ProjectionError } from '../errors.js';
import type { Row } from '../tables.js';

export interface ProjectionRules {
  /** Confirmed minutes for one, two, … stars; from `LedgerRules.starThresholdsHours`. */
  readonly starThresholdsMinutes: readonly number[];
  /** Offset of local time from UTC in minutes, for calendar months. From `LedgerRules`. */
  readonly localTimeOffsetMinutes: number;
}

export function projectionRules(rules: LedgerRules): ProjectionRules {
  if (!Number.isSafeInteger(rules.localTimeOffsetMinutes)) {
    throw new Error(`localTimeOffsetMinutes must be whole minutes, got ${rules.localTimeOffsetMinutes}`);
  }
  return Object.freeze({
    starThresholdsMinutes: Object.freeze(rules.starThresholdsHours.map((hours) => hours * 60)),
    localTimeOffsetMinutes: rules.localTimeOffsetMinutes,
  });
}

/**
 * Local months already computed, per offset, by the instant's first 16 characters (to the
 * minute): the offset is whole minutes, so seconds never move an instant across a month. Bounded
 * at 100,000 entries (a few MB), then started afresh; a replay meets the same minutes over and
 * over (services start on the hour), and parsing and formatting dominated the handlers' time.
 */
const monthCaches = new Map<number, Map<string, string>>();
const MONTH_CACHE_ENTRIES_MAX = 100_000;

/** The local calendar month (`2026-03`) an instant falls in. */
export function localMonth(instant: string, rules: ProjectionRules): string {
  const offsetMinutes = rules.localTimeOffsetMinutes;
  let cache = monthCaches.get(offsetMinutes);
  if (cache === undefined) {
    cache = new Map();
    monthCaches.set(offsetMinutes, cache);
  }
  const minute = instant.slice(0, 16);
  const cached = cache.get(minute);
  if (cached !== undefined) return cached;
  // A full parse the first time: a malformed instant fails here, as it always did.
  const month = formatInstant(parseInstant(instant) + offsetMinutes * 60_000).slice(0, 7);
  if (cache.size >= MONTH_CACHE_ENTRIES_MAX) cache.clear();
  cache.set(minute, month);
  return month;
}

export function eligibleStars(confirmedMinutes: number, rules: ProjectionRules): number {
  let stars = 0;
  for (const threshold of rules.starThresholdsMinutes) if (confirmedMinutes >= threshold) stars += 1;
  return stars;
}

/** A history that contradicts itself stops the projection loudly, naming the event. */
export function corrupt(event: EventPayload, what: string): ProjectionError {
  return new ProjectionError(
    'PROJECTION_CORRUPT_HISTORY',
    `${event.type} at ${event.streamName}@${event.revision} (position ${event.position}): ${what}`,
  );
}

/** Adds to a whole-number column in place. */
export function add(row: Row, column: string, amount: number): void {
  row[column] = (row[column] as number) + amount;
}
