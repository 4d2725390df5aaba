/**
 * The shared shape of every write route: an `Idempotency-Key` header, the idempotency contract
 * around the handler, and a response that carries the position of the write's last event.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JsonObject } from '@timebank/event-store';
import type { ApiMetrics } from './api-metrics.js';
import {
  IDEMPOTENCY_KEY_PATTERN,
  requestHashOf,
  type ClaimKey,
  type IdempotencyRecords,
  type RebuildResponse,
} from './idempotency.js';

/** What a write route needs for the idempotency contract, and nothing else. */
export interface WriteDependencies {
  readonly idempotency: IdempotencyRecords;
  /** Counts the repeats answered from a record. */
  readonly metrics: Pick<ApiMetrics, 'idempotentReplays'>;
}

/** Header schema of every write. Not strict: clients send many other headers. */
export const writeHeaders = z.object({
  'idempotency-key': z
    .string({
      error:
        'required on every write: a key unique per intended write, 1-100 characters of letters, digits and _ . : -',
    })
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-100 characters of letters, digits and _ . : -')
    .describe('Unique per intended write; a repeat returns the original response'),
});

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
// eslint-disable-next-line max-params -- dependencies, request, reply, the write and its optional rebuild are distinct roles; every write route calls it in this order
export async function idempotentWrite<Body extends JsonObject>(
  context: WriteDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  execute: (commandKey: string, claim: ClaimKey | undefined) => Promise<WriteResult<Body>>,
  rebuild?: (commandKey: string) => RebuildResponse,
): Promise<Body> {
  const principal = request.principal;
  if (principal === null) throw new Error('write route reached without a principal');
  const clientKey = (request.headers as Record<string, string>)['idempotency-key']!;
  const scopedKey = `${principal.keyId}:${clientKey}`;
  const outcome = await context.idempotency.run({
    scopedKey,
    requestHash: requestHashOf(
      request.method,
      request.routeOptions.url ?? request.url,
      request.params,
      request.body,
    ),
    execute: (claim) => execute(scopedKey, rebuild === undefined ? undefined : claim),
    ...(rebuild === undefined ? {} : { rebuild: rebuild(scopedKey) }),
  });
  if (outcome.replayed) {
    context.metrics.idempotentReplays.inc();
    void reply.header('idempotent-replayed', 'true');
  }
  void reply.code(outcome.statusCode);
  // A replayed body is what this route recorded earlier, so it has the route's shape.
  return outcome.body as Body;
}
