import { IDEMPOTENCY_STREAM_PREFIX } from '@timebank/domain';
import { type EventStore, type IdempotencyClaim, type JsonObject } from '@timebank/event-store';
/** Stream prefix, type names, schemas and versions are the event catalogue's (`@timebank/domain`). */
export { IDEMPOTENCY_STREAM_PREFIX };
/** Keys are opaque: printable, at most 100 characters, so that scoped to the API key (+37) they fit the domain's 200. */
export declare const IDEMPOTENCY_KEY_PATTERN: RegExp;
export interface IdempotentResponse {
    readonly statusCode: number;
    readonly body: JsonObject;
}
/** What `execute` answers: the response, and whether a claim alone cannot replay it. */
export interface ExecutedResponse extends IdempotentResponse {
    /** What a repeat returns, if not `body` (e.g. without a secret). Implies `recordResponse`. */
    readonly recordedBody?: JsonObject;
    /** Append a response record even if the write was claimed (its response is not a function of its events). */
    readonly recordResponse?: boolean;
}
/**
 * Given to `execute`: call it synchronously right before the command's append (the ledger's
 * `onFirstAppend`), with the stream it appends to, to claim the key in the same group commit.
 * Undefined when the key is already claimed by an earlier attempt that appended nothing.
 */
export type ClaimKey = (streamName: string) => IdempotencyClaim | undefined;
/** Rebuilds the response of the claimed write from its stream; undefined if it appended nothing. */
export type RebuildResponse = (streamName: string) => Promise<IdempotentResponse | undefined>;
interface RunInput {
    readonly scopedKey: string;
    readonly requestHash: string;
    readonly execute: (claim: ClaimKey | undefined) => Promise<ExecutedResponse>;
    readonly rebuild?: RebuildResponse;
}
/** Hash of what makes two requests "the same": method, route, path parameters and canonical body. */
export declare function requestHashOf(method: string, routeUrl: string, params: unknown, body: unknown): string;
export declare class IdempotencyRecords {
    #private;
    constructor(options: {
        store: EventStore;
        cacheEntriesMax: number;
    });
    /**
     * Runs `execute` at most once per (API key, idempotency key) and returns its response, or the
     * response of an earlier identical request: recorded, or rebuilt by `rebuild` from a claim.
     */
    run(input: RunInput): Promise<IdempotentResponse & {
        replayed: boolean;
    }>;
}
