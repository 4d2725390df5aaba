import {
  isWrongExpectedVersion,
  type EventStore,
  type IdempotencyClaim,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
} from '@timebank/event-store';
import { deterministicEventId } from './event-ids.js';
import { metadataFor } from './event-metadata.js';
import { StateCache, type CachedState } from './state-cache.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { StreamFreshness } from './stream-freshness.js';
import { SnapshotKeeper, type SnapshotCounters, type SnapshotOptions } from './snapshots/snapshot-keeper.js';

/** Events read per page while folding a stream: bounds memory per load, in events. */
const LOAD_PAGE_EVENTS = 1000;

/** An event as the domain sees it: a type and plain JSON data. */
export interface DomainEventShape {
  readonly type: string;
  /** Plain JSON; the store checks it before writing anything. */
  readonly data: object;
}

/** How one kind of stream folds its events. */
export interface StreamFold<State, Event extends DomainEventShape> {
  readonly initialState: () => State;
  evolve(state: State, event: Event): State;
  /**
   * Optional: applies an event by mutating `state`. When present the handler folds its cached
   * state in place (it owns that object exclusively, within the stream's serial queue) instead of
   * copying the state for every event, which keeps long streams cheap to load.
   */
  readonly applyInPlace?: (state: State, event: Event) => void;
}

/**
 * Loads a stream a decision depends on (the points policy, a partner), given to `decide`. It
 * trusts the change-log check the command itself made moments before, so one command costs one
 * check: the decision is then as of that instant, which lies within the request's lifetime.
 */
export type DependencyLoader = <State, Event extends DomainEventShape>(
  streamName: string,
  fold: StreamFold<State, Event>,
) => Promise<{ state: State; revision: bigint }>;

/**
 * The loads of one change-log check: `load` as a `DependencyLoader`, and `current`, which answers
 * without a promise when `load` would answer at once (a cached state the check vouches for), and
 * undefined when it would have to wait. The state is shared with the cache: read-only.
 */
export interface CheckedLoaders {
  readonly load: DependencyLoader;
  readonly current: (streamName: string) => { state: unknown; revision: bigint } | undefined;
}

/**
 * Called right before a command's first append with the stream's name; the idempotency claim it
 * returns (if any) is stored in that append's transaction.
 */
export type FirstAppendHook = (streamName: string) => IdempotencyClaim | undefined;

/** Who and why: carried into every event's metadata. */
export interface CommandEnvelope {
  readonly idempotencyKey: string;
  readonly actor?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

export interface HandledCommand<Event> {
  readonly streamName: string;
  /** The events this call appended; empty when the command had already taken effect. */
  readonly events: readonly Event[];
  /** The stream's revision after the command (-1n for a stream that still does not exist). */
  readonly revision: bigint;
  /** Global position of the last appended event, or null when nothing was appended. */
  readonly position: bigint | null;
}

/** Thrown when a command lost the optimistic-concurrency race more times than allowed. */
export class ConcurrencyConflictError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamName: string,
    readonly attempts: number,
  ) {
    super(`stream ${streamName}: gave up after ${attempts} conflicting attempts`);
    this.name = 'ConcurrencyConflictError';
  }
}

export interface CommandHandlerOptions {
  readonly store: EventStore;
  /** Schema version stamped on each event type's metadata. */
  readonly schemaVersionOf: (eventType: string) => number;
  /** Streams whose folded state is kept in memory. Default 10,000 (about tens of MB of state). */
  readonly cacheEntriesMax?: number;
  /**
   * Attempts after a WrongExpectedVersion before giving up. Within one process commands on one
   * stream are serialised, so conflicts only come from other processes; 5 absorbs short bursts.
   */
  readonly conflictRetriesMax?: number;
  /** Snapshots of folded state, read on a cold load and written in the background; none when absent. */
  readonly snapshots?: SnapshotOptions;
}

/**
 * Loads a stream, folds it, lets the caller decide, and appends the decision with the revision
 * it was decided on. Commands on the same stream run one after another within this process, and
 * a conflict with another process re-reads and decides again, a bounded number of times.
 */
export class CommandHandler {
  readonly #store: EventStore;
  readonly #schemaVersionOf: (eventType: string) => number;
  readonly #cache: StateCache<unknown>;
  readonly #conflictRetriesMax: number;
  readonly #serializer = new KeyedSerializer();
  readonly #freshness: StreamFreshness;
  /** Streams being folded right now without a cache entry: the change log's reports about them count too. */
  readonly #loading = new Set<string>();
  readonly #snapshots: SnapshotKeeper | undefined;
  /** The change-log check every `#load` waiting now shares; undefined when none is pending. */
  #nextCheck: Promise<number> | undefined;
  /** With a change feed: the query answering now, which a later caller must not rely on. */
  #feedCheckRunning: Promise<number> | undefined;
  #conflicts = 0;
  #tailReads = 0;

