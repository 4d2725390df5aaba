/**
 * Who is calling: an API key's role and the scope it is bound to. Every route declares which
 * roles may call it and what scope the target must be in (see `access.ts`).
 */
import type { z } from 'zod';
/** Roles and scopes are stored in `ApiKeyIssued` events, so their schemas are the event catalogue's. */
export declare const ROLES: readonly ["desk", "organiser", "partner", "auditor", "admin"];
export type Role = (typeof ROLES)[number];
export declare const scopeSchema: z.ZodDiscriminatedUnion<[z.ZodObject<{
    kind: z.ZodLiteral<"community">;
    id: z.ZodString;
}, z.core.$strict>, z.ZodObject<{
    kind: z.ZodLiteral<"organisation">;
    id: z.ZodString;
}, z.core.$strict>, z.ZodObject<{
    kind: z.ZodLiteral<"partner">;
    id: z.ZodString;
}, z.core.$strict>, z.ZodObject<{
    kind: z.ZodLiteral<"all">;
}, z.core.$strict>], "kind">;
export type Scope = z.infer<typeof scopeSchema>;
/** The scope kind each role must be bound to: a desk serves one community, and so on. */
export declare const SCOPE_KIND_OF_ROLE: Readonly<Record<Role, Scope['kind']>>;
export interface Principal {
    readonly keyId: string;
    readonly role: Role;
    readonly scope: Scope;
    readonly label: string;
}
/** The actor recorded in events' metadata: role and key id, never the key itself. */
export declare function actorOf(principal: Principal): string;
/** True when `principal` may act on something that lives in `target`. */
export declare function inScope(principal: Principal, target: Scope): boolean;
