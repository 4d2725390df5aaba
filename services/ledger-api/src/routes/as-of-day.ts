/**
 * The `asOf` of the statistics routes: a local calendar date, default today. Statistics of a day
 * that has not begun would only repeat today's figures under tomorrow's date, so a later date is
 * refused (`400 VALIDATION_FAILED` naming `query.asOf`). A caller whose clock runs up to
 * AS_OF_CLOCK_SKEW_MS ahead of the ledger's may already name tomorrow in the last minutes before
 * local midnight; that is accepted.
 */
import { ProblemError } from '../http/problem.js';

export const AS_OF_CLOCK_SKEW_MS = 5 * 60_000;

export interface AsOfClock {
  readonly clock: () => number;
  readonly ledger: { readonly rules: { readonly localTimeOffsetMinutes: number } };
}

const localDay = (context: AsOfClock, atMs: number): string =>
  new Date(atMs + context.ledger.rules.localTimeOffsetMinutes * 60_000).toISOString().slice(0, 10);

/** The local date to report on: `asOf` when given and not after today, else today. */
export function asOfDay(context: AsOfClock, asOf: string | undefined): string {
  const now = context.clock();
  const today = localDay(context, now);
  if (asOf === undefined) return today;
  if (asOf > localDay(context, now + AS_OF_CLOCK_SKEW_MS)) {
    throw ProblemError.http('VALIDATION_FAILED', `asOf ${asOf} is after today (${today}, local date)`, [
      { field: 'query.asOf', message: `after today (${today}, local date); statistics exist up to today` },
    ]);
  }
  return asOf;
}
