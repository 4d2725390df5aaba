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
    let head = this.#heads.get(event.streamName);
    if (head === undefined) {
      head = { nextRevision: 0n, hash: GENESIS_HASH, count: 0 };
      this.#heads.set(event.streamName, head);
    }
    const findings: ChainFinding[] = [];
    const streamName = event.streamName;
    if (event.revision < head.nextRevision) {
      findings.push({ streamName, revision: event.revision, reason: 'revision repeats or goes backwards' });
    } else if (event.revision > head.nextRevision) {
      for (let missing = head.nextRevision; missing < event.revision; missing += 1n) {
        findings.push({ streamName, revision: missing, reason: `revision ${missing} is missing` });
      }
      // The link into this event names the missing one's hash, which is gone: it cannot be
      // checked, so the chain continues from the stored hash.
    } else if (eventHash(head.hash, event) !== event.hash) {
      findings.push({ streamName, revision: event.revision, reason: 'stored hash does not match content' });
    }
    head.nextRevision = event.revision + 1n;
    head.hash = event.hash;
    head.count += 1;
    return findings;
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
