/**
 * The EventStore port on EventStoreDB / KurrentDB through `@eventstore/db-client` v6.
 *
 * The server provides ordering, the expected-revision check and idempotency by event id; the
 * adapter adds what the port promises beyond that: the per-stream hash chain, the port's input
 * limits, positions as one `bigint`, bounded retries of transient failures, and subscriptions
 * that survive dropped connections. See docs/event-store.md ("EventStoreDB / KurrentDB").
 */
import { BACKWARDS, END, EventStoreDBClient, FORWARDS, NO_STREAM, START } from '@eventstore/db-client';
import type { AllStreamResolvedEvent, ResolvedEvent, StreamingRead } from '@eventstore/db-client';
import {
  DEFAULT_STORE_LIMITS,
  StoreLimitError,
  WrongExpectedVersionError,
  assertValidStreamName,
  validateAppend,
} from '@timebank/event-store';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreLimits,
  SubscribeOptions,
  Subscription,
} from '@timebank/event-store';
import { chainHashes, headReadCount, planAppend } from './append-plan.js';
import { clientConnectionString } from './connection-string.js';
import type { AppendPlan, StreamHead } from './append-plan.js';
import { esdbConflict, isStreamNotFound, isTransientEsdbError, toPortConflict } from './esdb-errors.js';
import { EsdbSubscription } from './esdb-subscription.js';
import { claimEvent, claimStreamName } from './event-id-claims.js';
import { esdbPosition, portPosition } from './positions.js';
import { assertValidPosition, resolveMaxCount, resolveStreamRead } from './read-options.js';
import { SYSTEM_RETRY_ENVIRONMENT, assertValidRetryPolicy, withRetry } from './retry.js';
import type { RetryEnvironment } from './retry.js';
import {
  assertNoReservedMetadataKeys,
  assertValidNamespace,
  decodeEvent,
  encodeEvent,
  esdbStreamName,
  portStreamName,
} from './wire-format.js';

/**
 * Most times an `any` / `stream_exists` append re-reads the head after losing a race to another
 * writer. Each round lets one racer through, so 64 serves 64 simultaneous `any` appenders on one
 * stream; the ledger itself never appends with `any`, so only auxiliary streams get near it.
 */
const CONFLICT_REPLANS_MAX = 64;
/** Id claims sent at once for one batch: enough to hide round trips, few enough not to flood one connection. */
const CLAIMS_IN_FLIGHT_MAX = 64;
/** Smallest `$all` page scanned for `readAll`, so that a namespace among many streams still moves quickly. */
const SCAN_PAGE_MIN = 256;
/** `$all` page read backwards by `headPosition` while skipping system and foreign events. */
const HEAD_SCAN_PAGE_SIZE = 100;

export interface EsdbEventStoreOptions {
  /**
   * e.g. `esdb://localhost:2113?tls=false`, or a cluster: `esdb://a:2113,b:2113,c:2113?nodePreference=leader`;
   * `kurrentdb://` and `kurrentdb+discover://` are accepted too.
   */
  readonly connectionString: string;
  /**
   * Keeps this store's streams apart from others in a shared database: streams are stored as
   * `<namespace>.<stream>` and reads and subscriptions see only the namespace. Used by the
   * contract tests to get a fresh, empty store per test from one server.
   */
  readonly namespace?: string;
  readonly limits?: StoreLimits;
  readonly retry?: RetryEnvironment;
}

/** Creates the adapter. The client connects lazily, on the first request. */
export function createEsdbEventStore(options: EsdbEventStoreOptions): EsdbEventStore {
  return new EsdbEventStore(options);
}

export class EsdbEventStore implements EventStore {
  readonly engine = 'esdb' as const;
  readonly #client: EventStoreDBClient;
  readonly #namespace: string | undefined;
  readonly #limits: StoreLimits;
  readonly #retry: RetryEnvironment;
  readonly #subscriptions = new Set<EsdbSubscription>();
  #closed = false;

