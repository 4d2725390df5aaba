/**
 * As-of queries: a volunteer's hours, stars and points as of a past position or instant, folded
 * from that volunteer's stream with the same handlers as the read models, in memory. "As of an
 * instant" means as the ledger knew it then: events are cut by the time the store recorded them,
 * so a record back-dated later does not change what an auditor saw at that date.
 */
import { DEFAULT_LEDGER_RULES, isInstant, volunteerStream, type LedgerRules } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import { ProjectionError } from './errors.js';
import { applyEvent, projectionRules } from './handlers/index.js';
import { toVolunteerSummary, type VolunteerSummary } from './queries.js';
import { WorkingSet } from './working-set.js';

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

/** Returns null when the volunteer was not registered as of that point. */
export async function volunteerAsOf(
  store: EventStore,
  volunteerId: string,
  asOf: AsOf,
  rules: LedgerRules = DEFAULT_LEDGER_RULES,
): Promise<VolunteerAsOf | null> {
  if (asOf.position === undefined && asOf.at === undefined) {
    throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', 'as-of needs a position or an instant');
  }
  if (asOf.at !== undefined && !isInstant(asOf.at)) {
    throw new ProjectionError(
      'PROJECTION_INVALID_ARGUMENT',
      `as-of instant ${JSON.stringify(asOf.at)} is not ISO-8601 UTC`,
    );
  }
  const atMs = asOf.at === undefined ? undefined : Date.parse(asOf.at);
  let stream: string;
  try {
    stream = volunteerStream(volunteerId);
  } catch {
    throw new ProjectionError(
      'PROJECTION_INVALID_ARGUMENT',
      `invalid volunteer id ${JSON.stringify(volunteerId)}`,
    );
  }
  const projection = projectionRules(rules);
  const ws = new WorkingSet(true);
  let position = 0n;
  let applied = 0;
  let revision = 0n;
  for (;;) {
    const page = await store.readStream(stream, { fromRevision: revision });
    if (page.length === 0) break;
    for (const event of page) {
      if (asOf.position !== undefined && event.position > asOf.position) return finish();
      if (atMs !== undefined && Date.parse(event.recordedAt) > atMs) return finish();
      applyEvent(event, ws, projection);
      position = event.position;
      applied += 1;
    }
    revision = (page.at(-1)?.revision ?? revision) + 1n;
  }
  return finish();

  function finish(): VolunteerAsOf | null {
    const row = ws.volunteers.get(volunteerId);
    return row === undefined ? null : { summary: toVolunteerSummary(row), position, eventsApplied: applied };
  }
}
