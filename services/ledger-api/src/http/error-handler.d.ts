/**
 * Turns every error into an RFC 9457 problem. Bad input of any kind (schema, JSON syntax, size,
 * media type) is a 4xx with a stable code; a domain rejection keeps the domain's code; only a
 * genuine fault is a 500, and its details go to the log, never to the client.
 */
import type { FastifyInstance } from 'fastify';
import { ProblemError } from './problem.js';
import type { ApiMetrics } from './api-metrics.js';
export declare function toProblem(error: unknown): ProblemError | undefined;
export declare function registerErrorHandling(app: FastifyInstance, metrics: ApiMetrics): void;
