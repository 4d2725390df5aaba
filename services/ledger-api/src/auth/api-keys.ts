/**
 * API keys. A key is shown once, when issued; the ledger keeps only its sha-256 hash, with the
 * role and scope it is bound to, as events in the `access-keys` stream so that every issue and
 * revocation is part of the audited history. The registry folds that stream into memory at
 * start-up and appends to it (with an expected revision) on every change.
 *
 * Several API processes can share one store (PostgreSQL), and a key issued or revoked through
 * one must count in all of them. So before authenticating, a registry whose last catch-up began
 * more than `refreshIntervalMs` ago reads the stream's tail first (concurrent requests share one
 * read). A change appended at time T is therefore seen by every request that starts after
 * T + refreshIntervalMs, in every process, with no background task and at most one stream read
 * per interval per process.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { deterministicEventId } from '@timebank/application';
import {
  ACCESS_KEYS_STREAM,
  apiKeyIssuedData,
  apiKeyRevokedData,
  ledgerEventSchemaVersion,
  type AccessKeyEventType,
} from '@timebank/domain';
import {
  isWrongExpectedVersion,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
} from '@timebank/event-store';
import { KeyedSerializer } from '@timebank/application';
import { HTTP_ERROR_STATUS, ProblemError } from '../http/problem.js';
import { SCOPE_KIND_OF_ROLE, type ApiKeyRole, type ApiKeyScope, type Principal } from './principal.js';

/** The stream's name and its events' schemas are the catalogue's (`@timebank/domain`). */
export { ACCESS_KEYS_STREAM };

/** 32 random bytes: 256 bits, far beyond guessing; base64url keeps the key header-safe. */
const KEY_SECRET_BYTES = 32;
const KEY_PREFIX = 'tbk_';
/**
 * Keys whose hash is remembered, in keys. A deployment has hundreds of desks, organisers and
 * partners; 1,000 covers them all, so a busy key is hashed once rather than on every request.
 */
const HASHED_KEYS_MAX = 1_000;

export interface ApiKeyRegistryOptions {
  /** How stale the fold may be before a request reads the stream's tail; see API_KEY_REFRESH_MS. */
  readonly refreshIntervalMs: number;
  /** Milliseconds on a clock that never goes back; default `performance.now`. */
  readonly monotonicMs?: () => number;
}

export interface ApiKeyRecord extends Principal {
  readonly role: ApiKeyRole;
  readonly scope: ApiKeyScope;
  readonly keyHash: string;
  readonly issuedBy: string;
  readonly issuedPosition: string;
  readonly revoked: boolean;
}

/** sha-256 of the whole key, lower-case hex. Keys are random, so no salt or slow hash is needed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A bootstrap key saved before its append: `commit` once the store has it (returns where it is), `discard` if not. */
export interface KeptBootstrapKey {
  commit(): string;
  discard(): void;
}

/** A refused key operation; already an HTTP answer, so the error handler needs to know nothing of keys. */
export class ApiKeyError extends ProblemError {
  constructor(code: 'API_KEY_NOT_FOUND' | 'API_KEY_SCOPE_MISMATCH', message: string) {
    super(HTTP_ERROR_STATUS[code], code, message);
    this.name = 'ApiKeyError';
  }
}

/** A role requires a scope of one kind (a desk serves a community, and so on): 422 otherwise. */
export function assertScopeFitsRole(role: ApiKeyRole, scope: ApiKeyScope): void {
  if (SCOPE_KIND_OF_ROLE[role] === scope.kind) return;
  throw new ApiKeyError(
    'API_KEY_SCOPE_MISMATCH',
    `a key of role ${role} must be bound to a scope of kind ${SCOPE_KIND_OF_ROLE[role]}, not ${scope.kind}`,
  );
}

export class ApiKeyRegistry {
  readonly #store: EventStore;
  readonly #byHash = new Map<string, ApiKeyRecord>();
  readonly #byId = new Map<string, ApiKeyRecord>();
  readonly #serializer = new KeyedSerializer();
  /** Presented key → its hash, for keys that authenticated; the record is still looked up by hash, so a revocation applies at once. */
  readonly #hashOfKey = new Map<string, string>();
  readonly #refreshIntervalMs: number;
  readonly #monotonicMs: () => number;
  #revision = -1n;
  /** When (on `#monotonicMs`) the last completed catch-up began: what it read was current then. */
  #caughtUpAtMs = Number.NEGATIVE_INFINITY;
  /** The catch-up in flight for requests that found the fold stale, shared by all of them. */
  #refreshing: Promise<void> | undefined;

