import { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Ledger } from '@timebank/application';
import type { EventStore } from '@timebank/event-store';
import { type ReadModelQueries } from '@timebank/projections';
import { ApiKeyRegistry } from './auth/api-keys.js';
import { type RouteAccessEntry } from './auth/access.js';
import type { LedgerApiConfig } from './config.js';
import { ApiMetrics } from './http/api-metrics.js';
import type { ProjectorHandle } from './routes/projector-handle.js';
export interface AppDependencies {
    readonly config: LedgerApiConfig;
    /**
     * The store the key registry and idempotency records append to and routes read through a
     * read-only view; pass the one wrapped by `instrumentStore(store, metrics)`.
     */
    readonly store: EventStore;
    /** The write side (packages/application), built over the same store. */
    readonly ledger: Ledger;
    readonly logger: Logger;
    /** Default: a fresh registry (then store appends are not counted unless the store was instrumented with it). */
    readonly metrics?: ApiMetrics;
    /** The clock as epoch milliseconds; the same one the ledger decides with. */
    readonly clock?: () => number;
    readonly projector?: ProjectorHandle;
    readonly readModels?: ReadModelQueries;
}
/**
 * What the app was built from, for its embedder (the server, tests). No route sees it whole:
 * each route family is a plugin that receives only the parts it declares.
 */
export interface AppParts {
    readonly config: LedgerApiConfig;
    /** The store as given: the instrumented one, so every append is counted in `/metrics`. */
    readonly store: EventStore;
    readonly keys: ApiKeyRegistry;
    readonly ledger: Ledger;
    readonly metrics: ApiMetrics;
}
export interface LedgerApp {
    readonly app: FastifyInstance;
    readonly context: AppParts;
    /** Every `/v1` route with its roles and scope rule. */
    readonly routes: readonly RouteAccessEntry[];
}
export declare function buildApp(dependencies: AppDependencies): Promise<LedgerApp>;
