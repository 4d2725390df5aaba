/**
 * Response shapes of the routes served from the read models (packages/projections/src/queries.ts).
 * Typed here rather than passed through as records, so the OpenAPI document describes them and
 * the serializer drops any column a projection adds before the API decides to publish it.
 */
import { z } from 'zod';
import { VOLUNTEER_NUMBER_PATTERN } from '@timebank/domain';
import { instantOnTheWire } from '../http/positions.js';

/**
 * A unified volunteer number in a path, as every route that names one takes it: a mistyped one is
 * a 400 naming the parameter, never a 404 that reads as "not registered".
 */
export const volunteerNumberParamSchema = z
  .string()
  .regex(VOLUNTEER_NUMBER_PATTERN, 'must be a volunteer number: TB and 12 characters, upper case');

/** Instants the projections copy from events: ISO-8601 UTC, as the domain writes them. */
const instant = instantOnTheWire;
const centipoints = z.number().int();

export const volunteerPointsSchema = z.object({
  availableCentipoints: centipoints,
  heldCentipoints: centipoints,
  offeredCentipoints: centipoints.describe('Earned above the balance cap, offered for donation'),
  lifetimeEarnedCentipoints: centipoints,
  reversedCentipoints: centipoints,
  spentCentipoints: centipoints.describe('Captured by partners'),
  donatedCentipoints: centipoints,
  expiredCentipoints: centipoints,
  transferredOutCentipoints: centipoints.describe('Sent to other volunteers, net of refunds'),
  transferredInCentipoints: centipoints,
});

/** A row of the volunteer read model: `GET /v1/volunteers/by-number/:volunteerNumber`. */
export const volunteerRowSchema = z.object({
  volunteerId: z.string(),
  volunteerNumber: z.string(),
  community: z.string(),
  status: z.string().describe('active or inactive'),
  registeredAt: instant,
  confirmedMinutes: z.number().int(),
  pendingMinutes: z.number().int(),
  eligibleStars: z.number().int(),
  awardedStars: z.number().int(),
  starAwardUnderReview: z
    .boolean()
    .describe('An awarded star whose hours later dropped below its threshold, pending review'),
  points: volunteerPointsSchema,
});

export const holdRowSchema = z.object({
  volunteerId: z.string(),
  holdId: z.string(),
  offerId: z.string().nullable(),
  centipoints,
  heldAt: instant,
  expiresAt: instant.nullable(),
  status: z.string().describe('pending, captured, released or expired'),
  resolvedAt: instant.nullable(),
  cashCopayFen: z.number().int().describe('低偿: cash co-payment in fen recorded with the hold; 0 when none'),
});

/** A service record as an organiser's queue lists it (no personal data: the volunteer by id). */
export const serviceRecordRowSchema = z.object({
  volunteerId: z.string(),
  volunteerNumber: z
    .string()
    .nullable()
    .describe(
      'The number the desk issued (TB…), which organisers know the volunteer by; null if not yet read',
    ),
  recordId: z.string(),
  activity: z.string(),
  startAt: instant,
  endAt: instant,
  durationMinutes: z.number().int(),
  status: z.string().describe('pending, confirmed, rejected, corrected (replaced) or voided'),
});

export const settlementRowSchema = z.object({
  period: z.string().describe('Local month, YYYY-MM'),
  heldCount: z.number().int(),
  heldCentipoints: centipoints,
  capturedCount: z.number().int(),
  capturedCentipoints: centipoints.describe('What the city settles with the partner for this period'),
  releasedCount: z.number().int(),
  releasedCentipoints: centipoints,
  expiredCount: z.number().int(),
  expiredCentipoints: centipoints,
  capturedCashFen: z
    .number()
    .int()
    .describe('Cash co-payments (低偿) the partner collected with the captures of this period, in fen'),
});

export const communityStatisticsSchema = z.object({
  registeredVolunteers: z.number().int(),
  activeVolunteers: z.number().int().describe('With confirmed service ending at or after activeSince'),
  activeSince: instant,
  hoursPerMonth: z.array(
    z.object({ month: z.string().describe('Local month, YYYY-MM'), confirmedMinutes: z.number().int() }),
  ),
  starDistribution: z
    .record(z.string().regex(/^[0-5]$/), z.number().int())
    .describe('Volunteers per awarded star level (0 = none)'),
});
