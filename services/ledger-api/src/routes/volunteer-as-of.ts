/**
 * A volunteer's summary as of a past position or instant, in the very shape of
 * `GET /v1/volunteers/:volunteerId`: the volunteer's stream folded with the domain's own evolve,
 * cut where the auditor asked, then summarised by the same `summarise`. One summary type means an
 * auditor can compare "then" with "now" key by key.
 *
 * "As of an instant" means as the ledger knew it then: events are cut by the time the store
 * recorded them, so a record back-dated later does not change what an auditor saw at that date.
 */
import type { z } from 'zod';
import { parseInstant } from '@timebank/domain';
import type { Ledger } from '@timebank/application';
import { summarise, type volunteerSummarySchema } from './volunteer-routes.js';

type VolunteerSummary = z.infer<typeof volunteerSummarySchema>;

export interface AsOf {
  /** Include events at or before this global position. */
  readonly position?: bigint;
  /** Include events the store recorded at or before this ISO-8601 UTC instant. */
  readonly at?: string;
}

export interface VolunteerAsOf {
  readonly summary: VolunteerSummary;
  /** Position of the last event included (0n when none was). */
  readonly position: bigint;
  readonly eventsApplied: number;
}

/** Null when the volunteer was not registered as of that point. */
export async function volunteerAsOf(
  context: { readonly ledger: Pick<Ledger, 'rules' | 'loadAsOf'> },
  volunteerId: string,
  asOf: AsOf,
): Promise<VolunteerAsOf | null> {
  const atMs = asOf.at === undefined ? undefined : parseInstant(asOf.at);
  const cut = {
    ...(asOf.position === undefined ? {} : { position: asOf.position }),
    ...(atMs === undefined ? {} : { recordedAtMs: atMs }),
  };
  const { state, revision, position, recordedAtMs, eventsApplied } = await context.ledger.loadAsOf(
    cut,
    'volunteer',
    volunteerId,
  );
  if (state.status === 'unregistered') return null;
  // Time-dependent figures (stars in effect after a notice window, points due to expire) are
  // taken at the instant asked for, or, for a position, when the last included event was recorded.
  const nowMs = atMs ?? recordedAtMs ?? 0;
  return {
    summary: summarise(state, revision, context.ledger.rules, nowMs),
    position,
    eventsApplied,
  };
}
