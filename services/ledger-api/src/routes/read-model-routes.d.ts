import type { Ledger } from '@timebank/application';
import { type ReadModelQueries } from '@timebank/projections';
import type { ProjectorHandle } from './projector-handle.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';
export interface ReadModelRouteDependencies {
    readonly ledger: Ledger;
    /** Read only: a volunteer as of a past point is folded from its stream. */
    readonly store: StoreReader;
    /** Epoch milliseconds; the clock the ledger decides with. */
    readonly clock: () => number;
    /** Null when no projector runs: then every read-model route answers READ_MODEL_BEHIND. */
    readonly projector: ProjectorHandle | null;
    readonly readModels: ReadModelQueries | null;
    readonly config: {
        readonly readYourWritesTimeoutMs: number;
    };
}
/** The read-model routes, as an encapsulated fastify plugin. */
export declare function readModelRoutes(app: TypedApp, context: ReadModelRouteDependencies): Promise<void>;
