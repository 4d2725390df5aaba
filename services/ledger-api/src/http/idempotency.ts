/**
 * The Idempotency-Key contract: a write repeated with the same key returns the original
 * response; the same key with a different request is rejected with 409 IDEMPOTENCY_KEY_REUSED.
 *
 * How it is made durable, in two layers:
 *  1. No double effect. The key (scoped to the API key that sent it) becomes the command's
 *     idempotency key, from which the command handler derives deterministic event ids; the store
 *     is idempotent by event id and the domain by idempotency key. So even a retry that finds no
 *     record below cannot apply the command twice.
 *  2. The same response, found by the key alone after any restart and from any API process
 *     sharing the store (behind a bounded in-memory cache), in one of two ways:
 *     - On a store with `IdempotencyClaims` (SQLite, PostgreSQL), for writes whose response is a
 *       function of their events: the claim (key hash, request hash) is a row written in the same
 *       transaction as the command's events, and the store refuses an append whose key is claimed.
 *       Nothing is read before the write; only a write that stored nothing reads the claim, and a
 *       repeat rebuilds the response from the command's events, found by their idempotency key.
 *     - Otherwise, in the stream `idempotency-<sha256(api key id, key)>`, which holds one of:
 *       a claim (`IdempotencyKeyClaimed`: request hash and the command's stream), submitted right
 *       beside the command's own append, so that both share one group commit (EventStoreDB, and
 *       claims made before claims were rows, which are still honoured); or a response record
 *       (`IdempotentResponseRecorded`: request hash, status, body), appended after the write
 *       succeeded, for writes whose response is not a function of their events (API keys,
 *       reactions), and after a claim when the write turned out to need one.
 *
 * Only writes that reach the store are claimed or recorded: a write the domain rejected changed
 * nothing, so retrying it with the same key runs it again. Records are written with an expected
 * revision, so two processes racing on one key cannot both record; the loser's command was the
 * same command and was deduplicated by layer 1.
 */
import { deterministicEventId, KeyedSerializer, sha256Hex } from '@timebank/application';
import {
  IDEMPOTENCY_STREAM_PREFIX,
  ledgerEventSchemaVersion,
  type IdempotencyEventType,
} from '@timebank/domain';
import {
  canonicalJson,
  idempotencyClaimsOf,
  isIdempotencyKeyClaimed,
  isWrongExpectedVersion,
  type EventStore,
  type IdempotencyClaim,
  type IdempotencyClaims,
  type JsonObject,
  type RecordedEvent,
  type StoredIdempotencyClaim,
} from '@timebank/event-store';
import { ProblemError } from './problem.js';

/** Stream prefix, type names, schemas and versions are the event catalogue's (`@timebank/domain`). */
export { IDEMPOTENCY_STREAM_PREFIX };
const RESPONSE_EVENT_TYPE = 'IdempotentResponseRecorded' satisfies IdempotencyEventType;
const CLAIM_EVENT_TYPE = 'IdempotencyKeyClaimed' satisfies IdempotencyEventType;

/** Keys are opaque: printable, at most 100 characters, so that scoped to the API key (+37) they fit the domain's 200. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

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

type StoredRecord =
  | ({ readonly kind: 'response'; readonly requestHash: string } & IdempotentResponse)
  | { readonly kind: 'claim'; readonly requestHash: string; readonly streamName: string };

/** Hash of what makes two requests "the same": method, route, path parameters and canonical body. */
export function requestHashOf(method: string, routeUrl: string, params: unknown, body: unknown): string {
  return sha256Hex(canonicalJson({ method, routeUrl, params: params ?? null, body: body ?? null }));
}

function claimRecordOf(claim: StoredIdempotencyClaim): StoredRecord {
  return { kind: 'claim', requestHash: claim.requestHash, streamName: claim.streamName };
}

/** How long a request waits for the answer of the same request running in another process. */
const ANSWER_ELSEWHERE_WAIT_MS = 10_000;
const ANSWER_ELSEWHERE_POLL_MS = 50;

/**
 * The command took effect, but not through this request: the same request (same key) ran in
 * another process at the same moment and its answer is that process's to record. Within one
 * process same-key requests run one after another, so only several processes meet this.
 */
export function answeredElsewhere(): ProblemError {
  return ProblemError.http(
    'COMMAND_ALREADY_APPLIED',
    'this command already took effect; read the stream for its events',
  );
}

const isAlreadyApplied = (error: unknown): boolean =>
  error instanceof ProblemError && error.code === 'COMMAND_ALREADY_APPLIED';

export class IdempotencyRecords {
  readonly #store: EventStore;
  /** The store's claims in the append's transaction, if it has them (SQLite, PostgreSQL). */
  readonly #claims: IdempotencyClaims | undefined;
  /** Responses to replay (what a record or a rebuilt claim answers). */
  readonly #cache = new Map<string, StoredRecord & { kind: 'response' }>();
  readonly #cacheEntriesMax: number;
  readonly #serializer = new KeyedSerializer();

