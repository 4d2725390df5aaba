/**
 * RFC 9457 problem details. Every error this API returns is one of these, with a stable `code`:
 * the domain's codes for business rules, and the HTTP-layer codes below for everything the
 * domain never sees (authentication, validation, limits, idempotency).
 */
import type { FastifyReply } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** HTTP-layer codes and their status. Stable and never reused; listed in docs/api.md. */
export const HTTP_ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  POSITION_BEYOND_HEAD: 400,
  MALFORMED_JSON: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  VOLUNTEER_SIGN_IN_FAILED: 401,
  ACTIVATION_CODE_INVALID: 401,
  FORBIDDEN: 403,
  API_KEY_SCOPE_INACTIVE: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  API_KEY_NOT_FOUND: 404,
  CERTIFICATE_NOT_FOUND: 404,
  STREAM_NOT_FOUND: 404,
  API_KEY_SCOPE_MISMATCH: 422,
  BULK_VALIDATION_FAILED: 422,
  IDEMPOTENCY_KEY_REUSED: 409,
  CONCURRENCY_CONFLICT: 409,
  COMMAND_ALREADY_APPLIED: 409,
  VOLUNTEER_NUMBER_COLLISION: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SPEND_CODE_LOCKED_OUT: 429,
  VOLUNTEER_SIGN_IN_LOCKED_OUT: 429,
  HEADERS_TOO_LARGE: 431,
  READ_MODEL_BEHIND: 503,
  STORE_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  INTERNAL_ERROR: 500,
} as const;
export type HttpErrorCode = keyof typeof HTTP_ERROR_STATUS;

export interface FieldIssue {
  /** Where: `body.hours`, `query.limit`, `headers.idempotency-key`, `params.volunteerId`. */
  readonly field: string;
  readonly message: string;
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly FieldIssue[];
}

/** An error that is already an HTTP answer. Thrown by hooks and handlers; the error handler sends it. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: readonly FieldIssue[],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  static http(code: HttpErrorCode, detail: string, errors?: readonly FieldIssue[]): ProblemError {
    return new ProblemError(HTTP_ERROR_STATUS[code], code, detail, errors);
  }
}

/** `VOLUNTEER_NOT_FOUND` → `Volunteer not found`, so every code has a readable title without a table. */
export function titleOf(code: string): string {
  const words = code.toLowerCase().split('_');
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** Every 401's `WWW-Authenticate`: keys and volunteer session tokens are both bearer tokens. */
const AUTHENTICATION_CHALLENGE = 'Bearer realm="timebank-ledger"';

/** `instance` is the request's path; absent when the request could not even be parsed. */
export function problemBody(problem: ProblemError, instance?: string): ProblemBody {
  return {
    type: `https://timebank.example/problems/${problem.code.toLowerCase().replaceAll('_', '-')}`,
    title: titleOf(problem.code),
    status: problem.status,
    code: problem.code,
    detail: problem.message,
    ...(instance === undefined ? {} : { instance }),
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
  };
}

export function sendProblem(reply: FastifyReply, problem: ProblemError): FastifyReply {
  // RFC 9110 §15.5.2: a 401 must name the scheme to authenticate with; clients that follow the
  // standard (and some that insist on it) otherwise cannot tell what was expected.
  if (problem.status === 401) void reply.header('www-authenticate', AUTHENTICATION_CHALLENGE);
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(problem, reply.request.url.split('?')[0] ?? '/'));
}
