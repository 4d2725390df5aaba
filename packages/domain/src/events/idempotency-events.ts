/**
 * Events of the `idempotency-<sha-256>` streams: what makes a repeated HTTP write with the same
 * Idempotency-Key answer the original response (see the API's `http/idempotency.ts`). They are
 * not domain facts, but they are stored in the ledger and hash-chained like every other event,
 * so the verifier and the export must know their schemas.
 */
import { z } from 'zod';

/** Every idempotency stream's name starts with this, followed by a sha-256 in hex. */
export const IDEMPOTENCY_STREAM_PREFIX = 'idempotency-';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha-256 in lower-case hex');

/** A write claimed its key beside its own append; a repeat rebuilds the response from `streamName`. */
export const idempotencyKeyClaimedData = z.strictObject({
  requestHash: sha256Hex,
  streamName: z.string().min(1),
});

/** The response to replay, for writes whose response is not a function of their events. */
export const idempotentResponseRecordedData = z.strictObject({
  requestHash: sha256Hex,
  /** HTTP status code: 100–599 is the range RFC 9110 defines. */
  statusCode: z.number().int().min(100).max(599),
  body: z.record(z.string(), z.unknown()),
});

export const IDEMPOTENCY_EVENT_DATA = {
  IdempotencyKeyClaimed: idempotencyKeyClaimedData,
  IdempotentResponseRecorded: idempotentResponseRecordedData,
} as const;
