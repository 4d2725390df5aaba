/**
 * RFC 9457 problem details. Every error this API returns is one of these, with a stable `code`:
 * the domain's codes for business rules, and the HTTP-layer codes below for everything the
 * domain never sees (authentication, validation, limits, idempotency).
 */
import type { FastifyReply } from 'fastify';
export declare const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";
/** HTTP-layer codes and their status. Stable and never reused; listed in docs/api.md. */
export declare const HTTP_ERROR_STATUS: {
    readonly VALIDATION_FAILED: 400;
    readonly POSITION_BEYOND_HEAD: 400;
    readonly MALFORMED_JSON: 400;
    readonly MALFORMED_REQUEST: 400;
    readonly UNAUTHENTICATED: 401;
    readonly FORBIDDEN: 403;
    readonly API_KEY_SCOPE_INACTIVE: 403;
    readonly NOT_FOUND: 404;
    readonly METHOD_NOT_ALLOWED: 405;
    readonly API_KEY_NOT_FOUND: 404;
    readonly CERTIFICATE_NOT_FOUND: 404;
    readonly API_KEY_SCOPE_MISMATCH: 422;
    readonly BULK_VALIDATION_FAILED: 422;
    readonly IDEMPOTENCY_KEY_REUSED: 409;
    readonly CONCURRENCY_CONFLICT: 409;
    readonly COMMAND_ALREADY_APPLIED: 409;
    readonly REQUEST_TIMEOUT: 408;
    readonly PAYLOAD_TOO_LARGE: 413;
    readonly URI_TOO_LONG: 414;
    readonly UNSUPPORTED_MEDIA_TYPE: 415;
    readonly RATE_LIMITED: 429;
    readonly HEADERS_TOO_LARGE: 431;
    readonly READ_MODEL_BEHIND: 503;
    readonly STORE_UNAVAILABLE: 503;
    readonly SHUTTING_DOWN: 503;
    readonly INTERNAL_ERROR: 500;
};
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
export declare class ProblemError extends Error {
    readonly status: number;
    readonly code: string;
    readonly errors?: readonly FieldIssue[] | undefined;
    constructor(status: number, code: string, detail: string, errors?: readonly FieldIssue[] | undefined);
    static http(code: HttpErrorCode, detail: string, errors?: readonly FieldIssue[]): ProblemError;
}
/** `VOLUNTEER_NOT_FOUND` → `Volunteer not found`, so every code has a readable title without a table. */
export declare function titleOf(code: string): string;
/** `instance` is the request's path; absent when the request could not even be parsed. */
export declare function problemBody(problem: ProblemError, instance?: string): ProblemBody;
export declare function sendProblem(reply: FastifyReply, problem: ProblemError): FastifyReply;
