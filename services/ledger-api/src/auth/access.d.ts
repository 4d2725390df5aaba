/**
 * Authentication and authorization. Every `/v1` route declares `config.access`: the roles that
 * may call it and a scope rule, which names (for the docs) and computes (for the check) the
 * scope the route's target lives in. A route without a declaration cannot be registered.
 *
 *  - onRequest: the `Authorization: Bearer <key>` header is hashed and looked up (in a registry
 *    at most API_KEY_REFRESH_MS behind the `access-keys` stream); an unknown key
 *    gets 401 UNAUTHENTICATED, a known key of the wrong role 403 FORBIDDEN — before the body is
 *    even read.
 *  - preHandler (after validation): the scope rule resolves the target's scope, possibly by
 *    loading it (a volunteer's community), and a principal outside it gets 403 FORBIDDEN.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyRegistry } from './api-keys.js';
import { type Principal, type Role, type Scope } from './principal.js';
/** How a route finds the scope of what it touches. `describe` is what docs/api.md prints. */
export interface ScopeRule {
    readonly describe: string;
    /** The target's scope, or `'any'` when every principal with the role may call it. */
    resolve(request: FastifyRequest): Promise<Scope | 'any'> | Scope | 'any';
}
export interface RouteAccess {
    /** `public` routes need no key (health, certificate verification). */
    readonly roles: readonly Role[] | 'public';
    readonly scope: ScopeRule;
}
declare module 'fastify' {
    interface FastifyContextConfig {
        access?: RouteAccess;
    }
    interface FastifyRequest {
        principal: Principal | null;
    }
}
export declare const ANY_SCOPE: ScopeRule;
/** The target's scope is named by a path parameter, e.g. `/v1/partners/:partnerId/...`. */
export declare function scopeFromParam(kind: 'community' | 'organisation' | 'partner', param: string): ScopeRule;
/** The target's scope is a field of the validated body, e.g. a registration's `communityId`. */
export declare function scopeFromBody(kind: 'community' | 'organisation' | 'partner', field: string): ScopeRule;
/** One row of the route table: what docs/api.md and the authorization matrix test enumerate. */
export interface RouteAccessEntry {
    readonly method: string;
    readonly url: string;
    readonly roles: readonly Role[] | 'public';
    readonly scope: string;
}
/**
 * Installs authentication and authorization; returns the live table of `/v1` routes and their
 * rules. `checkActive` throws when the body a key is bound to (organisation, partner) is
 * suspended or unknown, so such a key stops working without being revoked.
 */
export declare function registerAccessControl(app: FastifyInstance, keys: ApiKeyRegistry, checkActive: (principal: Principal) => Promise<void>): RouteAccessEntry[];
