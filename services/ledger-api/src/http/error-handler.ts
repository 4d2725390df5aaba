/**
 * Turns every error into an RFC 9457 problem. Bad input of any kind (schema, JSON syntax, size,
 * media type) is a 4xx with a stable code; a domain rejection keeps the domain's code; only a
 * genuine fault is a 500, and its details go to the log, never to the client.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConcurrencyConflictError } from '@timebank/application';
import { EventStoreError, isStorageFull } from '@timebank/event-store';
import { ProblemError, sendProblem, type FieldIssue } from './problem.js';
import { domainProblem } from './domain-errors.js';
import type { ApiMetrics } from './api-metrics.js';
import { RouteMethods } from './route-methods.js';

const FASTIFY_CODES: Readonly<Record<string, () => ProblemError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => ProblemError.http('PAYLOAD_TOO_LARGE', 'the request body is too large'),
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    ProblemError.http('MALFORMED_JSON', 'the request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    ProblemError.http('MALFORMED_JSON', 'the request body is empty but Content-Type says JSON'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    ProblemError.http('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    ProblemError.http('VALIDATION_FAILED', 'Content-Length does not match the body'),
};

/**
 * A refusal lists at most this many field issues, and its `detail` names at most the first ten
 * and counts the rest: a body of thousands of unknown members is still one small answer (a 200 KiB
 * body once drew a 1.2 MB problem). A client fixing its request needs the first few, not all.
 */
const LISTED_ISSUES_MAX = 100;
const DETAIL_FIELDS_MAX = 10;

/** What the request sent in one part (`body`, `querystring`, `params`, `headers`), for naming left-out fields. */
type RequestParts = Partial<Record<'body' | 'query' | 'params' | 'headers', unknown>>;

/** The value at `path` in `root`, or `undefined` where the path leaves the objects sent. */
function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** `validationContext` is `body`, `querystring`, `params` or `headers`; shown as `query` for the former. */
function fieldIssues(
  error: {
    validation: ReadonlyArray<{ instancePath: string; message?: string; keyword: string; params: unknown }>;
    validationContext?: string;
  },
  sent: RequestParts | undefined,
): FieldIssue[] {
  const context = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const issues = error.validation.flatMap((issue) => {
    const path = issue.instancePath.split('/').filter((part) => part !== '');
    const base = [context, ...path].join('.');
    // An unknown field is reported once per key, so that clients see which field to drop.
    const keys = (issue.params as { keys?: unknown }).keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({ field: `${base}.${String(key)}`, message: 'unknown field' }));
    }
    // A field left out: zod says "expected string, received undefined", or lists an enum's
    // options as if a wrong one was sent. Looked up in what the request sent, it is named required.
    const said = issue.message ?? issue.keyword;
    const part = sent?.[context as keyof RequestParts];
    const missing =
      path.length === 0 ? part === undefined : part !== undefined && valueAt(part, path) === undefined;
    if (missing && sent !== undefined && !said.startsWith('required')) {
      const expected = (issue.params as { expected?: unknown }).expected;
      const what = issue.keyword === 'invalid_type' && typeof expected === 'string' ? expected : said;
      return [{ field: base, message: `required (${what})` }];
    }
    return [{ field: base, message: said }];
  });
  // One issue per field, the first: zod checks a number past the safe range both as an integer
  // and as a number, and two messages saying the same thing would name the field twice.
  const firstPerField = new Map<string, FieldIssue>();
  for (const issue of issues) if (!firstPerField.has(issue.field)) firstPerField.set(issue.field, issue);
  return [...firstPerField.values()];
}

export function toProblem(error: unknown, sent?: RequestParts): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  const domain = domainProblem(error);
  if (domain !== undefined) return domain;
  if (error instanceof ConcurrencyConflictError) {
    return ProblemError.http(
      'CONCURRENCY_CONFLICT',
      'the target changed concurrently too often; retry the request',
    );
  }
  if (error instanceof EventStoreError) {
    if (isStorageFull(error)) {
      return ProblemError.http(
        'STORE_UNAVAILABLE',
        "the event store's disk is full: nothing was written; retry once space is freed",
      );
    }
    if (error.code === 'STORE_UNAVAILABLE')
      return ProblemError.http('STORE_UNAVAILABLE', 'the event store is unavailable');
    // A limit the store enforces (event too large, too many events) is still the caller's input.
    if (error.code === 'WRONG_EXPECTED_VERSION') {
      return ProblemError.http('CONCURRENCY_CONFLICT', 'the target changed concurrently; retry the request');
    }
    return new ProblemError(400, error.code, error.message);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = fieldIssues(error, sent);
    const named = issues.slice(0, DETAIL_FIELDS_MAX).map((issue) => issue.field);
    const more = issues.length - named.length;
    return ProblemError.http(
      'VALIDATION_FAILED',
      `invalid request: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
      issues.slice(0, LISTED_ISSUES_MAX),
    );
  }
  const fastifyError = error as Partial<FastifyError>;
  const known = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (known !== undefined) return known();
  // Any client error fastify or a plugin raises with a status (rate limiting throws its own RATE_LIMITED problem).
  const status = fastifyError.statusCode;
  if (status === 429)
    return ProblemError.http('RATE_LIMITED', 'too many requests from this API key or address; slow down');
  if (status === 404) return ProblemError.http('NOT_FOUND', 'no such resource');
  if (status === 405) return ProblemError.http('METHOD_NOT_ALLOWED', 'method not allowed');
  if (status === 413) return ProblemError.http('PAYLOAD_TOO_LARGE', 'the request is too large');
  if (status === 415) return ProblemError.http('UNSUPPORTED_MEDIA_TYPE', 'unsupported media type');
  if (status !== undefined && status >= 400 && status < 500) {
    return ProblemError.http('VALIDATION_FAILED', 'the request could not be understood');
  }
  return undefined;
}

/**
 * At most one warning a minute while requests find the store unavailable. Each such request is
 * still logged at `info`; without the warning, a full disk under SQLite (where the projector, which
 * logs its own outages, may still have room) left nothing at `warn` but the scheduler's retries.
 */
const UNAVAILABLE_WARNING_INTERVAL_MS = 60_000;

function storeOutageWarnings(app: FastifyInstance): (reason: string) => void {
  let lastWarningMs = -Infinity;
  let refusedSinceWarning = 0;
  return (reason) => {
    refusedSinceWarning += 1;
    const nowMs = performance.now();
    if (nowMs - lastWarningMs < UNAVAILABLE_WARNING_INTERVAL_MS) return;
    app.log.warn({ reason, refused: refusedSinceWarning }, 'requests refused: the store is unavailable');
    refusedSinceWarning = 0;
    lastWarningMs = nowMs;
  };
}

export function registerErrorHandling(app: FastifyInstance, metrics: ApiMetrics): void {
  const warnStoreUnavailable = storeOutageWarnings(app);
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    if (error instanceof ConcurrencyConflictError) metrics.conflictGiveUps.inc();
    if (problem !== undefined) {
      request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
      if (problem.code === 'STORE_UNAVAILABLE') warnStoreUnavailable(String(error));
      return sendProblem(reply, problem);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(
      reply,
      ProblemError.http('INTERNAL_ERROR', 'internal error; see the server log for this request id'),
    );
  });
  const routes = new RouteMethods();
  routes.collect(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.allowedAt(path);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        ProblemError.http(
          'METHOD_NOT_ALLOWED',
          `${path} does not answer ${request.method}; it answers ${allowed.join(', ')}`,
        ),
      );
    }
    return sendProblem(reply, ProblemError.http('NOT_FOUND', `no route ${request.method} ${path}`));
  });
}