  constructor(options: EsdbEventStoreOptions) {
    if (options.namespace !== undefined) assertValidNamespace(options.namespace);
    this.#retry = options.retry ?? SYSTEM_RETRY_ENVIRONMENT;
    assertValidRetryPolicy(this.#retry.policy);
    this.#namespace = options.namespace;
    this.#limits = options.limits ?? DEFAULT_STORE_LIMITS;
    this.#client = EventStoreDBClient.connectionString(clientConnectionString(options.connectionString));
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    this.#assertOpen();
    // EventStoreDB appends to one stream atomically, never to two: a claim cannot join the events,
    // so callers keep claims as events of their own streams (see docs/event-store.md).
    if (options.idempotencyClaim !== undefined) {
      throw new Error('EventStoreDB cannot store an idempotency claim in the append (no IdempotencyClaims)');
    }
    const expected = options.expectedRevision;
    validateAppend(streamName, events, expected, this.#limits);
    assertNoReservedMetadataKeys(events);
    const stream = esdbStreamName(streamName, this.#namespace);
    for (let replans = 0; ; replans += 1) {
      const tail = await this.#readTail(stream, headReadCount(expected, events.length));
      let plan: AppendPlan = planAppend(expected, tail, events);
      if (plan.kind === 'read-previous') {
        const previous = await this.#readHeadsForward(stream, plan.revision, 1);
        if (previous[0]?.revision !== plan.revision) {
          throw new Error(`stream ${stream}: revision ${plan.revision} vanished while appending`);
        }
        plan = {
          kind: 'write',
          firstRevision: plan.revision + 1n,
          previousHash: previous[0].hash,
          esdbExpectedRevision: plan.revision,
          replanOnConflict: false,
        };
      }
      if (plan.kind === 'conflict') {
        throw new WrongExpectedVersionError(streamName, expected, plan.actualRevision);
      }
      if (plan.kind === 'already-appended') return plan.result;
      if (replans === 0) await this.#claimIds(streamName, events);
      const hashes = chainHashes(streamName, plan.firstRevision, plan.previousHash, events);
      const encoded = events.map((event, index) => encodeEvent(event, hashes[index] ?? ''));
      const { esdbExpectedRevision } = plan;
      try {
        // Repeating the same write is safe: it carries an exact expected revision, so the server
        // either stores it once or answers idempotently for the ids it already holds.
        const result = await withRetry(`append to ${stream}`, this.#retry, isTransientEsdbError, () =>
          this.#client.appendToStream(stream, encoded, { expectedRevision: esdbExpectedRevision }),
        );
        const lastRevision = plan.firstRevision + BigInt(events.length - 1);
        if (result.nextExpectedRevision !== lastRevision) {
          throw new Error(
            `stream ${stream}: server acknowledged revision ${result.nextExpectedRevision}, expected ${lastRevision}`,
          );
        }
        return {
          nextExpectedRevision: lastRevision,
          position: await this.#positionOf(stream, lastRevision, events),
        };
      } catch (error) {
        const conflict = esdbConflict(error);
        if (conflict === undefined) throw error;
        if (plan.replanOnConflict && replans < CONFLICT_REPLANS_MAX) continue;
        throw toPortConflict(streamName, expected, conflict);
      }
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    assertValidStreamName(streamName);
    const read = resolveStreamRead(options, this.#limits);
    if (read.maxCount === 0) return [];
    const stream = esdbStreamName(streamName, this.#namespace);
    const resolved = await this.#collect(`read ${stream}`, () =>
      this.#client.readStream(stream, {
        fromRevision: read.fromRevision,
        direction: read.direction === 'forwards' ? FORWARDS : BACKWARDS,
        maxCount: BigInt(read.maxCount),
      }),
    );
    return resolved.flatMap(({ event }) => {
      const decoded = event === undefined ? undefined : decodeEvent(event, this.#namespace);
      return decoded === undefined ? [] : [decoded];
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    assertValidPosition(options.fromPosition, 'fromPosition');
    const maxCount = resolveMaxCount(options.maxCount, this.#limits);
    const events: RecordedEvent[] = [];
    if (maxCount === 0) return events;
    // `after` is the exclusive lower bound; ESDB's forward read is inclusive of its start, so
    // the event at `after` comes back first and is dropped here.
    let after = options.fromPosition;
    for (;;) {
      const pageSize = Math.min(
        Math.max(this.#limits.readBatchMax, 2),
        Math.max(maxCount - events.length + 1, SCAN_PAGE_MIN),
      );
      const from = after;
      const page = await this.#collect('read $all', () =>
        this.#client.readAll({
          fromPosition: from === undefined ? START : esdbPosition(from),
          direction: FORWARDS,
          maxCount: BigInt(pageSize),
        }),
      );
      let advanced = false;
      for (const { event: raw } of page) {
        if (raw === undefined) continue;
        const position = portPosition(raw.position);
        if (after !== undefined && position <= after) continue;
        after = position;
        advanced = true;
        const event = decodeEvent(raw, this.#namespace);
        if (event === undefined) continue;
        events.push(event);
        if (events.length === maxCount) return events;
      }
      if (page.length < pageSize || !advanced) return events;
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    assertValidPosition(options.fromPosition, 'fromPosition');
    const subscription = new EsdbSubscription(
      { client: this.#client, namespace: this.#namespace, store: this, retry: this.#retry },
      options,
      (closed) => this.#subscriptions.delete(closed),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    this.#assertOpen();
    let before: bigint | undefined;
    for (;;) {
      const from = before;
      const page = await this.#collect('read $all backwards', () =>
        this.#client.readAll({
          fromPosition: from === undefined ? END : esdbPosition(from),
          direction: BACKWARDS,
          maxCount: BigInt(HEAD_SCAN_PAGE_SIZE),
        }),
      );
      let advanced = false;
      for (const { event: raw } of page) {
        if (raw === undefined) continue;
        const position = portPosition(raw.position);
        if (before !== undefined && position >= before) continue;
        before = position;
        advanced = true;
        const isLedgerEvent =
          !raw.type.startsWith('$') && portStreamName(raw.streamId, this.#namespace) !== undefined;
        if (isLedgerEvent) return position;
      }
      if (page.length < HEAD_SCAN_PAGE_SIZE || !advanced) return 0n;
    }
  }

  /** Drops every live subscription's connection, as a network failure would (contract tests). */
  async disconnectSubscriptions(): Promise<void> {
    for (const subscription of this.#subscriptions) subscription.disconnect();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#client.dispose();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the EventStoreDB store is closed');
  }

  /** Claims every id of the batch for `streamName`; see event-id-claims.ts. */
  async #claimIds(streamName: string, events: readonly NewEvent[]): Promise<void> {
    const duplicates: string[] = [];
    for (let start = 0; start < events.length; start += CLAIMS_IN_FLIGHT_MAX) {
      const chunk = events.slice(start, start + CLAIMS_IN_FLIGHT_MAX);
      await Promise.all(
        chunk.map(async ({ id }) => {
          const stream = claimStreamName(id, this.#namespace);
          try {
            await withRetry(`claim ${stream}`, this.#retry, isTransientEsdbError, () =>
              this.#client.appendToStream(stream, claimEvent(id, streamName), {
                expectedRevision: NO_STREAM,
              }),
            );
          } catch (error) {
            if (esdbConflict(error) === undefined) throw error;
            duplicates.push(id);
          }
        }),
      );
    }
    if (duplicates.length > 0) {
      throw new StoreLimitError(
        'DUPLICATE_EVENT_ID',
        `event id ${duplicates.join(', ')} already belongs to another stream than ${streamName}`,
      );
    }
  }

  /** The stream's last `count` events, oldest first; empty when the stream does not exist. */
  async #readTail(stream: string, count: number): Promise<StreamHead[]> {
    const resolved = await this.#collect(`read ${stream}`, () =>
      this.#client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: BigInt(count) }),
    );
    return this.#heads(resolved).reverse();
  }

  async #readHeadsForward(stream: string, fromRevision: bigint, count: number): Promise<StreamHead[]> {
    const resolved = await this.#collect(`read ${stream}`, () =>
      this.#client.readStream(stream, { fromRevision, direction: FORWARDS, maxCount: BigInt(count) }),
    );
    return this.#heads(resolved);
  }

  #heads(resolved: readonly ResolvedEvent[]): StreamHead[] {
    return resolved.flatMap(({ event }) => {
      const decoded = event === undefined ? undefined : decodeEvent(event, this.#namespace);
      return decoded === undefined ? [] : [decoded];
    });
  }

  /**
   * The global position of the batch's last event, read back from the stream: the append
   * response's position is not the event's own `$all` position in every server version.
   */
  async #positionOf(stream: string, revision: bigint, events: readonly NewEvent[]): Promise<bigint> {
    const [stored] = await this.#readHeadsForward(stream, revision, 1);
    if (stored?.revision !== revision || stored.id !== events.at(-1)?.id) {
      throw new Error(`stream ${stream}: revision ${revision} does not hold the event just appended`);
    }
    return stored.position;
  }

  /** Reads a whole (bounded) server read into memory, retrying transient failures. */
  async #collect<E extends ResolvedEvent | AllStreamResolvedEvent>(
    what: string,
    open: () => StreamingRead<E>,
  ): Promise<E[]> {
    return withRetry(what, this.#retry, isTransientEsdbError, async () => {
      const events: E[] = [];
      try {
        for await (const event of open()) events.push(event);
      } catch (error) {
        if (isStreamNotFound(error)) return [];
        throw error;
      }
      return events;
    });
  }
}
