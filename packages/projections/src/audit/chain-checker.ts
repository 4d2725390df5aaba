/**
 * Incremental hash-chain verification over the global log (or an export), one event at a time,
 * so an auditor's pass over millions of events keeps only each stream's head in memory.
 * Semantics follow `verifyStreamChain` in @timebank/event-store, extended to report every broken
 * link rather than the first: after a finding the checker continues from the stored hash, so one
 * altered event yields exactly one finding and one removed event yields exactly one.
 */
import { GENESIS_HASH, eventHash, type HashableEvent } from '@timebank/event-store';

export interface ChainFinding {
  readonly streamName: string;
  readonly revision: bigint;
  readonly reason: string;
}

export interface StreamHead {
  readonly streamName: string;
  readonly headRevision: bigint;
  readonly headHash: string;
  readonly eventCount: number;
}

interface Head {
  nextRevision: bigint;
  hash: string;
  count: number;
}

export class ChainChecker {
  readonly #heads = new Map<string, Head>();

  /** Checks one event (streams in any interleaving, each in revision order); returns what is wrong. */
  check(event: HashableEvent & { readonly hash: string }): ChainFinding[] {
    const head = this.#headOf(event.streamName);
    const findings: ChainFinding[] = [];
    if (this.#inOrder(head, event.streamName, event.revision, findings)) {
      if (eventHash(head.hash, event) !== event.hash) {
        findings.push({
          streamName: event.streamName,
          revision: event.revision,
          reason: 'stored hash does not match content',
        });
      }
    }
    this.#advance(head, event.revision, event.hash);
    return findings;
  }

  /**
   * Takes an event whose content could not be read, by its place and its stored hash (when the
   * read had it): its own link cannot be checked, but a missing or repeated revision still is, and
   * the chain goes on from its stored hash, so the events after it are checked as usual.
   */
  skipUnreadable(streamName: string, revision: bigint, storedHash: string | undefined): ChainFinding[] {
    const head = this.#headOf(streamName);
    const findings: ChainFinding[] = [];
    this.#inOrder(head, streamName, revision, findings);
    // Without a stored hash the next link cannot match: it is reported, never guessed.
    this.#advance(head, revision, storedHash ?? 'unknown');
    return findings;
  }

  #headOf(streamName: string): Head {
    let head = this.#heads.get(streamName);
    if (head === undefined) {
      head = { nextRevision: 0n, hash: GENESIS_HASH, count: 0 };
      this.#heads.set(streamName, head);
    }
    return head;
  }

  /** Whether `revision` is the stream's next one; a repeated or missing revision is a finding. */
  #inOrder(head: Head, streamName: string, revision: bigint, findings: ChainFinding[]): boolean {
    if (revision < head.nextRevision) {
      findings.push({ streamName, revision, reason: 'revision repeats or goes backwards' });
      return false;
    }
    if (revision > head.nextRevision) {
      for (let missing = head.nextRevision; missing < revision; missing += 1n) {
        findings.push({ streamName, revision: missing, reason: `revision ${missing} is missing` });
      }
      // The link into this event names the missing one's hash, which is gone: it cannot be
      // checked, so the chain continues from the stored hash.
      return false;
    }
    return true;
  }

  #advance(head: Head, revision: bigint, hash: string): void {
    head.nextRevision = revision + 1n;
    head.hash = hash;
    head.count += 1;
  }

  /** How many streams were seen. */
  get streamCount(): number {
    return this.#heads.size;
  }

  /** Every stream's head, sorted by stream name in byte order. */
  heads(): StreamHead[] {
    return [...this.#heads.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([streamName, head]) => ({
        streamName,
        headRevision: head.nextRevision - 1n,
        headHash: head.hash,
        eventCount: head.count,
      }));
  }
}
