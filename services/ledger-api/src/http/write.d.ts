/**
 * The shared shape of every write route: an `Idempotency-Key` header, the idempotency contract
 * around the handler, and a response that carries the position of the write's last event.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JsonObject } from '@timebank/event-store';
import type { ApiMetrics } from './api-metrics.js';
import { type ClaimKey, type IdempotencyRecords, type RebuildResponse } from './idempotency.js';
/** What a write route needs for the idempotency contract, and nothing else. */
export interface WriteDependencies {
    readonly idempotency: IdempotencyRecords;
    /** Counts the repeats answered from a record. */
    readonly metrics: Pick<ApiMetrics, 'idempotentReplays'>;
}
/** Header schema of every write. Not strict: clients send many other headers. */
export declare const writeHeaders: z.ZodObject<{
    'idempotency-key': z.ZodString;
}, z.core.$strip>;
export { positionSchema } from './positions.js';
export interface WriteResult<Body extends JsonObject> {
    readonly statusCode: 200 | 201;
    readonly body: Body;
    /** What the idempotency record keeps and a repeat returns, if not `body` (e.g. without a secret). */
    readonly recordedBody?: JsonObject;
    /** The write claimed its key but a repeat could not rebuild this response from its events alone. */
    readonly recordResponse?: boolean;
}
/**
 * Runs a write under the idempotency contract. `execute` receives the command idempotency key:
 * the client's key scoped to its API key, so two clients can never collide. A write whose
 * response can be rebuilt from its events passes `rebuild` and calls `claim` right before its
 * append (see `IdempotencyRecords`); any other write gets its response recorded after it.
 */
export declare function idempotentWrite<Body extends JsonObject>(context: WriteDependencies, request: FastifyRequest, reply: FastifyReply, execute: (commandKey: string, claim: ClaimKey | undefined) => Promise<WriteResult<Body>>, rebuild?: (commandKey: string) => RebuildResponse): Promise<Body>;
