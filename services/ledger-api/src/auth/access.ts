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
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiter } from '../http/rate-limit.js';
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

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** The usual form of the header, `Bearer <key>` with one space: its key is the rest, no match needed. */
const PLAIN_BEARER = /^Bearer \S+$/;

/**
 * The raw key from `Authorization: Bearer <key>`; also accepts `X-Api-Key` for simple clients.
 * Both headers naming different keys is refused (401 UNAUTHENTICATED): a request would otherwise
 * act as whichever header happened to win, not as the key its sender meant; the same key in both
 * passes. So are two Authorization headers that differ (Node would keep the first silently).
 */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (typeof header === 'string') {
    // Node keeps the first of repeated Authorization headers and drops the others unread.
    if (repeatedAuthorization(request.raw?.rawHeaders, header)) {
      throw ProblemError.http(
        'UNAUTHENTICATED',
        'the request has two Authorization headers that differ; send the key in one of them',
      );
    }
    // A test allocates no match (issue #15); any other spelling goes through the full pattern.
    const key = PLAIN_BEARER.test(header) ? header.slice(7) : BEARER.exec(header)?.[1];
    if (apiKey !== undefined && key !== undefined && apiKey !== key) {
      throw ProblemError.http(
        'UNAUTHENTICATED',
        'Authorization and X-Api-Key name different keys; send the key in one of them',
      );
    }
    return key;
  }
  return typeof apiKey === 'string' ? apiKey : undefined;
}

/** Whether the raw headers hold an Authorization header other than `kept`, the one Node kept. */
function repeatedAuthorization(rawHeaders: readonly string[] | undefined, kept: string): boolean {
  if (rawHeaders === undefined) return false;
  let seen = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    seen += 1;
    if (seen > 1 && rawHeaders[index + 1]!.trim() !== kept.trim()) return true;
  }
  return false;
}

/**
 * `presentedKey` for a route: on a public route a key only says who calls (it is never required),
 * so headers naming different keys read as no key there, and the route answers as it would
 * without one.
 */
function keyOnRoute(request: FastifyRequest, access: RouteAccess | undefined): string | undefined {
  if (access !== undefined && access.roles !== 'public') return presentedKey(request);
  try {
    return presentedKey(request);
  } catch {
    return undefined;
  }
}

/** One row of the route table: what docs/api.md and the authorization matrix test enumerate. */
export interface RouteAccessEntry {
  readonly method: string;
  readonly url: string;
  readonly roles: readonly Role[] | 'public';
  readonly scope: string;
}

/** The checks of the HTTP layer that run inside the access hooks, in their order (below). */
export interface RouteChecks {
  /** The route's rate limiter, or null when it is not limited; asked once per route. */
  readonly limiterOf: (config: FastifyContextConfig | undefined) => RateLimiter | null;
  /** After validation, before the scope rule (`minPosition` beyond the head); a promise only when it waits. */
  readonly beforeScope: (request: FastifyRequest) => Promise<void> | undefined;
}

type Done = (error?: Error) => void;
type Hook = (request: FastifyRequest, reply: FastifyReply, done: Done) => void;
type Step = (request: FastifyRequest) => Promise<void> | undefined;

/**
 * A hook that runs `step`, then `then`; a throw or a rejection goes to `done`. A step returns a
 * promise only when it had to wait, so a request that waits for nothing makes no promise and no
 * closure here: on a cached read, the access hooks allocate nothing of their own (issue #15).
 */
