import { type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
/** Volunteers in one bulk activity record. 500: a large community event; keeps the request under 64 KiB. */
export declare const BULK_VOLUNTEERS_MAX = 500;
/** The bulk route's dry run decides with the ledger's own clock, so these routes need no other. */
export type ServiceRecordRouteDependencies = CommandRouteDependencies;
/** The serviceRecord routes, as an encapsulated fastify plugin. */
export declare function serviceRecordRoutes(app: TypedApp, context: ServiceRecordRouteDependencies): Promise<void>;
