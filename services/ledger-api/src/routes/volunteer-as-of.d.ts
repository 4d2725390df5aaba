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
import type { Ledger } from '@timebank/application';
import { type volunteerSummarySchema } from './volunteer-routes.js';
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
export declare function volunteerAsOf(context: {
    readonly ledger: Pick<Ledger, 'rules' | 'loadAsOf'>;
}, volunteerId: string, asOf: AsOf): Promise<VolunteerAsOf | null>;
export {};
