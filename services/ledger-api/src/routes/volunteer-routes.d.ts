/**
 * Registration desks: register volunteers, find them, read their summary and history, record
 * service the desk organised, and file star applications. Everything a desk reads or writes is
 * limited to its community. Reads are folded from the volunteer's own stream, so they always
 * include the caller's latest write (read-your-writes holds without waiting).
 */
import { z } from 'zod';
import { type LedgerRules, type VolunteerState } from '@timebank/domain';
import { type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
export declare const volunteerSummarySchema: z.ZodObject<{
    volunteerId: z.ZodString;
    volunteerNumber: z.ZodString;
    name: z.ZodString;
    nationalIdMasked: z.ZodString;
    community: z.ZodString;
    status: z.ZodEnum<{
        active: "active";
        inactive: "inactive";
    }>;
    confirmedMinutes: z.ZodNumber;
    pendingMinutes: z.ZodNumber;
    eligibleStars: z.ZodNumber;
    awardedStars: z.ZodNumber;
    effectiveStars: z.ZodNumber;
    starReviewFlag: z.ZodBoolean;
    availableCentipoints: z.ZodNumber;
    usableCentipoints: z.ZodNumber;
    heldCentipoints: z.ZodNumber;
    offeredCentipoints: z.ZodNumber;
    revision: z.ZodString;
}, z.core.$strip>;
export declare function summarise(state: VolunteerState, revision: bigint, rules: LedgerRules, nowMs: number): z.infer<typeof volunteerSummarySchema>;
export interface VolunteerRouteDependencies extends CommandRouteDependencies {
    /** Epoch milliseconds; the clock the ledger decides with. */
    readonly clock: () => number;
}
/** The volunteer routes, as an encapsulated fastify plugin. */
export declare function volunteerRoutes(app: TypedApp, context: VolunteerRouteDependencies): Promise<void>;
