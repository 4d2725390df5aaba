import type { ApiMetrics } from '../http/api-metrics.js';
import type { ProjectorHandle } from './projector-handle.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';
export interface SystemRouteDependencies {
    readonly store: Pick<StoreReader, 'engine' | 'headPosition'>;
    readonly metrics: Pick<ApiMetrics, 'registry'>;
    /** Null when no projector runs: readiness then checks the store only. */
    readonly projector: ProjectorHandle | null;
}
/** The system routes, as an encapsulated fastify plugin. */
export declare function systemRoutes(app: TypedApp, context: SystemRouteDependencies): Promise<void>;
