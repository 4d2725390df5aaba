/**
 * Events of the `access-keys` stream: every API key ever issued or revoked, so that the audit
 * trail shows who could do what, and since when. The API's key registry writes and folds them;
 * they live here, beside the domain's events, so that the verifier, the export and the docs
 * read the same schemas the writer uses.
 */
import { z } from 'zod';

/** The one stream that holds every API key's issue and revocation. */
export const ACCESS_KEYS_STREAM = 'access-keys';

/** Roles an API key can carry. */
export const API_KEY_ROLES = ['desk', 'organiser', 'partner', 'coordinator', 'auditor', 'admin'] as const;

/** Scope ids are the domain's ids (communities, organisations, partners): short, printable. */
const scopeIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'must be an id of letters, digits, _ . : -');

/** What a key may act on: one community, organisation or partner, or everything. */
export const apiKeyScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('community'), id: scopeIdSchema }),
  z.strictObject({ kind: z.literal('organisation'), id: scopeIdSchema }),
  z.strictObject({ kind: z.literal('partner'), id: scopeIdSchema }),
  /** A registered city, district or street and everything under it (coordinators). */
  z.strictObject({ kind: z.literal('area'), id: scopeIdSchema }),
  z.strictObject({ kind: z.literal('all') }),
]);

export const apiKeyIssuedData = z.strictObject({
  keyId: z.uuid(),
  /** sha-256 of the key, lower-case hex: the key itself is never stored. */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  role: z.enum(API_KEY_ROLES),
  scope: apiKeyScopeSchema,
  label: z.string(),
  issuedBy: z.string(),
});

export const apiKeyRevokedData = z.strictObject({
  keyId: z.uuid(),
  revokedBy: z.string(),
  reason: z.string(),
});

export const ACCESS_KEY_EVENT_DATA = {
  ApiKeyIssued: apiKeyIssuedData,
  ApiKeyRevoked: apiKeyRevokedData,
} as const;
