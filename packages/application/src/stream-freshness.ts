import {
  changeFeedOf,
  changeLogOf,
  type ChangeToken,
  type EventStore,
  type StreamChange,
  type StreamChangeFeed,
  type StreamChangeLog,
} from '@timebank/event-store';

/**
 * Knows, for a cache of folded streams, whether a cached revision is still a stream's head, from
 * the store's change log (`StreamChangeLog`, synchronous: SQLite) or change feed
 * (`StreamChangeFeed`, a query: PostgreSQL) instead of a read. A store with neither is never
 * trusted: every check says "read the tail".
 *
 * The bookkeeping: `epoch` counts the times the log could not tell what changed (another process
 * committed, or we fell behind the log); an entry checked in an older epoch must be re-read.
 * Within an epoch, `#reportedHeads` keeps the highest revision the log reported for a stream this
 * cache holds or is loading, until an entry at least that new is stored. What is known is stamped
 * with the epoch taken before the I/O that learned it, so a change seen meanwhile is never lost.
 */
export class StreamFreshness {
  readonly #log: StreamChangeLog | undefined;
  readonly #feed: StreamChangeFeed | undefined;
  /** Where the feed was last asked from; null before the first answer. */
  #feedPosition: bigint | null = null;
  readonly #reportedHeadsMax: number;
  readonly #reportedHeads = new Map<string, bigint>();
  #token: ChangeToken | null = null;
  #epoch = 0;

  /**
   * @param reportedHeadsMax streams with an outstanding report, at most; beyond it everything is
   *   re-read once (a new epoch). The handler passes its cache bound.
   */
  constructor(store: EventStore, reportedHeadsMax: number) {
    this.#log = changeLogOf(store);
    this.#feed = this.#log === undefined ? changeFeedOf(store) : undefined;
    this.#reportedHeadsMax = Math.max(1, reportedHeadsMax);
  }

  /** False when the store has neither a change log nor a feed: then cached streams are always re-read. */
  get enabled(): boolean {
    return this.#log !== undefined || this.#feed !== undefined;
  }

  /** True when checks are synchronous (`refresh`); false when they are queries (`refreshFromFeed`). */
  get synchronous(): boolean {
    return this.#feed === undefined;
  }

  /**
   * Reads the change log and returns the epoch to stamp what the caller learns next with.
   * `relevant` says whether the cache holds (or is loading) a stream at a revision below the
   * reported one; other streams' changes are irrelevant, since their next load reads them whole.
   */
  refresh(relevant: (streamName: string, revision: bigint) => boolean): number {
    if (this.#log === undefined) return this.#epoch;
    const { token, changes } = this.#log.streamChangesSince(this.#token);
    this.#token = token;
    return this.#learn(changes, relevant);
  }

  /**
   * `refresh` for a store with a change feed: asks the server what changed since the last answer.
   * The caller runs one at a time (answers applied out of order could go back in position), and
   * stamps what it learns after the returned promise with the returned epoch.
   */
  async refreshFromFeed(relevant: (streamName: string, revision: bigint) => boolean): Promise<number> {
    if (this.#feed === undefined) return this.#epoch;
    const { position, changes } = await this.#feed.streamChangesAfter(this.#feedPosition);
    this.#feedPosition = position;
    return this.#learn(changes, relevant);
  }

  #learn(
    changes: readonly StreamChange[] | 'unknown',
    relevant: (streamName: string, revision: bigint) => boolean,
  ): number {
    if (changes === 'unknown') return this.#newEpoch();
    for (const { streamName, revision } of changes) {
      if (!relevant(streamName, revision)) continue;
      const reported = this.#reportedHeads.get(streamName);
      if (reported === undefined || reported < revision) this.#reportedHeads.set(streamName, revision);
    }
    if (this.#reportedHeads.size > this.#reportedHeadsMax) return this.#newEpoch();
    return this.#epoch;
  }

  /** True when `revision`, learned in `epoch`, is still the stream's head as far as the log tells. */
  isHead(streamName: string, revision: bigint, epoch: number): boolean {
    if (!this.enabled || epoch !== this.#epoch) return false;
    const reported = this.#reportedHeads.get(streamName);
    return reported === undefined || reported <= revision;
  }

  /** The cache now holds `revision` of the stream: reports up to it are settled. */
  settle(streamName: string, revision: bigint): void {
    const reported = this.#reportedHeads.get(streamName);
    if (reported !== undefined && reported <= revision) this.#reportedHeads.delete(streamName);
  }

  #newEpoch(): number {
    this.#epoch += 1;
    this.#reportedHeads.clear();
    return this.#epoch;
  }
}
