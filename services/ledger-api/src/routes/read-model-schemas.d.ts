/**
 * Response shapes of the routes served from the read models (packages/projections/src/queries.ts).
 * Typed here rather than passed through as records, so the OpenAPI document describes them and
 * the serializer drops any column a projection adds before the API decides to publish it.
 */
import { z } from 'zod';
export declare const volunteerPointsSchema: z.ZodObject<{
    availableCentipoints: z.ZodNumber;
    heldCentipoints: z.ZodNumber;
    offeredCentipoints: z.ZodNumber;
    lifetimeEarnedCentipoints: z.ZodNumber;
    reversedCentipoints: z.ZodNumber;
    spentCentipoints: z.ZodNumber;
    donatedCentipoints: z.ZodNumber;
    expiredCentipoints: z.ZodNumber;
    transferredOutCentipoints: z.ZodNumber;
    transferredInCentipoints: z.ZodNumber;
}, z.core.$strip>;
/** A row of the volunteer read model: `GET /v1/volunteers/by-number/:volunteerNumber`. */
export declare const volunteerRowSchema: z.ZodObject<{
    volunteerId: z.ZodString;
    volunteerNumber: z.ZodString;
    community: z.ZodString;
    status: z.ZodString;
    registeredAt: z.ZodISODateTime;
    confirmedMinutes: z.ZodNumber;
    pendingMinutes: z.ZodNumber;
    eligibleStars: z.ZodNumber;
    awardedStars: z.ZodNumber;
    starAwardUnderReview: z.ZodBoolean;
    points: z.ZodObject<{
        availableCentipoints: z.ZodNumber;
        heldCentipoints: z.ZodNumber;
        offeredCentipoints: z.ZodNumber;
        lifetimeEarnedCentipoints: z.ZodNumber;
        reversedCentipoints: z.ZodNumber;
        spentCentipoints: z.ZodNumber;
        donatedCentipoints: z.ZodNumber;
        expiredCentipoints: z.ZodNumber;
        transferredOutCentipoints: z.ZodNumber;
        transferredInCentipoints: z.ZodNumber;
    }, z.core.$strip>;
}, z.core.$strip>;
export declare const holdRowSchema: z.ZodObject<{
    volunteerId: z.ZodString;
    holdId: z.ZodString;
    offerId: z.ZodNullable<z.ZodString>;
    centipoints: z.ZodNumber;
    heldAt: z.ZodISODateTime;
    expiresAt: z.ZodNullable<z.ZodISODateTime>;
    status: z.ZodString;
    resolvedAt: z.ZodNullable<z.ZodISODateTime>;
}, z.core.$strip>;
export declare const settlementRowSchema: z.ZodObject<{
    period: z.ZodString;
    heldCount: z.ZodNumber;
    heldCentipoints: z.ZodNumber;
    capturedCount: z.ZodNumber;
    capturedCentipoints: z.ZodNumber;
    releasedCount: z.ZodNumber;
    releasedCentipoints: z.ZodNumber;
    expiredCount: z.ZodNumber;
    expiredCentipoints: z.ZodNumber;
}, z.core.$strip>;
export declare const communityStatisticsSchema: z.ZodObject<{
    registeredVolunteers: z.ZodNumber;
    activeVolunteers: z.ZodNumber;
    activeSince: z.ZodISODateTime;
    hoursPerMonth: z.ZodArray<z.ZodObject<{
        month: z.ZodString;
        confirmedMinutes: z.ZodNumber;
    }, z.core.$strip>>;
    starDistribution: z.ZodRecord<z.ZodString, z.ZodNumber>;
}, z.core.$strip>;
