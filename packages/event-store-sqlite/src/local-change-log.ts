/**
 * The streams this connection appended to, most recent last, in a bounded ring. Together with
 * `PRAGMA data_version` (which changes exactly when another connection commits) it answers
 * `streamChangesSince` without touching the database's tables.
 */
import type { StreamChange } from '@timebank/event-store';

export class LocalChangeLog {
  readonly #ring: (StreamChange | undefined)[];
  /** Sequence number the next recorded change gets; also the count recorded so far. */
  #next = 0;

  /** @param entriesMax changes kept, in appends; a reader further behind gets `unknown`. */
  constructor(readonly entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1)
      throw new RangeError('change log entriesMax must be a whole number ≥ 1');
    this.#ring = new Array<StreamChange | undefined>(entriesMax);
  }

  get sequence(): number {
    return this.#next;
  }

  record(change: StreamChange): void {
    this.#ring[this.#next % this.entriesMax] = change;
    this.#next += 1;
  }

  /** Changes recorded at or after `sequence`, or `unknown` if some of them were overwritten. */
  since(sequence: number): readonly StreamChange[] | 'unknown' {
    if (sequence > this.#next)
      throw new Error(`change token ${sequence} is ahead of the log (${this.#next})`);
    if (this.#next - sequence > this.entriesMax) return 'unknown';
    const changes: StreamChange[] = [];
    for (let index = sequence; index < this.#next; index += 1) {
      const change = this.#ring[index % this.entriesMax];
      if (change === undefined) throw new Error(`change log lost entry ${index}`);
      changes.push(change);
    }
    return changes;
  }
}
