/**
 * The Idempotency-Key contract: a write repeated with the same key returns the original
 * response; the same key with a different request is rejected with 409 IDEMPOTENCY_KEY_REUSED.
 *
 * How it is made durable, in two layers:
 *  1. No double effect. The key (scoped to the API key that sent it) becomes the command's
 *     idempotency key, from which the command handler derives deterministic event ids; the store
 *     is idempotent by event id and the domain by idempotency key. So even a retry that finds no
 *     response record below (a crash between the command's append and the record's) cannot apply
 *     the command twice.
 *  2. The same response. After a write succeeds, a small record — request hash, status, body — is
 *     appended to the stream `idempotency-<sha256(api key id, key)>` in the same event store, and
 *     kept in a bounded in-memory cache in front of it. A repeat is answered from the cache or the
 *     stream, after any restart and from any API process sharing the store.
 *
 * Only successful responses are recorded: a rejected write changed nothing, so retrying it with
 * the same key simply runs it again (e.g. after the volunteer earned enough points).
 * The record stream is written with `no_stream`, so two processes racing on one key cannot both
 * record; the loser's command was the same command and was deduplicated by layer 1.
 */
import { createHash } from 'node:crypto';
import { deterministicEventId, KeyedSerializer } from '@timebank/application';
import {
  canonicalJson,
  isWrongExpectedVersion,
  type EventStore,
  type JsonObject,
} from '@timebank/event-store';
import { ProblemError } from './problem.js';

export const IDEMPOTENCY_STREAM_PREFIX = 'idempotency-';
const RECORD_EVENT_TYPE = 'IdempotentResponseRecorded';

/** Keys are opaque: printable, at most 100 characters, so that scoped to the API key (+37) they fit the domain's 200. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

export interface IdempotentResponse {
  readonly statusCode: number;
  readonly body: JsonObject;
}

interface StoredRecord extends IdempotentResponse {
  readonly requestHash: string;
}

/** Hash of what makes two requests "the same": method, route, path parameters and canonical body. */
export function requestHashOf(method: string, routeUrl: string, params: unknown, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ method, routeUrl, params: params ?? null, body: body ?? null }))
    .digest('hex');
}

export class IdempotencyRecords {
  readonly #store: EventStore;
  readonly #cache = new Map<string, StoredRecord>();
  readonly #cacheEntriesMax: number;
  readonly #serializer = new KeyedSerializer();

  constructor(options: { store: EventStore; cacheEntriesMax: number }) {
    this.#store = options.store;
    this.#cacheEntriesMax = options.cacheEntriesMax;
  }

  /**
   * Runs `execute` at most once per (API key, idempotency key) and returns its response, or the
   * recorded response of an earlier identical request. `recordable` lets a route persist a
   * redacted body (a new API key's secret is never stored).
   */
  async run(input: {
    scopedKey: string;
    requestHash: string;
    execute: () => Promise<IdempotentResponse & { recordedBody?: JsonObject }>;
  }): Promise<IdempotentResponse & { replayed: boolean }> {
    const streamName = IDEMPOTENCY_STREAM_PREFIX + createHash('sha256').update(input.scopedKey).digest('hex');
    // Concurrent requests with one key in this process run one after another, so the second sees the first's record.
    return this.#serializer.run(streamName, async () => {
      const existing = await this.#find(streamName);
      if (existing !== undefined) {
        if (existing.requestHash !== input.requestHash) {
          throw ProblemError.http(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was already used for a different request',
          );
        }
        return { statusCode: existing.statusCode, body: existing.body, replayed: true };
      }
      const response = await input.execute();
      const record: StoredRecord = {
        requestHash: input.requestHash,
        statusCode: response.statusCode,
        body: response.recordedBody ?? response.body,
      };
      await this.#save(streamName, input.scopedKey, record);
      return { statusCode: response.statusCode, body: response.body, replayed: false };
    });
  }

  async #find(streamName: string): Promise<StoredRecord | undefined> {
    const cached = this.#cache.get(streamName);
    if (cached !== undefined) return cached;
    const [event] = await this.#store.readStream(streamName, { maxCount: 1 });
    if (event === undefined) return undefined;
    const data = event.data as { requestHash: string; statusCode: number; body: JsonObject };
    const record: StoredRecord = {
      requestHash: data.requestHash,
      statusCode: data.statusCode,
      body: data.body,
    };
    this.#remember(streamName, record);
    return record;
  }

  async #save(streamName: string, scopedKey: string, record: StoredRecord): Promise<void> {
    try {
      await this.#store.appendToStream(
        streamName,
        [
          {
            id: deterministicEventId(scopedKey, streamName, 0),
            type: RECORD_EVENT_TYPE,
            data: { requestHash: record.requestHash, statusCode: record.statusCode, body: record.body },
            metadata: { schemaVersion: 1, idempotencyKey: scopedKey },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
    } catch (error) {
      // Another process recorded this key first; its command was this command (layer 1 deduplicated it).
      if (!isWrongExpectedVersion(error)) throw error;
      this.#cache.delete(streamName);
      return;
    }
    this.#remember(streamName, record);
  }

  #remember(streamName: string, record: StoredRecord): void {
    if (this.#cacheEntriesMax === 0) return;
    this.#cache.set(streamName, record);
    if (this.#cache.size > this.#cacheEntriesMax) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}
