import { type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
export type AdminRouteDependencies = CommandRouteDependencies;
/** The admin routes, as an encapsulated fastify plugin. */
export declare function adminRoutes(app: TypedApp, context: AdminRouteDependencies): Promise<void>;