  constructor(options: CommandHandlerOptions) {
    this.#store = options.store;
    this.#schemaVersionOf = options.schemaVersionOf;
    this.#cache = new StateCache(options.cacheEntriesMax ?? 10_000);
    this.#conflictRetriesMax = options.conflictRetriesMax ?? 5;
    this.#freshness = new StreamFreshness(options.store, this.#cache.entriesMax);
    // A stream's cached state is read for a snapshot only while no command is changing it.
    this.#snapshots =
      options.snapshots &&
      new SnapshotKeeper(options.snapshots, options.store, (streamName) =>
        this.#serializer.isIdle(streamName) ? this.#cache.peek(streamName) : undefined,
      );
  }

  /** Snapshots restored, discarded and written so far; undefined without snapshots. */
  get snapshotCounters(): SnapshotCounters | undefined {
    return this.#snapshots?.counters;
  }

  /** Writes the snapshots that are due now instead of at the next background batch. */
  async flushSnapshots(): Promise<void> {
    await this.#snapshots?.flush();
  }

  /** Deletes a stream's snapshot (erasure of the person whose data it holds). */
  async discardSnapshot(streamName: string): Promise<void> {
    await this.#snapshots?.discard(streamName);
  }

  /** Conflicts seen so far (for metrics). */
  get conflicts(): number {
    return this.#conflicts;
  }

  /** Stream reads so far (tests and benchmarks: a cached, unchanged stream costs none). */
  get streamReads(): number {
    return this.#tailReads;
  }

