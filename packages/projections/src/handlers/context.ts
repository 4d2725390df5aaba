/** What the handlers need besides the rows: the configured rules, and where the event came from for errors. */
import { formatInstant, parseInstant, type LedgerRules } from '@timebank/domain';
import type { RecordedEvent } from '@timebank/event-store';
import { ProjectionError } from '../errors.js';
import type { Row } from '../tables.js';

export interface ProjectionRules {
  /** Confirmed minutes for one, two, … stars; from `LedgerRules.starThresholdsHours`. */
  readonly starThresholdsMinutes: readonly number[];
  /** Offset of local time from UTC in minutes, for calendar months. From `LedgerRules`. */
  readonly localTimeOffsetMinutes: number;
}

export function projectionRules(rules: LedgerRules): ProjectionRules {
  return Object.freeze({
    starThresholdsMinutes: Object.freeze(rules.starThresholdsHours.map((hours) => hours * 60)),
    localTimeOffsetMinutes: rules.localTimeOffsetMinutes,
  });
}

/** The local calendar month (`2026-03`) an instant falls in. */
export function localMonth(instant: string, rules: ProjectionRules): string {
  return formatInstant(parseInstant(instant) + rules.localTimeOffsetMinutes * 60_000).slice(0, 7);
}

export function eligibleStars(confirmedMinutes: number, rules: ProjectionRules): number {
  let stars = 0;
  for (const threshold of rules.starThresholdsMinutes) if (confirmedMinutes >= threshold) stars += 1;
  return stars;
}

/** A history that contradicts itself stops the projection loudly, naming the event. */
export function corrupt(event: RecordedEvent, what: string): ProjectionError {
  return new ProjectionError(
    'PROJECTION_CORRUPT_HISTORY',
    `${event.type} at ${event.streamName}@${event.revision} (position ${event.position}): ${what}`,
  );
}

/** Adds to a whole-number column in place. */
export function add(row: Row, column: string, amount: number): void {
  row[column] = (row[column] as number) + amount;
}
