/**
 * Service certificates (志愿服务证明): a desk issues and reprints them for volunteers of its
 * community; anyone holding a certificate can verify it by its number, without an API key.
 *
 * The number embeds the volunteer id (see packages/domain/src/certificate-number.ts), so every
 * route here folds the one volunteer stream the certificate lives in: issuing is a single
 * append, and verification needs no index, no read model and no second write that a crash
 * could leave half done. The verification answer carries only what a verifier needs; the
 * public route is rate limited per client address.
 */
import { z } from 'zod';
import { type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
export declare const certificateSchema: z.ZodObject<{
    certificateNumber: z.ZodString;
    sequence: z.ZodNumber;
    volunteerId: z.ZodString;
    volunteerNumber: z.ZodString;
    name: z.ZodString;
    idType: z.ZodString;
    nationalIdMasked: z.ZodString;
    community: z.ZodString;
    serviceFrom: z.ZodNullable<z.ZodISODateTime>;
    serviceUntil: z.ZodNullable<z.ZodISODateTime>;
    confirmedMinutes: z.ZodNumber;
    serviceHours: z.ZodString;
    activities: z.ZodArray<z.ZodObject<{
        activity: z.ZodString;
        organisationId: z.ZodString;
        durationMinutes: z.ZodNumber;
        recordCount: z.ZodNumber;
        firstStartAt: z.ZodISODateTime;
        lastEndAt: z.ZodISODateTime;
    }, z.core.$strip>>;
    recordIds: z.ZodArray<z.ZodString>;
    issuer: z.ZodObject<{
        organisationName: z.ZodString;
        personInCharge: z.ZodString;
        handler: z.ZodString;
        contact: z.ZodString;
    }, z.core.$strip>;
    issuedAt: z.ZodISODateTime;
    issueDate: z.ZodString;
    amendedRecordIds: z.ZodArray<z.ZodString>;
}, z.core.$strip>;
/** Minutes as hours with two decimals, rounded down: a certificate never states more than was served. */
export declare function hoursOf(minutes: number): string;
/** The first character and one `*` per further character: enough to match a person, not to identify one. */
export declare function maskName(name: string): string;
export interface CertificateRouteDependencies extends CommandRouteDependencies {
    /** The verification route's own limit (LEDGER_RATE_LIMIT_*). */
    readonly config: {
        readonly rateLimit: {
            readonly certificateVerificationsMax: number;
            readonly windowSeconds: number;
        };
    };
}
/** The certificate routes, as an encapsulated fastify plugin. */
export declare function certificateRoutes(app: TypedApp, context: CertificateRouteDependencies): Promise<void>;
