/**
 * The EventStore port. Every adapter (SQLite, PostgreSQL, EventStoreDB) implements exactly these
 * semantics, which are modelled on EventStoreDB's; the contract suite in `./contract` proves it.
 *
 * Positions and revisions are `bigint` everywhere in process; on the wire they travel as strings.
 */

/** A JSON value as stored: no `undefined`, functions, bigint, NaN or Infinity anywhere inside. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What the caller expects the stream's current revision to be.
 * - `no_stream`: the stream must not exist.
 * - `stream_exists`: the stream must have at least one event.
 * - `any`: no check (the ledger never uses it for its own events).
 * - a bigint: the revision of the stream's last event (0n after one event).
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

/** Metadata every ledger event carries. `schemaVersion` is the version of the event's data schema. */
export interface EventMetadata {
  readonly schemaVersion: number;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  readonly idempotencyKey?: string;
}

/** An event to append. `id` is a UUID, derived deterministically by the ledger from the command. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/** An event as stored, with its place in its stream and in the global order. */
export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
  readonly streamName: string;
  /** 0-based revision within the stream, gapless. */
  readonly revision: bigint;
  /** Global position: strictly increasing in commit order as seen by readers, not necessarily gapless. */
  readonly position: bigint;
  /** ISO-8601 UTC time the store recorded the event; not covered by the hash (the server assigns it). */
  readonly recordedAt: string;
  /** Lower-case hex sha-256; see `hash-chain.ts`. */
  readonly hash: string;
}

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
  /**
   * Claims an idempotency key in the same transaction as the events: both are stored or neither.
   * Only a store offering `IdempotencyClaims` accepts it; any other throws before writing.
   * If the key is claimed already, nothing is written and the append throws
   * `IdempotencyKeyClaimedError` carrying the stored claim, unless it is a retry of the very append
   * that claimed it (same request, same event ids), which returns the original result.
   */
  readonly idempotencyClaim?: IdempotencyClaim;
}

/** An idempotency key to claim with an append; both hashes are lower-case hex sha-256. */
export interface IdempotencyClaim {
  /** What identifies the key (e.g. sha-256 of API key id and Idempotency-Key): the claim's primary key. */
  readonly keyHash: string;
  /** What makes two requests with the key "the same". */
  readonly requestHash: string;
}

/** A claim as stored: the claim and where the append that made it ended. */
export interface StoredIdempotencyClaim extends IdempotencyClaim, AppendResult {
  readonly streamName: string;
}

export interface AppendResult {
  /** Revision of the stream's last event after this append: pass it as the next expectedRevision. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event of this append. */
  readonly position: bigint;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); default: start when forwards, end when backwards. */
  readonly fromRevision?: bigint | 'start' | 'end';
  readonly direction?: 'forwards' | 'backwards';
  /** At most this many events; default and ceiling: `limits.readBatchMax`. */
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; default: from the beginning. */
  readonly fromPosition?: bigint;
  /** At most this many events; default and ceiling: `limits.readBatchMax`. */
  readonly maxCount?: number;
}

export interface SubscriptionFilter {
  /** Deliver only events whose stream name starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
  /** Deliver only events of these types. */
  readonly eventTypes?: readonly string[];
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position; default: from the beginning. */
  readonly fromPosition?: bigint;
  readonly filter?: SubscriptionFilter;
}

export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  /** Emitted once, when the catch-up read has delivered everything that existed at subscribe time. */
  | { readonly kind: 'caught-up'; readonly position: bigint };

/**
 * A subscription to `$all`: catches up, signals `caught-up` once, then follows live. If the
 * underlying connection drops, the adapter resubscribes from the last delivered position by
 * itself; the consumer sees neither a gap nor a duplicate. Iteration is pull-based, so a slow
 * consumer applies back-pressure. `close()` ends the iteration.
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface EventStore {
  /** Which engine this is, for logs and metrics. */
  readonly engine: 'sqlite' | 'postgres' | 'esdb';
  /**
   * Appends events atomically. Throws `WrongExpectedVersionError` on a revision mismatch and a
   * `StoreLimitError` subclass for invalid input; in both cases nothing is written.
   * Idempotent by event id: re-appending the same ids at the same expected revision returns
   * the original result and stores nothing twice.
   */
  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** Reads one stream; an unknown stream reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Reads a page of the global log in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the last event visible to readers (0n when the store is empty). */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
  /**
   * Optional capability (`StreamChangeLog`): declared here so that an engine states in its type
   * whether it offers it and a wrapper can pass it through; find it with `changeLogOf`.
   */
  streamChangesSince?(token: ChangeToken | null): StreamChanges;
  /** Optional capability (`StreamChangeFeed`); find it with `changeFeedOf`. */
  streamChangesAfter?(position: bigint | null): Promise<StreamChangesAfter>;
  /** Optional capability (`PayloadReader`); find it with `payloadReaderOf`. */
  readAllPayloads?(options?: ReadAllOptions): Promise<EventPayload[]>;
  /** Optional capability (`IdempotencyClaims`); find it with `idempotencyClaimsOf`. */
  readIdempotencyClaim?(keyHash: string): Promise<StoredIdempotencyClaim | undefined>;
}

/** The optional members of the port: what an engine may offer beyond the required ones. */
export type StoreCapability = {
  [Member in keyof EventStore]-?: undefined extends EventStore[Member] ? Member : never;
}[keyof EventStore];

