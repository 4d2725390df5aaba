/**
 * Stream names: one stream per consistency boundary (see docs/domain.md). Every name matches
 * the event store's pattern /^[A-Za-z][A-Za-z0-9_.:-]{0,199}$/ because ids are limited to
 * `ID_PATTERN` (at most 100 characters).
 */

/** Ids of volunteers, partners, records, holds, …: letters, digits and `_ . : -`, at most 100 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export const VOLUNTEER_STREAM_PREFIX = 'volunteer-';
export const PARTNER_STREAM_PREFIX = 'partner-';
export const ORGANISATION_STREAM_PREFIX = 'organisation-';
/** One stream per spend code, named by the code's keyed hash so the code itself is never stored. */
export const SPEND_CODE_STREAM_PREFIX = 'spend-code-';
/** The single stream of points-policy versions. */
export const POLICY_STREAM = 'policy-points';
/** The single stream of donations received into the shared pool. */
export const DONATION_POOL_STREAM = 'donation-pool';

function assertId(kind: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`invalid ${kind} id ${JSON.stringify(id)}`);
  return id;
}

export function volunteerStream(volunteerId: string): string {
  return VOLUNTEER_STREAM_PREFIX + assertId('volunteer', volunteerId);
}

export function partnerStream(partnerId: string): string {
  return PARTNER_STREAM_PREFIX + assertId('partner', partnerId);
}

export function organisationStream(organisationId: string): string {
  return ORGANISATION_STREAM_PREFIX + assertId('organisation', organisationId);
}

export function spendCodeStream(codeHash: string): string {
  if (!/^[0-9a-f]{64}$/.test(codeHash)) throw new Error('a spend code hash is 64 lower-case hex digits');
  return SPEND_CODE_STREAM_PREFIX + codeHash;
}

export const policyStream = POLICY_STREAM;
export const donationPoolStream = DONATION_POOL_STREAM;

/** Lower-case hex, at least 128 bits: the keyed hash (e.g. HMAC-SHA-256) of a national ID number. */
export const NATIONAL_ID_HASH_PATTERN = /^[0-9a-f]{32,128}$/;

/**
 * The volunteer id is derived from the keyed hash of the national ID number, so two
 * registrations of one person target the same stream and the store's `no_stream` check turns
 * the second into VOLUNTEER_ALREADY_REGISTERED, whatever the concurrency. 128 bits of the hash
 * make an accidental collision negligible; without the key the id reveals nothing.
 */
export function volunteerIdForNationalIdHash(nationalIdHash: string): string {
  if (!NATIONAL_ID_HASH_PATTERN.test(nationalIdHash))
    throw new Error('nationalIdHash must be lower-case hex of at least 32 digits');
  return 'v' + nationalIdHash.slice(0, 32);
}

/** The single stream of the city's administrative hierarchy (districts, streets, communities). */
export const HIERARCHY_STREAM = 'city-hierarchy';
export const hierarchyStream = HIERARCHY_STREAM;

/** One stream per social-work project: the project, its teams, their members and group points. */
export const PROJECT_STREAM_PREFIX = 'project-';

export function projectStream(projectId: string): string {
  return PROJECT_STREAM_PREFIX + assertId('project', projectId);
}
