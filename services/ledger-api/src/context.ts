/**
 * What every route module receives from `buildApp`: configuration and the wired dependencies.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ledger } from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import type { ReadModelQueries } from '@timebank/projections';
import type { ApiKeyRegistry } from './auth/api-keys.js';
import type { LedgerApiConfig } from './config.js';
import type { IdempotencyRecords } from './http/idempotency.js';
import type { ApiMetrics } from './http/api-metrics.js';

/**
 * The projector as the API sees it (packages/projections). Optional: without it, reads are
 * computed from the streams and `/readyz` checks the store only.
 */
export interface ProjectorHandle {
  /** Global position of the last event applied to the read models. */
  checkpoint(): bigint;
  /** True once the projector has caught up with the store after start-up (readiness). */
  hasCaughtUp(): boolean;
  /** Events and seconds the read models are behind the store (metrics). */
  lag(): { events: number; seconds: number };
  /** Resolves true once `checkpoint() >= position`, false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface AppContext {
  readonly config: LedgerApiConfig;
  /** The instrumented store: every append is counted in `/metrics`. */
  readonly store: EventStore;
  readonly keys: ApiKeyRegistry;
  readonly ledger: Ledger;
  readonly idempotency: IdempotencyRecords;
  readonly metrics: ApiMetrics;
  readonly projector: ProjectorHandle | null;
  /** Queries over the read models the projector maintains; null when no projector runs. */
  readonly readModels: ReadModelQueries | null;
  /** Epoch milliseconds; injected so tests and replays are deterministic. The ledger decides with the same clock. */
  readonly clock: () => number;
}

/** The fastify instance route modules register on: zod schemas type the handlers. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
