/**
 * The only place domain error codes meet HTTP status codes. The table is typed as a complete
 * record over the domain's catalogue, so a new domain code fails the typecheck until it is mapped
 * and a code the domain dropped fails it until it is removed.
 *
 *  - 404: the thing named does not exist.
 *  - 409: the request conflicts with the current state (already done, already resolved).
 *  - 422: the request is well-formed but a business rule rejects it.
 */
import { type DomainErrorCode } from '@timebank/domain';
import { ProblemError } from './problem.js';
export declare const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>>;
/** The problem for a domain rejection, or undefined when `error` is not one. */
export declare function domainProblem(error: unknown): ProblemError | undefined;
