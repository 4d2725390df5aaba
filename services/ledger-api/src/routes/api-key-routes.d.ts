import type { Ledger } from '@timebank/application';
import { type ApiKeyRegistry } from '../auth/api-keys.js';
import { type WriteDependencies } from '../http/write.js';
import type { TypedApp } from './typed-app.js';
export interface ApiKeyRouteDependencies extends WriteDependencies {
    readonly keys: ApiKeyRegistry;
    /** Checks that a key's organisation or partner is registered. */
    readonly ledger: Ledger;
}
/** The apiKey routes, as an encapsulated fastify plugin. */
export declare function apiKeyRoutes(app: TypedApp, context: ApiKeyRouteDependencies): Promise<void>;
