/**
 * Events of a volunteer's credentials stream: the activation codes a desk issued, the
 * passphrase the volunteer set with one, failed sign-ins (for the lockout) and sessions. Only
 * hashes are stored: an activation code and a session token are random, so their sha-256 is
 * enough; a passphrase is chosen by a person, so it is stored as a salted scrypt hash. The API's
 * credential store writes and folds them; they live here so the verifier and the docs read the
 * same schemas.
 */
import { z } from 'zod';
import { instantSchema } from './common.js';

/**
 * One stream per volunteer, named by the volunteer number (what the volunteer types to sign in),
 * so a sign-in reads one stream and needs no index. Not `volunteer-…`: that prefix is the
 * volunteer's own stream.
 */
export const VOLUNTEER_CREDENTIALS_STREAM_PREFIX = 'credentials-';

/** `TB` and twelve Crockford base-32 characters (`packages/application/src/volunteer-number.ts`). */
export const VOLUNTEER_NUMBER_PATTERN = /^TB[0-9A-HJKMNP-TV-Z]{12}$/;

export function volunteerCredentialsStream(volunteerNumber: string): string {
  if (!VOLUNTEER_NUMBER_PATTERN.test(volunteerNumber))
    throw new Error(`invalid volunteer number ${JSON.stringify(volunteerNumber)}`);
  return VOLUNTEER_CREDENTIALS_STREAM_PREFIX + volunteerNumber;
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const volunteerIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/);

/**
 * `scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<hash, base64url>`: the parameters travel with the
 * hash, so raising the cost later leaves older hashes verifiable.
 */
export const PASSPHRASE_HASH_PATTERN =
  /^scrypt\$\d{1,2}\$\d{1,2}\$\d{1,2}\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/;

export const volunteerActivationCodeIssuedData = z.strictObject({
  volunteerId: volunteerIdSchema,
  codeHash: sha256Hex,
  expiresAt: instantSchema,
  issuedBy: z.string(),
});

export const volunteerPassphraseSetData = z.strictObject({
  volunteerId: volunteerIdSchema,
  /** The activation code used, now spent; every session started before this is ended by it. */
  codeHash: sha256Hex,
  passphraseHash: z.string().regex(PASSPHRASE_HASH_PATTERN),
});

export const volunteerSignInFailedData = z.strictObject({
  volunteerId: volunteerIdSchema,
  /** What was wrong: the passphrase, or an activation code (unknown, used or expired). */
  reason: z.enum(['passphrase', 'activation_code']),
  failedAt: instantSchema,
});

export const volunteerSessionStartedData = z.strictObject({
  volunteerId: volunteerIdSchema,
  sessionId: z.uuid(),
  tokenHash: sha256Hex,
  expiresAt: instantSchema,
});

export const volunteerSessionEndedData = z.strictObject({
  volunteerId: volunteerIdSchema,
  sessionId: z.uuid(),
  reason: z.enum(['signed_out']),
});

export const VOLUNTEER_CREDENTIAL_EVENT_DATA = {
  VolunteerActivationCodeIssued: volunteerActivationCodeIssuedData,
  VolunteerPassphraseSet: volunteerPassphraseSetData,
  VolunteerSignInFailed: volunteerSignInFailedData,
  VolunteerSessionStarted: volunteerSessionStartedData,
  VolunteerSessionEnded: volunteerSessionEndedData,
} as const;

export type VolunteerCredentialEventType = keyof typeof VOLUNTEER_CREDENTIAL_EVENT_DATA;