/** A store known to offer `Capability`. */
export type StoreWith<Capability extends StoreCapability> = EventStore &
  Required<Pick<EventStore, Capability>>;

/** One append as a change log reports it: the stream and its revision after the append. */
export interface StreamChange {
  readonly streamName: string;
  readonly revision: bigint;
}

/** Where a reader of a change log stands; opaque, only ever passed back to the same store. */
export interface ChangeToken {
  readonly sequence: number;
  readonly dataVersion: bigint;
}

export interface StreamChanges {
  /** Pass to the next call to learn what changed after this one. */
  readonly token: ChangeToken;
  /**
   * Appends committed since the given token, in commit order, or `unknown` when the store cannot
   * tell (no token yet, another connection or process committed, or the token is older than the
   * log keeps): then anything may have changed.
   */
  readonly changes: readonly StreamChange[] | 'unknown';
}

/**
 * Optional capability of a store whose appends all pass through this process's connection
 * (the embedded SQLite store): a cheap, synchronous answer to "which streams changed since I
 * last looked?". Caches of folded state use it to skip re-reading streams nobody touched; a
 * store without it is simply re-read.
 */
export interface StreamChangeLog {
  streamChangesSince(token: ChangeToken | null): StreamChanges;
}

/** What `streamChangesAfter` answers. */
export interface StreamChangesAfter {
  /** Pass to the next call: every change up to here is in `changes` (or covered by `unknown`). */
  readonly position: bigint;
  /**
   * The streams appended to after the given position, each with its highest revision, or
   * `unknown` when the store cannot tell (no position yet, or more streams changed than one
   * answer lists): then anything may have changed.
   */
  readonly changes: readonly StreamChange[] | 'unknown';
}

/**
 * Optional capability of a store that several processes append to (PostgreSQL): the same answer
 * as a `StreamChangeLog`, but asked of the server, so it is asynchronous and covers every
 * process's appends. Positions must become visible in position order (no reader may see
 * position n + 1 before n), so that "nothing after p" stays true of everything up to p.
 */
export interface StreamChangeFeed {
  streamChangesAfter(position: bigint | null): Promise<StreamChangesAfter>;
}

/**
 * What a projection reads of an event: where it sits and what it says. Not its id, metadata,
 * recorded time or hash, which only auditors and publishers need.
 */
export type EventPayload = Pick<RecordedEvent, 'position' | 'streamName' | 'revision' | 'type' | 'data'>;

/**
 * Optional capability of a store that can read `$all` without the fields a projection never
 * uses (the embedded SQLite store): a bulk replay then neither reads nor parses them, about a
 * sixth of the read's work. Same order, positions, limits and errors as `readAll`.
 */
export interface PayloadReader {
  readAllPayloads(options?: ReadAllOptions): Promise<EventPayload[]>;
}

/**
 * Optional capability of a store that can write a row beside the events in one transaction (SQLite,
 * PostgreSQL): it accepts `AppendOptions.idempotencyClaim` and answers which claim holds a key.
 * EventStoreDB cannot write two streams atomically, so it keeps claims as events of their own.
 */
export interface IdempotencyClaims {
  /** The claim of `keyHash`, or undefined when the key was never claimed with an append. */
  readIdempotencyClaim(keyHash: string): Promise<StoredIdempotencyClaim | undefined>;
}

/** Whether `store` offers `capability`: the engine declared and implemented its optional member. */
export function offers<Capability extends StoreCapability>(
  store: EventStore,
  capability: Capability,
): store is StoreWith<Capability> {
  return typeof store[capability] === 'function';
}

// One probe per capability; the mapped type makes a capability added to the port but not here a
// compile error, so `capabilitiesOf` never forgets one.
const CAPABILITY_PROBES: { readonly [Capability in StoreCapability]: (store: EventStore) => boolean } = {
  streamChangesSince: (store) => offers(store, 'streamChangesSince'),
  streamChangesAfter: (store) => offers(store, 'streamChangesAfter'),
  readAllPayloads: (store) => offers(store, 'readAllPayloads'),
  readIdempotencyClaim: (store) => offers(store, 'readIdempotencyClaim'),
};

/** The names of the capabilities `store` offers, in a stable order (for wrappers' tests and logs). */
export function capabilitiesOf(store: EventStore): string[] {
  return Object.entries(CAPABILITY_PROBES)
    .filter(([, isOffered]) => isOffered(store))
    .map(([name]) => name);
}

/** The store's `StreamChangeLog`, or undefined when it has none (then cached streams are re-read). */
export function changeLogOf(store: EventStore): StreamChangeLog | undefined {
  return offers(store, 'streamChangesSince') ? store : undefined;
}

/** The store's `StreamChangeFeed`, or undefined when it has none. */
export function changeFeedOf(store: EventStore): StreamChangeFeed | undefined {
  return offers(store, 'streamChangesAfter') ? store : undefined;
}

/** The store's `PayloadReader`, or undefined when it has none (then use `readAll`). */
export function payloadReaderOf(store: EventStore): PayloadReader | undefined {
  return offers(store, 'readAllPayloads') ? store : undefined;
}

/** The store's `IdempotencyClaims`, or undefined when it has none (then claims are events of their own). */
export function idempotencyClaimsOf(store: EventStore): IdempotencyClaims | undefined {
  return offers(store, 'readIdempotencyClaim') ? store : undefined;
}
