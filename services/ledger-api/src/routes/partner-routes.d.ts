import { type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
export interface PartnerRouteDependencies extends CommandRouteDependencies {
    /** Epoch milliseconds; the clock the ledger decides with. */
    readonly clock: () => number;
}
/** The partner routes, as an encapsulated fastify plugin. */
export declare function partnerRoutes(app: TypedApp, context: PartnerRouteDependencies): Promise<void>;
