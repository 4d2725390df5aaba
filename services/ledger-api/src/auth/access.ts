/**
 * Authentication and authorization. Every `/v1` route declares `config.access`: the roles that
 * may call it and a scope rule, which names (for the docs) and computes (for the check) the
 * scope the route's target lives in. A route without a declaration cannot be registered.
 *
 *  - onRequest: the `Authorization: Bearer <key>` header is hashed and looked up (in a registry
 *    at most API_KEY_REFRESH_MS behind the `access-keys` stream; a volunteer's session token,
 *    `tbv_…`, in that volunteer's credentials stream, read on every request); an unknown key
 *    gets 401 UNAUTHENTICATED, a known key of the wrong role 403 FORBIDDEN — before the body is
 *    even read.
 *  - preHandler (after validation): the scope rule resolves the target's scope, possibly by
 *    loading it (a volunteer's community), and a principal outside it gets 403 FORBIDDEN.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../http/problem.js';
import type { ApiKeyRegistry } from './api-keys.js';
import { inScope, type Principal, type Role, type Scope } from './principal.js';
import { isVolunteerToken, type VolunteerCredentials } from './volunteer-credentials.js';

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

export const ANY_SCOPE: ScopeRule = { describe: 'any', resolve: () => 'any' };

/** The target's scope is named by a path parameter, e.g. `/v1/partners/:partnerId/...`. */
export function scopeFromParam(kind: 'community' | 'organisation' | 'partner', param: string): ScopeRule {
  return {
    describe: `${kind} named by :${param}`,
    resolve: (request) => {
      const id = (request.params as Record<string, unknown>)[param];
      if (typeof id !== 'string') throw new Error(`route declares scope param :${param} but has none`);
      return { kind, id };
    },
  };
}

/** The target's scope is a field of the validated body, e.g. a registration's `communityId`. */
export function scopeFromBody(kind: 'community' | 'organisation' | 'partner', field: string): ScopeRule {
  return {
    describe: `${kind} named by body.${field}`,
    resolve: (request) => {
      const id = (request.body as Record<string, unknown> | undefined)?.[field];
      if (typeof id !== 'string') throw new Error(`route declares scope body.${field} but the body has none`);
      return { kind, id };
    },
  };
}

/** The raw key from `Authorization: Bearer <key>`; also accepts `X-Api-Key` for simple clients. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

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
export function registerAccessControl(
  app: FastifyInstance,
  keys: ApiKeyRegistry,
  volunteers: VolunteerCredentials,
  checkActive: (principal: Principal, request: FastifyRequest) => Promise<void>,
): RouteAccessEntry[] {
  const table: RouteAccessEntry[] = [];
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith('/v1')) return;
    const access = route.config?.access;
    if (access === undefined)
      throw new Error(`route ${route.method.toString()} ${url} declares no access rule`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url, roles: access.roles, scope: access.scope.describe });
    }
  });

  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (key !== undefined && isVolunteerToken(key)) {
      request.principal = (await volunteers.authenticate(key)) ?? null;
    } else {
      // Keys issued or revoked by another process sharing the store count within API_KEY_REFRESH_MS.
      if (key !== undefined) await keys.refresh();
      request.principal = key === undefined ? null : (keys.authenticate(key) ?? null);
    }
    const access = request.routeOptions.config.access;
    if (access === undefined || access.roles === 'public') return;
    if (request.principal === null) {
      throw ProblemError.http(
        'UNAUTHENTICATED',
        key === undefined
          ? 'an API key is required (Authorization: Bearer <key>)'
          : 'unknown or revoked API key',
      );
    }
    if (!access.roles.includes(request.principal.role)) {
      throw ProblemError.http('FORBIDDEN', `role ${request.principal.role} may not call this route`);
    }
    await checkActive(request.principal, request);
  });

  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access.roles === 'public' || request.principal === null) return;
    const target = await access.scope.resolve(request);
    if (target !== 'any' && !inScope(request.principal, target)) {
      throw ProblemError.http('FORBIDDEN', 'the target is outside this API key’s scope');
    }
  });
  return table;
}
