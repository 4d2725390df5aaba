/**
 * Double-entry account names. Every points movement moves `centipoints` from one account to
 * another, so the sum over all accounts is zero after every event.
 *
 * - `issuance`: the city's issuing account; it goes negative by everything ever earned.
 * - `volunteer:<id>`: what a volunteer holds and may spend (available points).
 * - `held:<volunteerId>`: points a partner holds, pending capture or release.
 * - `offered:<volunteerId>`: earnings above the balance cap, offered for donation, not lost.
 * - `partner:<id>`: what partners captured; the city settles this with each partner.
 * - `in-transit`: transfers and donations debited from the sender, not yet credited.
 * - `donation-pool`: donated points, for the elderly living alone or in hardship first.
 * - `expired`: points that expired under the policy's expiry rule.
 * - `group:<projectId>:<teamId>`: a team's group points, earned by group activities; donation is
 *   their only outflow.
 */
export const ISSUANCE_ACCOUNT = 'issuance';
export const IN_TRANSIT_ACCOUNT = 'in-transit';
export const DONATION_POOL_ACCOUNT = 'donation-pool';
export const EXPIRED_ACCOUNT = 'expired';

export const volunteerAccount = (volunteerId: string): string => `volunteer:${volunteerId}`;
export const heldAccount = (volunteerId: string): string => `held:${volunteerId}`;
export const offeredAccount = (volunteerId: string): string => `offered:${volunteerId}`;
export const groupAccount = (projectId: string, teamId: string): string => `group:${projectId}:${teamId}`;
export const partnerAccount = (partnerId: string): string => `partner:${partnerId}`;

/** Account names as they appear in events. */
export const ACCOUNT_PATTERN =
  /^(issuance|in-transit|donation-pool|expired|(volunteer|held|offered|partner|group):[A-Za-z0-9][A-Za-z0-9_.:-]{0,99})$/;
