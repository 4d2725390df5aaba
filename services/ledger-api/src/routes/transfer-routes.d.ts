import { type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
export type TransferRouteDependencies = CommandRouteDependencies;
/** The transfer routes, as an encapsulated fastify plugin. */
export declare function transferRoutes(app: TypedApp, context: TransferRouteDependencies): Promise<void>;
