/**
 * The error responses of every operation in the OpenAPI document, generated from the catalogues
 * the code answers with (`HTTP_ERROR_STATUS`, `DOMAIN_ERROR_STATUS`), so a status or a code in the
 * document cannot drift from what the server sends. Which codes an operation lists follows from
 * what the route is: public or keyed, with path parameters, a body, an Idempotency-Key, a
 * `minPosition`, a domain command; plus the few not-found codes a handler raises itself
 * (`ROUTE_ERRORS`).
 */
import type { RouteOptions } from 'fastify';
import type { DomainErrorCode } from '@timebank/domain';
import { type HttpErrorCode } from './problem.js';
export type ErrorCode = HttpErrorCode | DomainErrorCode;
/** The status a code is sent with: one catalogue for both kinds. */
export declare function statusOfCode(code: ErrorCode): number;
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
export declare const ROUTE_ERRORS: Readonly<Record<string, readonly ErrorCode[]>>;
/** Every code an operation can answer with. */
export declare function errorCodesOf(facts: RouteErrorFacts): ErrorCode[];
/** The facts of a route, read from its options (`onRoute`). */
export declare function routeErrorFacts(route: RouteOptions, method: string): RouteErrorFacts;
declare module 'fastify' {
    interface FastifyContextConfig {
        /** The route is served from the read models, so it can answer 503 READ_MODEL_BEHIND. */
        readsModels?: boolean;
        /** The route executes a domain command, so it can answer any domain code. */
        command?: boolean;
    }
}
/** The responses object entries for `codes`, one per status, each listing its codes. */
export declare function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown>;
/** Adds every operation's error responses and the shared Problem schema to the generated document. */
export declare function addErrorResponses<Document extends object>(generated: Document, facts: ReadonlyMap<string, RouteErrorFacts>): Document;
