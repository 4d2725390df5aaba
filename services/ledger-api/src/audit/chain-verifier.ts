/**
 * Verifies every stream's hash chain in one pass over the global log. Global order keeps each
 * stream's revisions in order, so one running (revision, hash) per stream is enough: memory grows
 * with the number of streams, not events. The same links as `verifyStreamChain` are checked.
 */
import { eventHash, GENESIS_HASH, type EventStore, type RecordedEvent } from '@timebank/event-store';

export interface ChainFailure {
  readonly streamName: string;
  readonly revision: string;
  readonly reason: string;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly lastPosition: string;
  readonly failures: ChainFailure[];
}

/** Failures listed in one report; the rest are counted. 100 is plenty to locate tampering. */
const FAILURES_LISTED_MAX = 100;

export class ChainVerifier {
  readonly #heads = new Map<string, { revision: bigint; hash: string; broken: boolean }>();
  readonly #failures: ChainFailure[] = [];
  #events = 0;
  #lastPosition = 0n;

  check(event: RecordedEvent): void {
    this.#events += 1;
    this.#lastPosition = event.position;
    const head = this.#heads.get(event.streamName) ?? { revision: -1n, hash: GENESIS_HASH, broken: false };
    // After the first break a stream's later links cannot be judged against a trusted predecessor.
    if (head.broken) return;
    if (event.revision !== head.revision + 1n) {
      this.#fail(event.streamName, head.revision + 1n, `revision ${head.revision + 1n} is missing`);
      this.#heads.set(event.streamName, { ...head, broken: true });
      return;
    }
    const computed = eventHash(head.hash, event);
    if (computed !== event.hash) {
      this.#fail(event.streamName, event.revision, 'stored hash does not match content');
      this.#heads.set(event.streamName, { ...head, broken: true });
      return;
    }
    this.#heads.set(event.streamName, { revision: event.revision, hash: computed, broken: false });
  }

  report(): VerificationReport {
    return {
      ok: this.#failures.length === 0,
      eventsChecked: this.#events,
      streamsChecked: this.#heads.size,
      lastPosition: this.#lastPosition.toString(),
      failures: this.#failures.slice(0, FAILURES_LISTED_MAX),
    };
  }

  #fail(streamName: string, revision: bigint, reason: string): void {
    this.#failures.push({ streamName, revision: revision.toString(), reason });
  }
}

/** Scans the whole log (or one stream) page by page and verifies every chain. */
export async function verifyStore(store: EventStore, streamName?: string): Promise<VerificationReport> {
  const verifier = new ChainVerifier();
  if (streamName !== undefined) {
    let from = 0n;
    for (;;) {
      const page = await store.readStream(streamName, { fromRevision: from });
      for (const event of page) verifier.check(event);
      const last = page.at(-1);
      if (last === undefined) break;
      from = last.revision + 1n;
    }
    return verifier.report();
  }
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ fromPosition: after });
    for (const event of page) verifier.check(event);
    const last = page.at(-1);
    if (last === undefined) break;
    after = last.position;
  }
  return verifier.report();
}
