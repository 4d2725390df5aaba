/** Command builders for tests. Times are relative to NOW (2026-03-10T04:00Z = 12:00 local). */
import type { CommandInput } from '../../src/index.js';
import { volunteerIdForNationalIdHash } from '../../src/index.js';
import { ADMIN, DESK, HASH, NATIONAL_ID, ORGANISER, PARTNER_USER, SYSTEM } from './scenario.js';

export const VOLUNTEER_ID = volunteerIdForNationalIdHash(HASH);
let keyCounter = 0;
const key = (prefix: string): string => `${prefix}-${++keyCounter}`;

export const register = (
  overrides: Partial<Extract<CommandInput, { type: 'RegisterVolunteer' }>> = {},
): CommandInput => ({
  type: 'RegisterVolunteer',
  idempotencyKey: key('register'),
  actor: DESK,
  name: 'Li Wei',
  nationalIdNumber: NATIONAL_ID,
  phone: '13800000000',
  community: 'Qiaoxi',
  ...overrides,
});

/** A local (UTC+8) time in March 2026 as an ISO instant; hours may be fractional. */
export function local(day: number, hour: number): string {
  return new Date(Date.UTC(2026, 2, day, 0, Math.round((hour - 8) * 60))).toISOString();
}

/** Service on local day `day` (default 9, the day before NOW) from `fromHour` to `toHour`. */
export function record(
  fromHour: number,
  toHour: number,
  overrides: Record<string, unknown> = {},
  day = 9,
): CommandInput {
  return {
    type: 'RecordServiceHours',
    idempotencyKey: key('record'),
    actor: ORGANISER,
    volunteerId: VOLUNTEER_ID,
    activity: 'Visiting elderly neighbours',
    organisationId: 'org-1',
    startAt: local(day, fromHour),
    endAt: local(day, toHour),
    ...overrides,
  };
}

export const confirm = (
  recordId: string,
  qualityGrade: 'poor' | 'standard' | 'good' | 'excellent' = 'standard',
): CommandInput => ({
  type: 'ConfirmServiceHours',
  idempotencyKey: key('confirm'),
  actor: ORGANISER,
  volunteerId: VOLUNTEER_ID,
  recordId,
  qualityGrade,
});

/** The clock's command expiring one record's lot, with the key the scheduler gives it. */
export const expirePoints = (recordId: string): CommandInput => ({
  type: 'ExpirePoints',
  idempotencyKey: `expire-points:${VOLUNTEER_ID}:${recordId}`,
  actor: SYSTEM,
  volunteerId: VOLUNTEER_ID,
  recordId,
});

export const hold = (centipoints: number, overrides: Record<string, unknown> = {}): CommandInput => ({
  type: 'HoldPoints',
  idempotencyKey: key('hold'),
  actor: PARTNER_USER,
  volunteerId: VOLUNTEER_ID,
  partnerId: 'p1',
  offerId: 'haircut',
  centipoints,
  ...overrides,
});

/** The volunteer's standing consent to partner p1 (recorded by an administrator), cap 10,000 points a month. */
export const mandate = (overrides: Record<string, unknown> = {}): CommandInput => ({
  type: 'GrantSpendMandate',
  idempotencyKey: key('mandate'),
  actor: ADMIN,
  volunteerId: VOLUNTEER_ID,
  partnerId: 'p1',
  monthlyCapCentipoints: 1_000_000,
  ...overrides,
});

export const partnerSetup: CommandInput[] = [
  {
    type: 'RegisterPartner',
    idempotencyKey: 'partner-1',
    actor: ADMIN,
    partnerId: 'p1',
    name: 'Hairdresser',
    community: 'Qiaoxi',
  },
  {
    type: 'PublishPartnerOffer',
    idempotencyKey: 'offer-1',
    actor: PARTNER_USER,
    partnerId: 'p1',
    offerId: 'haircut',
    title: 'Haircut',
    priceCentipoints: 500,
  },
];

export { ADMIN, SYSTEM };