  private constructor(store: EventStore, options: ApiKeyRegistryOptions) {
    this.#store = store;
    this.#refreshIntervalMs = options.refreshIntervalMs;
    this.#monotonicMs = options.monotonicMs ?? (() => performance.now());
  }

  /** Folds the `access-keys` stream into memory. */
  static async load(store: EventStore, options: ApiKeyRegistryOptions): Promise<ApiKeyRegistry> {
    const registry = new ApiKeyRegistry(store, options);
    await registry.#catchUp();
    return registry;
  }

  /**
   * Catches up with the stream when the last catch-up began more than `refreshIntervalMs` ago,
   * so that keys issued or revoked by another process count here too. Call before `authenticate`.
   */
  async refresh(): Promise<void> {
    if (this.#monotonicMs() - this.#caughtUpAtMs <= this.#refreshIntervalMs) return;
    this.#refreshing ??= this.#serializer
      .run(ACCESS_KEYS_STREAM, () => this.#catchUp())
      .finally(() => (this.#refreshing = undefined));
    await this.#refreshing;
  }

  /** True until the first key has ever been issued: the server then issues a bootstrap admin key. */
  get isEmpty(): boolean {
    return this.#revision < 0n;
  }

  /** True when `refresh()` would read the stream: the last catch-up began more than `refreshIntervalMs` ago. */
  get refreshDue(): boolean {
    return this.#monotonicMs() - this.#caughtUpAtMs > this.#refreshIntervalMs;
  }

  /** The active key with this plaintext, or undefined (unknown or revoked), as of the last catch-up. */
  authenticate(key: string): Principal | undefined {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    let hash = this.#hashOfKey.get(key);
    if (hash === undefined) {
      hash = hashApiKey(key);
      // Only keys that exist are remembered: random guesses cannot push real keys out.
      if (this.#byHash.has(hash)) {
        if (this.#hashOfKey.size >= HASHED_KEYS_MAX) this.#hashOfKey.clear();
        this.#hashOfKey.set(key, hash);
      }
    }
    const record = this.#byHash.get(hash);
    return record === undefined || record.revoked ? undefined : record;
  }

  list(): ApiKeyRecord[] {
    return [...this.#byId.values()];
  }

  get(keyId: string): ApiKeyRecord | undefined {
    return this.#byId.get(keyId);
  }

  /**
   * Issues a key bound to a role and a scope of the kind that role requires. Returns the plaintext
   * key, which is never stored. `idempotencyKey` makes the event id deterministic, so a retried
   * append after a lost acknowledgement is not stored twice.
   */
  async issue(input: {
    role: ApiKeyRole;
    scope: ApiKeyScope;
    label: string;
    issuedBy: string;
    idempotencyKey: string;
  }): Promise<{ key: string; record: ApiKeyRecord; position: bigint }> {
    assertScopeFitsRole(input.role, input.scope);
    const key = `${KEY_PREFIX}${randomBytes(KEY_SECRET_BYTES).toString('base64url')}`;
    const data = {
      keyId: randomUUID(),
      keyHash: hashApiKey(key),
      role: input.role,
      scope: input.scope,
      label: input.label,
      issuedBy: input.issuedBy,
    };
    const position = await this.#append('ApiKeyIssued', data, input.idempotencyKey, input.issuedBy);
    const record = this.#byId.get(data.keyId);
    if (record === undefined) throw new Error(`issued key ${data.keyId} is missing after append`);
    return { key, record, position };
  }

  /**
   * Issues the first administrator key if no key was ever issued; returns undefined otherwise.
   * Two processes starting on one fresh store race on `no_stream`: exactly one wins. The key is
   * handed to `keep` before it is appended, so a key the ledger knows is always saved somewhere
   * first; `keep` returns what to do once the append's outcome is known.
   */
  async bootstrapAdmin(
    keep: (key: string, keyId: string) => KeptBootstrapKey,
  ): Promise<{ record: ApiKeyRecord; kept: string } | undefined> {
    return this.#serializer.run(ACCESS_KEYS_STREAM, async () => {
      await this.#catchUp();
      if (!this.isEmpty) return undefined;
      const key = `${KEY_PREFIX}${randomBytes(KEY_SECRET_BYTES).toString('base64url')}`;
      const keyId = randomUUID();
      const data = {
        keyId,
        keyHash: hashApiKey(key),
        role: 'admin',
        scope: { kind: 'all' },
        label: 'bootstrap administrator',
        issuedBy: 'system:bootstrap',
      };
      const kept = keep(key, keyId);
      try {
        await this.#appendUnlocked('ApiKeyIssued', data, `bootstrap:${keyId}`, 'system:bootstrap');
      } catch (error) {
        kept.discard();
        if (isWrongExpectedVersion(error)) return undefined;
        throw error;
      }
      return { record: this.#byId.get(keyId)!, kept: kept.commit() };
    });
  }

  async revoke(input: {
    keyId: string;
    reason: string;
    revokedBy: string;
    idempotencyKey: string;
  }): Promise<{ record: ApiKeyRecord; position: bigint }> {
    const position = await this.#serializer.run(ACCESS_KEYS_STREAM, async () => {
      await this.#catchUp();
      const existing = this.#byId.get(input.keyId);
      if (existing === undefined) throw new ApiKeyError('API_KEY_NOT_FOUND', `no API key ${input.keyId}`);
      // Revoking twice is a no-op: the key stays revoked and the original event stands.
      if (existing.revoked) return await this.#store.headPosition();
      return await this.#appendUnlocked(
        'ApiKeyRevoked',
        { keyId: input.keyId, revokedBy: input.revokedBy, reason: input.reason },
        input.idempotencyKey,
        input.revokedBy,
      );
    });
    return { record: this.#byId.get(input.keyId)!, position };
  }

  async #append(
    type: AccessKeyEventType,
    data: JsonObject,
    idempotencyKey: string,
    actor: string,
  ): Promise<bigint> {
    return this.#serializer.run(ACCESS_KEYS_STREAM, async () => {
      await this.#catchUp();
      return this.#appendUnlocked(type, data, idempotencyKey, actor);
    });
  }