  /** Whether a change the log reports about a stream matters: the cache holds it older, or is loading it. */
  readonly #isRelevant = (streamName: string, revision: bigint): boolean => {
    const entry = this.#cache.peek(streamName);
    return entry === undefined ? this.#loading.has(streamName) : entry.revision < revision;
  };

  /** Reads the change log; returns the epoch to stamp what is learned next. */
  #refresh(): number {
    return this.#freshness.refresh(this.#isRelevant);
  }

  /**
   * The epoch from a change-log check that begins after this call: at the end of the current loop
   * turn, shared by every load that asked before it began (issue #15: one `PRAGMA data_version` and
   * head lookup per turn instead of per command). Never a check made before the call, so a commit
   * by another process before the command arrived is still seen (the rule of the API's
   * request-reader.ts). Under load, the commands read in one poll phase share one check.
   */
  #checkAfterNow(): Promise<number> {
    if (!this.#freshness.synchronous) return this.#feedCheckAfterNow();
    this.#nextCheck ??= new Promise<number>((resolve, reject) => {
      setImmediate(() => {
        this.#nextCheck = undefined;
        try {
          resolve(this.#refresh());
        } catch (error) {
          // The change log could not be read (a closed store): every waiting load fails with it.
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    return this.#nextCheck;
  }

  /**
   * `#checkAfterNow` over a change feed (PostgreSQL, shared with other processes): the query is
   * sent after this call, once the one answering now is done, and shared by every load that asks
   * before it is sent. One at a time, so answers are applied in position order.
   */
  #feedCheckAfterNow(): Promise<number> {
    if (this.#nextCheck !== undefined) return this.#nextCheck;
    const queued = (async (): Promise<number> => {
      await this.#feedCheckRunning?.catch(() => undefined);
      // Sent from here: a load that asks later needs a later query. (Only one check is ever
      // queued, so the queued one is this one.)
      this.#nextCheck = undefined;
      const running = this.#freshness.refreshFromFeed(this.#isRelevant);
      this.#feedCheckRunning = running;
      try {
        return await running;
      } finally {
        if (this.#feedCheckRunning === running) this.#feedCheckRunning = undefined;
      }
    })();
    this.#nextCheck = queued;
    return queued;
  }

  /** Stores a fold known to be the head in `epoch` (or unchecked, when undefined). */
  #remember(streamName: string, entry: CachedState<unknown>): void {
    this.#cache.set(streamName, entry);
    if (entry.checkedEpoch !== undefined) this.#freshness.settle(streamName, entry.revision);
  }

  /**
   * Folds a stream's current state, using and refreshing the cache. It waits for commands queued
   * on the stream. The state is shared with the cache: treat it as read-only and do not hold it
   * across an await.
   */
  load<State, Event extends DomainEventShape>(
    streamName: string,
    fold: StreamFold<State, Event>,
  ): Promise<{ state: State; revision: bigint }> {
    return this.#loadChecked(streamName, fold, true);
  }

  #loadChecked<State, Event extends DomainEventShape>(
    streamName: string,
    fold: StreamFold<State, Event>,
    refresh: boolean,
  ): Promise<{ state: State; revision: bigint }> {
    // Fast path: nothing queued on the stream and a cached state the change log vouches for.
    // Answering without joining the queue sees the same state the queue would give.
    // Over a change feed a check is a query: only `#load` can wait for one.
    if (this.#serializer.isIdle(streamName) && (!refresh || this.#freshness.synchronous)) {
      const cached = this.#cache.get(streamName) as CachedState<State> | undefined;
      if (cached?.checkedEpoch !== undefined) {
        if (refresh) this.#refresh();
        if (this.#freshness.isHead(streamName, cached.revision, cached.checkedEpoch)) {
          return Promise.resolve({ state: cached.state, revision: cached.revision });
        }
      }
    }
    return this.#serializer.run(streamName, () => this.#load(streamName, fold));
  }

  /**
   * What `#loadDependency` would answer at once, without a promise: the cached state when nothing
   * is queued on the stream and the change log (as of the last check) vouches that it is the
   * head; undefined otherwise, and then the caller loads. For the reads of a checked reader
   * (issue #15: a cached read costs no promise and no microtask turn).
   */
  #currentDependency(streamName: string): { state: unknown; revision: bigint } | undefined {
    if (!this.#serializer.isIdle(streamName)) return undefined;
    const cached = this.#cache.get(streamName);
    if (cached?.checkedEpoch === undefined) return undefined;
    if (!this.#freshness.isHead(streamName, cached.revision, cached.checkedEpoch)) return undefined;
    // The cache's own entry (immutable: the cache replaces entries, never changes them), not a copy
    // per read (issue #15).
    return cached;
  }

  /**
   * The loaders for the reads of one request: it checks the change log once, now, and loads each
   * stream on that check (see `DependencyLoader`, `CheckedLoaders`). Use them at once; never keep them.
   */
  checkedLoaders(): CheckedLoaders {
    // Over a change feed no check is at hand now: nothing is answered at once, every load checks.
    if (!this.#freshness.synchronous) return this.#feedLoaders;
    this.#refresh();
    return this.#checkedLoaders;
  }

  readonly #feedLoaders: CheckedLoaders = {
    load: (streamName, fold) => this.#loadChecked(streamName, fold, true),
    current: () => undefined,
  };

  /** See `DependencyLoader`: only for use inside `decide`, after the command's own check. */
  readonly #loadDependency: DependencyLoader = (streamName, fold) =>
    this.#loadChecked(streamName, fold, false);

  readonly #checkedLoaders: CheckedLoaders = {
    load: this.#loadDependency,
    current: (streamName) => this.#currentDependency(streamName),
  };

  /**
   * The cached state of a stream as it is, without reading the store, waiting for its queue or
   * checking that it is current; undefined when not cached. Only for facts that never change once
   * set (a volunteer's community): anything else must `load`. Treat it as read-only.
   */
  peek(streamName: string): unknown {
    return this.#cache.peek(streamName)?.state;
  }

  /** The fold, and the freshness epoch it was checked in (stamped on what an append then learns). */

  async #load<State, Event extends DomainEventShape>(
    streamName: string,
    fold: StreamFold<State, Event>,
  ): Promise<{ state: State; revision: bigint; epoch: number }> {
    // Marked as loading before the check, whether cached or not: should the entry be evicted while
    // this load waits for the check, the log's reports about the stream must still count.
    this.#loading.add(streamName);
    try {
      const epoch = await this.#checkAfterNow();
      const cached = this.#cache.get(streamName) as CachedState<State> | undefined;
      if (
        cached?.checkedEpoch !== undefined &&
        this.#freshness.isHead(streamName, cached.revision, cached.checkedEpoch)
      ) {
        return { state: cached.state, revision: cached.revision, epoch };
      }
      // A cold load starts from the stream's snapshot, when it has a valid one.
      const restored =
        cached === undefined
          ? ((await this.#snapshots?.restore(streamName, fold)) as CachedState<State> | undefined)
          : undefined;
      const start = cached ?? restored;
      let state = start?.state ?? fold.initialState();
      let revision = start?.revision ?? -1n;
      const apply = fold.applyInPlace;
      for (;;) {
        this.#tailReads += 1;
        const page: RecordedEvent[] = await this.#store.readStream(streamName, {
          fromRevision: revision + 1n,
          maxCount: LOAD_PAGE_EVENTS,
        });
        for (const recorded of page) {
          if (recorded.revision !== revision + 1n) {
            throw new Error(
              `stream ${streamName}: expected revision ${revision + 1n}, read ${recorded.revision}`,
            );
          }
          const event = { type: recorded.type, data: recorded.data } as Event;
          if (apply === undefined) state = fold.evolve(state, event);
          else apply(state, event);
          revision = recorded.revision;
        }
        // A short page means we reached the end; a full page may have more behind it.
        if (page.length < LOAD_PAGE_EVENTS) break;
      }
      // Stamped with the epoch taken before the read: if the log lost track meanwhile, it is unchecked.
      this.#remember(streamName, { state, revision, checkedEpoch: epoch });
      this.#snapshots?.noteHead(streamName, fold, revision);
      return { state, revision, epoch };
    } finally {
      this.#loading.delete(streamName);
    }
  }

  /**
   * A dry run: runs `decide` on the stream's current state, in the stream's queue as `handle`
   * would, and returns what it decides without appending anything.
   */
  preview<State, Event extends DomainEventShape, Decision>(
    streamName: string,
    fold: StreamFold<State, Event>,
    decide: (state: State, revision: bigint, loadDependency: DependencyLoader) => Promise<Decision>,
  ): Promise<Decision> {
    return this.#serializer.run(streamName, async () => {
      const { state, revision } = await this.#load(streamName, fold);
      return decide(state, revision, this.#loadDependency);
    });
  }

  /**
   * Runs `decide` on the stream's current state and appends what it returns. `decide` must be
   * pure and may throw a domain error, which propagates unchanged with nothing written.
   *
   * `onFirstAppend`, if given, runs synchronously right before the first append is submitted
   * (never if nothing is appended) with the stream's name, so that an append it submits joins the
   * same group commit; an idempotency claim it returns is appended with the events, on every
   * attempt until one is stored (a refused claim throws `IdempotencyKeyClaimedError`).
   */
  // eslint-disable-next-line max-params -- stream, fold, decide and envelope are the command cycle's parts; the fifth is an optional callback for the first append only
  async handle<State, Event extends DomainEventShape>(
    streamName: string,
    fold: StreamFold<State, Event>,
    decide: (
      state: State,
      revision: bigint,
      loadDependency: DependencyLoader,
    ) => readonly Event[] | Promise<readonly Event[]>,
    envelope: CommandEnvelope,
    onFirstAppend?: FirstAppendHook,
  ): Promise<HandledCommand<Event>> {
    let firstAppend = onFirstAppend;
    let claim: IdempotencyClaim | undefined;
    return this.#serializer.run(streamName, async () => {
      for (let attempt = 1; ; attempt += 1) {
        // The epoch is the one this state was checked in; stamping the append's outcome with it
        // is conservative: if the change log lost track since, the new entry is re-read first.
        const { state, revision, epoch } = await this.#load(streamName, fold);
        const decided = await decide(state, revision, this.#loadDependency);
        if (decided.length === 0) return { streamName, events: [], revision, position: null };
        const newEvents: NewEvent[] = decided.map((event, index) => ({
          id: deterministicEventId(envelope.idempotencyKey, streamName, index),
          type: event.type,
          data: event.data as JsonObject,
          metadata: metadataFor(event.data as JsonObject, this.#schemaVersionOf(event.type), envelope),
        }));
        claim = firstAppend?.(streamName) ?? claim;
        firstAppend = undefined;
        try {
          const result = await this.#store.appendToStream(streamName, newEvents, {
            expectedRevision: revision < 0n ? 'no_stream' : revision,
            ...(claim === undefined ? {} : { idempotencyClaim: claim }),
          });
          let nextState = state;
          for (const event of decided) {
            if (fold.applyInPlace === undefined) nextState = fold.evolve(nextState, event);
            else fold.applyInPlace(nextState, event);
          }
          // The append succeeded at the revision it was decided on, so this is the head as of its commit.
          this.#remember(streamName, {
            state: nextState,
            revision: result.nextExpectedRevision,
            checkedEpoch: epoch,
          });
          this.#snapshots?.noteHead(streamName, fold, result.nextExpectedRevision);
          return {
            streamName,
            events: decided,
            revision: result.nextExpectedRevision,
            position: result.position,
          };
        } catch (error) {
          if (!isWrongExpectedVersion(error)) throw error;
          this.#conflicts += 1;
          this.#cache.delete(streamName);
          if (attempt > this.#conflictRetriesMax) throw new ConcurrencyConflictError(streamName, attempt);
        }
      }
    });
  }
}
