/**
 * The error responses of every operation in the OpenAPI document, generated from the catalogues
 * the code answers with (`HTTP_ERROR_STATUS`, `DOMAIN_ERROR_STATUS`), so a status or a code in the
 * document cannot drift from what the server sends. Which codes an operation lists follows from
 * what the route is: public or keyed, with path parameters, a body, an Idempotency-Key, a
 * `minPosition`, a domain command; plus the few not-found codes a handler raises itself
 * (`ROUTE_ERRORS`).
 */
import type { FastifySchema, RouteOptions } from 'fastify';
import type { DomainErrorCode } from '@timebank/domain';
import { DOMAIN_ERROR_STATUS } from './domain-errors.js';
import { HTTP_ERROR_STATUS, type HttpErrorCode } from './problem.js';

export type ErrorCode = HttpErrorCode | DomainErrorCode;

/** The status a code is sent with: one catalogue for both kinds. */
export function statusOfCode(code: ErrorCode): number {
  return code in HTTP_ERROR_STATUS
    ? HTTP_ERROR_STATUS[code as HttpErrorCode]
    : DOMAIN_ERROR_STATUS[code as DomainErrorCode];
}

/** What an operation's route is, as far as its errors go; gathered when the route is registered. */
export interface RouteErrorFacts {
  readonly method: string;
  readonly url: string;
  readonly keyed: boolean;
  readonly rateLimited: boolean;
  readonly hasParams: boolean;
  readonly hasBody: boolean;
  readonly idempotent: boolean;
  readonly readsModels: boolean;
  readonly minPosition: boolean;
  readonly command: boolean;
}

/** Codes a handler (or its scope rule) raises itself, beyond what the route's shape implies. */
export const ROUTE_ERRORS: Readonly<Record<string, readonly ErrorCode[]>> = {
  'POST /v1/admin/api-keys': ['API_KEY_SCOPE_MISMATCH'],
  'POST /v1/admin/api-keys/:keyId/revoke': ['API_KEY_NOT_FOUND'],
  'GET /v1/audit/verify': ['STREAM_NOT_FOUND'],
  'GET /v1/audit/streams/:streamName': ['STREAM_NOT_FOUND'],
  'POST /v1/volunteers/lookup': ['INVALID_NATIONAL_ID', 'VOLUNTEER_NOT_FOUND'],
  'POST /v1/volunteers/:volunteerId/activation-codes': [
    'VOLUNTEER_NOT_FOUND',
    'VOLUNTEER_INACTIVE',
    'VOLUNTEER_PERSONAL_DATA_ERASED',
  ],
  'GET /v1/volunteers/:volunteerId': ['VOLUNTEER_NOT_FOUND'],
  'GET /v1/volunteers/:volunteerId/history': ['VOLUNTEER_NOT_FOUND'],
  'GET /v1/volunteers/by-number/:volunteerNumber': ['VOLUNTEER_NOT_FOUND'],
  'GET /v1/audit/volunteers/:volunteerId/as-of': ['VOLUNTEER_NOT_FOUND'],
  'GET /v1/audit/volunteers/by-number/:volunteerNumber/as-of': ['VOLUNTEER_NOT_FOUND'],
  'GET /v1/volunteers/:volunteerId/certificates': ['VOLUNTEER_NOT_FOUND'],
  'GET /v1/volunteers/:volunteerId/certificates/:certificateNumber': [
    'VOLUNTEER_NOT_FOUND',
    'CERTIFICATE_NOT_FOUND',
  ],
  'GET /v1/certificates/:certificateNumber/verification': ['CERTIFICATE_NOT_FOUND'],
  'GET /v1/partners/:partnerId/offers': ['PARTNER_NOT_FOUND'],
  'GET /v1/organisations/:organisationId/service-records': ['ORGANISATION_NOT_FOUND'],
  'GET /v1/organisations/:organisationId/statistics': ['ORGANISATION_NOT_FOUND'],
  'GET /v1/communities/:community/statistics': ['COMMUNITY_NOT_REGISTERED'],
  'GET /v1/partners/:partnerId/statement': ['PARTNER_NOT_FOUND'],
  'GET /v1/partners/:partnerId/volunteers/:volunteerId/redeemable-points': ['VOLUNTEER_NOT_FOUND'],
  'POST /v1/activities': ['BULK_VALIDATION_FAILED', 'PROJECT_NOT_FOUND', 'PROJECT_ORGANISATION_MISMATCH'],
  'GET /v1/projects/:projectId': ['PROJECT_NOT_FOUND'],
  'GET /v1/projects/:projectId/statistics': ['PROJECT_NOT_FOUND'],
  'POST /v1/projects/:projectId/teams': ['PROJECT_NOT_FOUND'],
  'POST /v1/projects/:projectId/teams/:teamId/members': ['PROJECT_NOT_FOUND'],
  'POST /v1/projects/:projectId/teams/:teamId/group-activities': ['PROJECT_NOT_FOUND'],
  'POST /v1/projects/:projectId/teams/:teamId/group-points/donations': ['PROJECT_NOT_FOUND'],
};

