/**
 * Auditors read everything, in order, with hashes, and verify that nothing was altered. They
 * write nothing. Positions and revisions travel as decimal strings.
 */
import { z } from 'zod';
import { type RecordedEvent } from '@timebank/event-store';
import type { LogCheckReport } from '@timebank/projections';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';
export declare const recordedEventSchema: z.ZodObject<{
    position: z.ZodString;
    streamName: z.ZodString;
    revision: z.ZodString;
    id: z.ZodString;
    type: z.ZodString;
    data: z.ZodRecord<z.ZodString, z.ZodUnknown>;
    metadata: z.ZodRecord<z.ZodString, z.ZodUnknown>;
    recordedAt: z.ZodISODateTime;
    hash: z.ZodString;
}, z.core.$strip>;
export declare function eventOnTheWire(event: RecordedEvent): z.infer<typeof recordedEventSchema>;
export interface AuditRouteDependencies {
    readonly store: StoreReader;
    /** The verifier of `pnpm ledger verify` (hash chains and the event catalogue), over the same store. */
    readonly checkLog: (options: {
        streamName?: string;
        findingsMax: number;
    }) => Promise<LogCheckReport>;
}
/** The audit routes, as an encapsulated fastify plugin. */
export declare function auditRoutes(app: TypedApp, context: AuditRouteDependencies): Promise<void>;