function chain(step: Step, then: Hook): Hook {
  return (request, reply, done) => {
    let waiting: Promise<void> | undefined;
    try {
      waiting = step(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (waiting === undefined) then(request, reply, done);
    else waiting.then(() => then(request, reply, done), done);
  };
}

const finish: Hook = (_request, _reply, done) => done();

/**
 * A request refused as unauthenticated (no key, an unknown or revoked key or session token) still
 * counts against its client address's budget, so that guessing keys or tokens is limited like any
 * other call without a valid key; past the budget the answer is 429 instead of 401.
 */
function countingRefusals(hook: Hook, limiter: RateLimiter | null): Hook {
  if (limiter === null) return hook;
  return (request, reply, done) => {
    hook(request, reply, (error) => {
      if (error instanceof ProblemError && error.code === 'UNAUTHENTICATED') {
        try {
          limiter.check(request, reply);
        } catch (limited) {
          done(limited as Error);
          return;
        }
      }
      done(error);
    });
  };
}

function assertInScope(principal: Principal, target: Scope | 'any'): void {
  if (target !== 'any' && !inScope(principal, target)) {
    throw ProblemError.http('FORBIDDEN', 'the target is outside this API key’s scope');
  }
}

/** Who may call a route: its access rule applied to a request. */
interface PrincipalChecks {
  /** Who is calling (401), whether their role may call the route (403), whether their key's body is active (403). */
  authenticate(request: FastifyRequest, access: RouteAccess | undefined): Promise<void> | undefined;
  /** After validation: whether the route's target is in the principal's scope (403). */
  authorize(request: FastifyRequest, access: RouteAccess | undefined): Promise<void> | undefined;
}

function principalChecks(dependencies: AccessDependencies): PrincipalChecks {
  const { keys, volunteers, checkActive } = dependencies;

  /** Role and active checks, once the principal is known. */
  const admit = (request: FastifyRequest, key: string | undefined, access: RouteAccess | undefined) => {
    if (access === undefined || access.roles === 'public') return undefined;
    const principal = request.principal;
    if (principal === null) {
      throw ProblemError.http(
        'UNAUTHENTICATED',
        key === undefined
          ? 'an API key is required (Authorization: Bearer <key>)'
          : key.startsWith('tbv_')
            ? 'unknown, expired or ended volunteer session: sign in again'
            : 'unknown or revoked API key',
      );
    }
    if (!access.roles.includes(principal.role)) {
      throw ProblemError.http('FORBIDDEN', `role ${principal.role} may not call this route`);
    }
    return checkActive(principal, request);
  };

  return {
    authenticate(request, access) {
      const key = keyOnRoute(request, access);
      if (key === undefined) {
        request.principal = null;
        return admit(request, key, access);
      }
      if (isVolunteerToken(key)) {
        return volunteers.authenticate(key).then((principal) => {
          request.principal = principal ?? null;
          return admit(request, key, access);
        });
      }
      // Keys issued or revoked by another process sharing the store count within API_KEY_REFRESH_MS.
      if (keys.refreshDue) {
        return keys.refresh().then(() => {
          request.principal = keys.authenticate(key) ?? null;
          return admit(request, key, access);
        });
      }
      request.principal = keys.authenticate(key) ?? null;
      return admit(request, key, access);
    },

    authorize(request, access) {
      if (access === undefined || access.roles === 'public' || request.principal === null) return undefined;
      const principal = request.principal;
      const target = access.scope.resolve(request);
      if (target instanceof Promise) return target.then((resolved) => assertInScope(principal, resolved));
      assertInScope(principal, target);
      return undefined;
    },
  };
}

export interface AccessDependencies extends RouteChecks {
  readonly keys: ApiKeyRegistry;
  readonly volunteers: VolunteerCredentials;
  /**
   * Throws (or rejects) when the body a key is bound to (organisation, partner) is suspended or
   * unknown, so such a key stops working without being revoked; undefined when the key's scope
   * names no registered body.
   */
  readonly checkActive: (principal: Principal, request: FastifyRequest) => Promise<void> | undefined;
}

/**
 * Installs authentication, authorization and the route's rate limit; returns the live table of
 * `/v1` routes and their rules.
 *
 * Each route gets two hooks of its own, made when it is registered, in fastify's callback form:
 * they know the route's rule and limiter without looking them up per request, and a request that
 * waits for nothing (a known API key, a scope without a read) passes without a promise (issue #15).
 *  - onRequest: who is calling (401), whether their role may call the route (403), whether their
 *    key's organisation or partner is active (403), then the rate limit (429), counted per key.
 *  - preHandler, after validation: `beforeScope`, then the route's scope rule (403).
 */
export function registerAccessControl(
  app: FastifyInstance,
  dependencies: AccessDependencies,
): RouteAccessEntry[] {
  const table: RouteAccessEntry[] = [];
  app.decorateRequest('principal', null);
  const principals = principalChecks(dependencies);
  const ours = new WeakSet<Hook>();

  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    const access = route.config?.access;
    if (url.startsWith('/v1')) {
      if (access === undefined)
        throw new Error(`route ${route.method.toString()} ${url} declares no access rule`);
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') table.push({ method, url, roles: access.roles, scope: access.scope.describe });
      }
    }
    const limiter = dependencies.limiterOf(route.config);
    const limit: Hook =
      limiter === null
        ? finish
        : (request, reply, done) => {
            try {
              limiter.check(request, reply);
            } catch (error) {
              done(error as Error);
              return;
            }
            done();
          };
    // Outside /v1 (probes, metrics, API docs, the console's files) nothing needs a principal, so a
    // presented key is not resolved: resolving may read the store, and liveness must not fail, nor
    // readiness turn into another answer, because the store does not answer.
    const onRequest = url.startsWith('/v1')
      ? countingRefusals(
          chain((request) => principals.authenticate(request, access), limit),
          limiter,
        )
      : limit;
    const preHandler = chain(
      dependencies.beforeScope,
      chain((request) => principals.authorize(request, access), finish),
    );
    ours.add(onRequest);
    ours.add(preHandler);
    // A HEAD route fastify adds for a GET, or a second path of a prefixed route, may come with
    // the first one's hooks: each route runs its own, once.
    const others = (hooks: unknown): unknown[] =>
      [hooks].flat().filter((hook) => hook !== undefined && !ours.has(hook as Hook));
    route.onRequest = [...others(route.onRequest), onRequest] as NonNullable<typeof route.onRequest>;
    route.preHandler = [...others(route.preHandler), preHandler] as NonNullable<typeof route.preHandler>;
  });
  return table;
}
