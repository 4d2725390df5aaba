/**
 * Which methods a path answers, for the 405 that a request with any other method gets (RFC 9110
 * §15.5.6: the path exists, the method does not; the answer names the methods in `Allow`). Fastify
 * answers both "no such path" and "no such method" through its not-found handler, so this keeps its
 * own list of the routes' patterns, collected as they are registered. It is only read when a
 * request already found no route, never on a request that did.
 */
import type { FastifyInstance } from 'fastify';

interface RoutePattern {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/** A fastify URL pattern as a regular expression over the request's path. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      // `:name` is one non-empty segment; a segment with two parameters (`:a-:b`) is still one segment.
      if (segment.includes(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // The router ignores one trailing slash (`ignoreTrailingSlash`), so this does too.
  return new RegExp(`^${source.replace(/\/$/, '')}/?$`);
}

export class RouteMethods {
  readonly #routes = new Map<string, RoutePattern>();

  /** Records every route registered on `app` from now on. */
  collect(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      let entry = this.#routes.get(route.url);
      if (entry === undefined) {
        entry = { pattern: patternOf(route.url), methods: new Set() };
        this.#routes.set(route.url, entry);
      }
      for (const method of [route.method].flat()) entry.methods.add(method);
    });
  }

  /** The methods some route answers at `path` (no query), sorted; empty where no route has the path. */
  allowedAt(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: routeMethods } of this.#routes.values()) {
      if (pattern.test(path)) for (const method of routeMethods) methods.add(method);
    }
    return [...methods].sort();
  }
}
