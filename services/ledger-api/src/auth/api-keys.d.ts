import { ACCESS_KEYS_STREAM } from '@timebank/domain';
import { type EventStore } from '@timebank/event-store';
import { ProblemError } from '../http/problem.js';
import { type Principal, type Role, type Scope } from './principal.js';
/** The stream's name and its events' schemas are the catalogue's (`@timebank/domain`). */
export { ACCESS_KEYS_STREAM };
export interface ApiKeyRegistryOptions {
    /** How stale the fold may be before a request reads the stream's tail; see API_KEY_REFRESH_MS. */
    readonly refreshIntervalMs: number;
    /** Milliseconds on a clock that never goes back; default `performance.now`. */
    readonly monotonicMs?: () => number;
}
export interface ApiKeyRecord extends Principal {
    readonly keyHash: string;
    readonly issuedBy: string;
    readonly issuedPosition: string;
    readonly revoked: boolean;
}
/** sha-256 of the whole key, lower-case hex. Keys are random, so no salt or slow hash is needed. */
export declare function hashApiKey(key: string): string;
/** A bootstrap key saved before its append: `commit` once the store has it (returns where it is), `discard` if not. */
export interface KeptBootstrapKey {
    commit(): string;
    discard(): void;
}
/** A refused key operation; already an HTTP answer, so the error handler needs to know nothing of keys. */
export declare class ApiKeyError extends ProblemError {
    constructor(code: 'API_KEY_NOT_FOUND' | 'API_KEY_SCOPE_MISMATCH', message: string);
}
/** A role requires a scope of one kind (a desk serves a community, and so on): 422 otherwise. */
export declare function assertScopeFitsRole(role: Role, scope: Scope): void;
export declare class ApiKeyRegistry {
    #private;
    private constructor();
    /** Folds the `access-keys` stream into memory. */
    static load(store: EventStore, options: ApiKeyRegistryOptions): Promise<ApiKeyRegistry>;
    /**
     * Catches up with the stream when the last catch-up began more than `refreshIntervalMs` ago,
     * so that keys issued or revoked by another process count here too. Call before `authenticate`.
     */
    refresh(): Promise<void>;
    /** True until the first key has ever been issued: the server then issues a bootstrap admin key. */
    get isEmpty(): boolean;
    /** The active key with this plaintext, or undefined (unknown or revoked), as of the last catch-up. */
    authenticate(key: string): Principal | undefined;
    list(): ApiKeyRecord[];
    get(keyId: string): ApiKeyRecord | undefined;
    /**
     * Issues a key bound to a role and a scope of the kind that role requires. Returns the plaintext
     * key, which is never stored. `idempotencyKey` makes the event id deterministic, so a retried
     * append after a lost acknowledgement is not stored twice.
     */
    issue(input: {
        role: Role;
        scope: Scope;
        label: string;
        issuedBy: string;
        idempotencyKey: string;
    }): Promise<{
        key: string;
        record: ApiKeyRecord;
        position: bigint;
    }>;
    /**
     * Issues the first administrator key if no key was ever issued; returns undefined otherwise.
     * Two processes starting on one fresh store race on `no_stream`: exactly one wins. The key is
     * handed to `keep` before it is appended, so a key the ledger knows is always saved somewhere
     * first; `keep` returns what to do once the append's outcome is known.
     */
    bootstrapAdmin(keep: (key: string, keyId: string) => KeptBootstrapKey): Promise<{
        record: ApiKeyRecord;
        kept: string;
    } | undefined>;
    revoke(input: {
        keyId: string;
        reason: string;
        revokedBy: string;
        idempotencyKey: string;
    }): Promise<{
        record: ApiKeyRecord;
        position: bigint;
    }>;
}