  constructor(options: { store: EventStore; cacheEntriesMax: number }) {
    this.#store = options.store;
    this.#claims = idempotencyClaimsOf(options.store);
    this.#cacheEntriesMax = options.cacheEntriesMax;
  }

  /**
   * Runs `execute` at most once per (API key, idempotency key) and returns its response, or the
   * response of an earlier identical request: recorded, or rebuilt by `rebuild` from a claim.
   */
  async run(input: RunInput): Promise<IdempotentResponse & { replayed: boolean }> {
    const keyHash = sha256Hex(input.scopedKey);
    const streamName = IDEMPOTENCY_STREAM_PREFIX + keyHash;
    // Concurrent requests with one key in this process run one after another, so the second sees the first's record.
    return this.#serializer.run(streamName, async () => {
      const cached = this.#cache.get(streamName);
      if (cached === undefined && this.#claims !== undefined && input.rebuild !== undefined) {
        return this.#runClaimed(streamName, keyHash, input, input.rebuild);
      }
      const existing = cached ?? (await this.#read(streamName));
      const answered = await this.#answer(streamName, existing, input);
      if (answered !== undefined) return answered;
      // Never recorded, or claimed by a write that appended nothing (it lost every race, or the store failed): run it.
      return this.#execute(streamName, input, existing === undefined);
    });
  }

  /**
   * What an earlier request's record answers: IDEMPOTENCY_KEY_REUSED for a different request, the
   * recorded or rebuilt response for the same one, or undefined when there is nothing to replay.
   */
  async #answer(
    streamName: string,
    existing: StoredRecord | undefined,
    input: RunInput,
  ): Promise<(IdempotentResponse & { replayed: boolean }) | undefined> {
    if (existing === undefined) return undefined;
    if (existing.requestHash !== input.requestHash) {
      throw ProblemError.http(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used for a different request',
      );
    }
    if (existing.kind === 'response') {
      this.#remember(streamName, existing);
      return { statusCode: existing.statusCode, body: existing.body, replayed: true };
    }
    if (input.rebuild === undefined) throw new Error(`key claimed by a write this route cannot rebuild`);
    const rebuilt = await input.rebuild(existing.streamName);
    if (rebuilt === undefined) return undefined;
    this.#remember(streamName, { kind: 'response', requestHash: input.requestHash, ...rebuilt });
    return { ...rebuilt, replayed: true };
  }

  /**
   * The path of a store with `IdempotencyClaims`: nothing is read before the write. The claim
   * travels with the command's append, in its transaction, and the store refuses it if the key
   * was claimed before; only a write that stored nothing (refused, rejected, or with nothing to
   * append) reads what an earlier request left, to answer from it.
   */
  async #runClaimed(
    streamName: string,
    keyHash: string,
    input: RunInput,
    rebuild: RebuildResponse,
  ): Promise<IdempotentResponse & { replayed: boolean }> {
    const claim: IdempotencyClaim = { keyHash, requestHash: input.requestHash };
    let response: ExecutedResponse;
    try {
      response = await input.execute(() => claim);
    } catch (error) {
      // A response record (or a claim event from before claims were rows) first, then the claim row.
      const existing =
        (await this.#read(streamName)) ??
        (isIdempotencyKeyClaimed(error) ? claimRecordOf(error.claim) : await this.#readClaimRow(keyHash));
      const answered = await this.#answer(streamName, existing, { ...input, rebuild });
      if (answered === undefined) throw error;
      return answered;
    }
    const record = {
      kind: 'response' as const,
      requestHash: input.requestHash,
      statusCode: response.statusCode,
      body: response.recordedBody ?? response.body,
    };
    if (response.recordResponse === true || response.recordedBody !== undefined)
      return this.#record(streamName, input, { record, response, expected: 'no_stream' });
    this.#remember(streamName, record);
    return { statusCode: response.statusCode, body: response.body, replayed: false };
  }

  async #readClaimRow(keyHash: string): Promise<StoredRecord | undefined> {
    const stored = await this.#claims?.readIdempotencyClaim(keyHash);
    return stored && claimRecordOf(stored);
  }

  async #execute(
    streamName: string,
    input: RunInput,
    claimable: boolean,
  ): Promise<IdempotentResponse & { replayed: boolean }> {
    let claimed: Promise<boolean> | undefined;
    const claim: ClaimKey = (target) => {
      if (claimed !== undefined) throw new Error('a write claimed its idempotency key twice');
      const data = { requestHash: input.requestHash, streamName: target };
      // Settles to whether the claim is stored; the write's own outcome is awaited by `execute`.
      claimed = this.#append(streamName, input.scopedKey, CLAIM_EVENT_TYPE, data, 'no_stream').then(
        (stored) => stored,
        () => false,
      );
      return undefined;
    };
    let response: ExecutedResponse;
    try {
      response = await input.execute(claimable ? claim : undefined);
    } catch (error) {
      // The key stays locked until the claim settled, so a repeat reads it rather than racing it.
      await claimed;
      if (isAlreadyApplied(error)) {
        const answered = await this.#answerOfAnotherProcess(streamName, input);
        if (answered !== undefined) return answered;
      }
      throw error;
    }
    const claimStored = claimed === undefined ? !claimable : await claimed;
    const record = {
      kind: 'response' as const,
      requestHash: input.requestHash,
      statusCode: response.statusCode,
      body: response.recordedBody ?? response.body,
    };
    if (!claimStored || response.recordResponse === true || response.recordedBody !== undefined) {
      // After a stored claim the response record is the stream's second event.
      const expected = claimStored ? 0n : 'no_stream';
      return this.#record(streamName, input, { record, response, expected });
    }
    this.#remember(streamName, record);
    return { statusCode: response.statusCode, body: response.body, replayed: false };
  }

  /**
   * Records `record` and answers with what the stream holds afterwards. Another process that ran
   * this same request at the same moment (its command deduplicated by the first's, layer 1) may
   * have recorded first: its append wins, and ours, with the same deterministic event id, is taken
   * as already stored or refused. Both copies of the request then answer what was recorded (for a
   * transfer, the position differed by the reactions each saw), never two different answers.
   */
  async #record(
    streamName: string,
    input: RunInput,
    {
      record,
      response,
      expected,
    }: {
      record: StoredRecord & { kind: 'response' };
      response: ExecutedResponse;
      expected: 'no_stream' | bigint;
    },
  ): Promise<IdempotentResponse & { replayed: boolean }> {
    const data = { requestHash: record.requestHash, statusCode: record.statusCode, body: record.body };
    await this.#append(streamName, input.scopedKey, RESPONSE_EVENT_TYPE, data, expected);
    const stored = await this.#read(streamName);
    if (
      stored?.kind === 'response' &&
      stored.requestHash === input.requestHash &&
      // Compared as canonical JSON: the store may give the keys back in another order (jsonb).
      (stored.statusCode !== record.statusCode || canonicalJson(stored.body) !== canonicalJson(record.body))
    ) {
      this.#remember(streamName, stored);
      return { statusCode: stored.statusCode, body: stored.body, replayed: true };
    }
    this.#remember(streamName, record);
    return { statusCode: response.statusCode, body: response.body, replayed: false };
  }

  /**
   * The answer the same request in another process records, waited for: with two processes, two
   * copies of one request (a client's retry after a timeout, a proxy's resend) ran at once, the
   * command took effect once, and the copy that did not write answered 409 COMMAND_ALREADY_APPLIED
   * (or, for a transfer, 500) instead of the recorded 201. Undefined when none comes in time.
   */
  async #answerOfAnotherProcess(
    streamName: string,
    input: RunInput,
  ): Promise<(IdempotentResponse & { replayed: boolean }) | undefined> {
    const deadline = Date.now() + ANSWER_ELSEWHERE_WAIT_MS;
    for (;;) {
      const existing = await this.#read(streamName);
      if (existing !== undefined && (existing.kind === 'response' || input.rebuild !== undefined)) {
        const answered = await this.#answer(streamName, existing, input);
        if (answered !== undefined) return answered;
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, ANSWER_ELSEWHERE_POLL_MS));
    }
  }

  /** The record a repeat is answered from: a response if one was recorded, else the claim. */
  async #read(streamName: string): Promise<StoredRecord | undefined> {
    const events = await this.#store.readStream(streamName, { maxCount: 2 });
    const response = events.find((event) => event.type === RESPONSE_EVENT_TYPE);
    if (response !== undefined) {
      const data = response.data as { requestHash: string; statusCode: number; body: JsonObject };
      return {
        kind: 'response',
        requestHash: data.requestHash,
        statusCode: data.statusCode,
        body: data.body,
      };
    }
    const claim = events.find((event: RecordedEvent) => event.type === CLAIM_EVENT_TYPE);
    if (claim === undefined) return undefined;
    const data = claim.data as { requestHash: string; streamName: string };
    return { kind: 'claim', requestHash: data.requestHash, streamName: data.streamName };
  }

  /** Appends one record event; false if another writer got there first. */
  // eslint-disable-next-line max-params -- stream, scoped key, event type, data and expected revision are exactly one append's parts, each distinct
  async #append(
    streamName: string,
    scopedKey: string,
    type: IdempotencyEventType,
    data: JsonObject,
    expectedRevision: 'no_stream' | bigint,
  ): Promise<boolean> {
    const index = expectedRevision === 'no_stream' ? 0 : Number(expectedRevision) + 1;
    try {
      await this.#store.appendToStream(
        streamName,
        [
          {
            id: deterministicEventId(scopedKey, streamName, index),
            type,
            data,
            metadata: { schemaVersion: ledgerEventSchemaVersion(type), idempotencyKey: scopedKey },
          },
        ],
        { expectedRevision },
      );
      return true;
    } catch (error) {
      if (!isWrongExpectedVersion(error)) throw error;
      this.#cache.delete(streamName);
      return false;
    }
  }

  #remember(streamName: string, record: StoredRecord & { kind: 'response' }): void {
    if (this.#cacheEntriesMax === 0) return;
    this.#cache.delete(streamName);
    this.#cache.set(streamName, record);
    if (this.#cache.size > this.#cacheEntriesMax) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}
