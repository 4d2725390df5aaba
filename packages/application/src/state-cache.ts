/**
 * A bounded, least-recently-used cache of folded aggregate state, keyed by stream name and
 * tagged with the revision it was folded up to.
 *
 * It only saves work: a handler re-reads the stream's tail after the cached revision unless the
 * store's change log vouches that nobody appended since (`StreamFreshness`), and the store's
 * expected-revision check still guards every append. A stale entry can cost a conflict and a
 * reload, never a wrong append.
 */
export interface CachedState<State> {
  readonly state: State;
  /** Revision of the last event folded into `state`; -1n for an empty stream. */
  readonly revision: bigint;
  /** The `StreamFreshness` epoch in which `revision` was known to be the head; absent: unchecked. */
  readonly checkedEpoch?: number;
}

/**
 * A stream's entry and when it was last put at the newest end (`StateCache`'s tick then).
 */
interface Slot<State> {
  readonly entry: CachedState<State>;
  movedAt: number;
}

export class StateCache<State> {
  /** Oldest first: eviction takes the first key. */
  readonly #slots = new Map<string, Slot<State>>();
  /** Counts insertions and moves to the newest end. */
  #tick = 0;
  /** A slot moved fewer than this many ticks ago is among the newest and is not moved again. */
  readonly #moveAfter: number;

  /** @param entriesMax most streams kept; bounds memory by configuration, not by data. */
  constructor(readonly entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 0)
      throw new RangeError('entriesMax must be a whole number ≥ 0');
    this.#moveAfter = Math.max(1, Math.floor(entriesMax / 2));
  }

  get size(): number {
    return this.#slots.size;
  }

  /**
   * The entry, marked as used. A hit moves the entry to the newest end only when it is not
   * already in the newest half (issue #15: a Map delete and re-insert on every read was a
   * measurable share of a cached read). The order is then least recently used up to that half:
   * an entry used at least once every `entriesMax / 2` insertions or moves is never evicted.
   */
  get(streamName: string): CachedState<State> | undefined {
    const slot = this.#slots.get(streamName);
    if (slot === undefined) return undefined;
    if (this.#tick - slot.movedAt >= this.#moveAfter) {
      this.#slots.delete(streamName);
      this.#tick += 1;
      slot.movedAt = this.#tick;
      this.#slots.set(streamName, slot);
    }
    return slot.entry;
  }

  /** The entry without marking it as used. */
  peek(streamName: string): CachedState<State> | undefined {
    return this.#slots.get(streamName)?.entry;
  }

  set(streamName: string, entry: CachedState<State>): void {
    if (this.entriesMax === 0) return;
    const current = this.#slots.get(streamName);
    // Never move an entry backwards: a slower caller must not overwrite a newer fold.
    if (current !== undefined && current.entry.revision > entry.revision) return;
    this.#slots.delete(streamName);
    this.#tick += 1;
    this.#slots.set(streamName, { entry, movedAt: this.#tick });
    while (this.#slots.size > this.entriesMax) {
      const oldest = this.#slots.keys().next().value;
      if (oldest === undefined) break;
      this.#slots.delete(oldest);
    }
  }

  delete(streamName: string): void {
    this.#slots.delete(streamName);
  }
}
