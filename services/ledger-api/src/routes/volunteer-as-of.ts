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
import {
  applyVolunteerEvent,
  parseInstant,
  volunteerDecider,
  volunteerStream,
  type DomainEvent,
} from '@timebank/domain';
import type { Ledger } from '@timebank/application';
import type { StoreReader } from './store-reader.js';
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

/** Events read per page of the volunteer's stream. */
const PAGE_EVENTS = 500;

/** Null when the volunteer was not registered as of that point. */
export async function volunteerAsOf(
  context: { readonly store: StoreReader; readonly ledger: Pick<Ledger, 'rules'> },
  volunteerId: string,
  asOf: AsOf,
): Promise<VolunteerAsOf | null> {
  const atMs = asOf.at === undefined ? undefined : parseInstant(asOf.at);
  const state = volunteerDecider.initialState();
  let position = 0n;
  let revision = -1n;
  let lastRecordedMs: number | undefined;
  let applied = 0;
  let reachedCut = false;
  while (!reachedCut) {
    const page = await context.store.readStream(volunteerStream(volunteerId), {
      fromRevision: revision + 1n,
      maxCount: PAGE_EVENTS,
    });
    for (const event of page) {
      const recordedMs = Date.parse(event.recordedAt);
      if (asOf.position !== undefined && event.position > asOf.position) reachedCut = true;
      if (atMs !== undefined && recordedMs > atMs) reachedCut = true;
      if (reachedCut) break;
      applyVolunteerEvent(state, { type: event.type, data: event.data } as DomainEvent);
      position = event.position;
      revision = event.revision;
      lastRecordedMs = recordedMs;
      applied += 1;
    }
    if (page.length < PAGE_EVENTS) break;
  }
  if (state.status === 'unregistered') return null;
  // Time-dependent figures (stars in effect after a notice window, points due to expire) are
  // taken at the instant asked for, or, for a position, when the last included event was recorded.
  const nowMs = atMs ?? lastRecordedMs ?? 0;
  return {
    summary: summarise(state, revision, context.ledger.rules, nowMs),
    position,
    eventsApplied: applied,
  };
}
