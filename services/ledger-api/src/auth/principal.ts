/**
 * Who is calling: an API key's role and the scope it is bound to, or a signed-in volunteer
 * (role `volunteer`, scoped to their own volunteer id). Every route declares which
 * roles may call it and what scope the target must be in (see `access.ts`).
 */
import type { z } from 'zod';
import { API_KEY_ROLES, apiKeyScopeSchema } from '@timebank/domain';

/** Roles and scopes are stored in `ApiKeyIssued` events, so their schemas are the event catalogue's. */
export const ROLES = API_KEY_ROLES;
export type ApiKeyRole = (typeof ROLES)[number];
/** A volunteer is never an API key: they sign in with a passphrase and hold a session token. */
export type Role = ApiKeyRole | 'volunteer';
/** Every role, in the order docs list them. */
export const ALL_ROLES: readonly Role[] = Object.freeze([...ROLES, 'volunteer']);

export const scopeSchema = apiKeyScopeSchema;
export type ApiKeyScope = z.infer<typeof scopeSchema>;
export type Scope = ApiKeyScope | { readonly kind: 'volunteer'; readonly id: string };

/** The scope kind each API key role must be bound to: a desk serves one community, and so on. */
export const SCOPE_KIND_OF_ROLE: Readonly<Record<ApiKeyRole, ApiKeyScope['kind']>> = Object.freeze({
  desk: 'community',
  organiser: 'organisation',
  partner: 'partner',
  coordinator: 'area',
  auditor: 'all',
  admin: 'all',
});

export interface Principal {
  /** The API key's id, or a volunteer session's id. */
  readonly keyId: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly label: string;
}

/** The actor recorded in events' metadata: role and key id, never the key itself. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.keyId}`;
}

/** True when `principal` may act on something that lives in `target`. */
export function inScope(principal: Principal, target: Scope): boolean {
  if (principal.scope.kind === 'all') return true;
  if (target.kind === 'all') return false;
  return principal.scope.kind === target.kind && principal.scope.id === target.id;
}