/** Every code an operation can answer with. */
export function errorCodesOf(facts: RouteErrorFacts): ErrorCode[] {
  const codes = new Set<ErrorCode>([
    // Every request can fail in the parser, its query schema, or the server.
    'MALFORMED_REQUEST',
    'HEADERS_TOO_LARGE',
    'REQUEST_TIMEOUT',
    'VALIDATION_FAILED',
    'INTERNAL_ERROR',
    'STORE_UNAVAILABLE',
    'SHUTTING_DOWN',
  ]);
  const add = (...more: ErrorCode[]) => more.forEach((code) => codes.add(code));
  if (facts.rateLimited) add('RATE_LIMITED');
  if (facts.keyed) add('UNAUTHENTICATED', 'FORBIDDEN');
  if (facts.hasParams) add('URI_TOO_LONG', 'MALFORMED_REQUEST');
  if (facts.hasBody) add('MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (facts.idempotent) add('IDEMPOTENCY_KEY_REUSED', 'CONCURRENCY_CONFLICT', 'COMMAND_ALREADY_APPLIED');
  if (facts.minPosition) add('POSITION_BEYOND_HEAD');
  if (facts.readsModels) add('READ_MODEL_BEHIND');
  // A command can meet any rule of the domain: which one applies depends on the stream's state.
  if (facts.command) add(...(Object.keys(DOMAIN_ERROR_STATUS) as DomainErrorCode[]));
  add(...(ROUTE_ERRORS[`${facts.method} ${facts.url}`] ?? []));
  return [...codes].sort();
}

/** Whether the schema's zod object has this key (`schema.querystring` is a zod object here). */
function zodHasKey(schema: unknown, key: string): boolean {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape !== undefined && key in shape;
}

/** The facts of a route, read from its options (`onRoute`). */
export function routeErrorFacts(route: RouteOptions, method: string): RouteErrorFacts {
  const schema: FastifySchema = route.schema ?? {};
  const access = route.config?.access;
  const url = route.url;
  return {
    method,
    url,
    keyed: access !== undefined && access.roles !== 'public',
    rateLimited: url.startsWith('/v1'),
    hasParams: url.includes(':'),
    hasBody: schema.body !== undefined,
    idempotent: zodHasKey(schema.headers, 'idempotency-key'),
    readsModels: route.config?.readsModels === true,
    minPosition: zodHasKey(schema.querystring, 'minPosition'),
    command: route.config?.command === true,
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is served from the read models, so it can answer 503 READ_MODEL_BEHIND. */
    readsModels?: boolean;
    /** The route executes a domain command, so it can answer any domain code. */
    command?: boolean;
  }
}

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details (docs/api.md, Errors)',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable error code (docs/api.md, docs/errors.md)' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** The responses object entries for `codes`, one per status, each listing its codes. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = statusOfCode(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Problem: ${list.join(', ')}`,
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              { type: 'object', properties: { code: { type: 'string', enum: list } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

/** The parts of the generated document this touches; the rest passes through unchanged. */
interface OpenApiParts {
  paths?: Record<string, Record<string, { responses?: Record<string, unknown> } | undefined> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}

/** Adds every operation's error responses and the shared Problem schema to the generated document. */
export function addErrorResponses<Document extends object>(
  generated: Document,
  facts: ReadonlyMap<string, RouteErrorFacts>,
): Document {
  const document = generated as OpenApiParts;
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    // OpenAPI writes `/v1/x/{id}` where fastify writes `/v1/x/:id`.
    const url = path.replaceAll(/\{([^}]+)\}/g, ':$1');
    for (const [method, operation] of Object.entries(operations ?? {})) {
      const known = facts.get(`${method.toUpperCase()} ${url}`);
      if (known === undefined || operation === undefined) continue;
      operation.responses = { ...operation.responses, ...errorResponses(errorCodesOf(known)) };
    }
  }
  return generated;
}
