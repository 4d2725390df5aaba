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

export class StateCache<State> {
  readonly #entries = new Map<string, CachedState<State>>();

  /** @param entriesMax most streams kept; bounds memory by configuration, not by data. */
  constructor(readonly entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 0)
      throw new RangeError('entriesMax must be a whole number ≥ 0');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(streamName: string): CachedState<State> | undefined {
    const entry = this.#entries.get(streamName);
    if (entry === undefined) return undefined;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.#entries.delete(streamName);
    this.#entries.set(streamName, entry);
    return entry;
  }

  /** The entry without marking it as used. */
  peek(streamName: string): CachedState<State> | undefined {
    return this.#entries.get(streamName);
  }

  set(streamName: string, entry: CachedState<State>): void {
    if (this.entriesMax === 0) return;
    const current = this.#entries.get(streamName);
    // Never move an entry backwards: a slower caller must not overwrite a newer fold.
    if (current !== undefined && current.revision > entry.revision) return;
    this.#entries.delete(streamName);
    this.#entries.set(streamName, entry);
    while (this.#entries.size > this.entriesMax) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(streamName: string): void {
    this.#entries.delete(streamName);
  }
}