  /**
   * Appends at the folded revision. A conflict means another process changed the keys between
   * our catch-up and append; it surfaces (as 409 CONCURRENCY_CONFLICT for issue and revoke) and
   * the next call catches up first. Key administration is rare, so no retry loop is needed.
   */
  async #appendUnlocked(
    type: AccessKeyEventType,
    data: JsonObject,
    idempotencyKey: string,
    actor: string,
  ): Promise<bigint> {
    const result = await this.#store.appendToStream(
      ACCESS_KEYS_STREAM,
      [
        {
          id: deterministicEventId(idempotencyKey, ACCESS_KEYS_STREAM, 0),
          type,
          data,
          metadata: { schemaVersion: ledgerEventSchemaVersion(type), actor, idempotencyKey },
        },
      ],
      { expectedRevision: this.#revision < 0n ? 'no_stream' : this.#revision },
    );
    await this.#catchUp();
    return result.position;
  }

  async #catchUp(): Promise<void> {
    const startedAtMs = this.#monotonicMs();
    for (;;) {
      const page = await this.#store.readStream(ACCESS_KEYS_STREAM, { fromRevision: this.#revision + 1n });
      for (const event of page) this.#apply(event);
      if (page.length === 0) break;
    }
    this.#caughtUpAtMs = Math.max(this.#caughtUpAtMs, startedAtMs);
  }

  #apply(event: RecordedEvent): void {
    if (event.revision !== this.#revision + 1n) {
      throw new Error(
        `${ACCESS_KEYS_STREAM}: expected revision ${this.#revision + 1n}, read ${event.revision}`,
      );
    }
    this.#revision = event.revision;
    if (event.type === 'ApiKeyIssued') {
      const data = apiKeyIssuedData.parse(event.data);
      const record: ApiKeyRecord = { ...data, issuedPosition: event.position.toString(), revoked: false };
      this.#byId.set(data.keyId, record);
      this.#byHash.set(data.keyHash, record);
    } else if (event.type === 'ApiKeyRevoked') {
      const data = apiKeyRevokedData.parse(event.data);
      const existing = this.#byId.get(data.keyId);
      if (existing === undefined)
        throw new Error(`${ACCESS_KEYS_STREAM}: revocation of unknown key ${data.keyId}`);
      const record = { ...existing, revoked: true };
      this.#byId.set(data.keyId, record);
      this.#byHash.set(record.keyHash, record);
    } else {
      throw new Error(
        `${ACCESS_KEYS_STREAM}: unknown event type ${event.type} at revision ${event.revision}`,
      );
    }
  }
}
