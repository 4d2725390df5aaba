/** Counters and gauges of one relay, read by the ledger API's `/metrics` and by tests. */

export type RelayState = 'starting' | 'running' | 'backing-off' | 'stopped' | 'failed';

export interface RelayMetrics {
  readonly state: RelayState;
  /** Everything at or below this global position is acknowledged by the broker (or internal). */
  readonly checkpointPosition: bigint;
  /** The store's head position when last looked at: after each acknowledged batch and each failed attempt. */
  readonly headPosition: bigint;
  /** headPosition − checkpointPosition: how far behind the relay is, in positions (not events). */
  readonly lagPositions: bigint;
  /**
   * Integration events the broker acknowledged on their family's topic since start, in total and
   * per type: one per event (a message resent after a failure counts again).
   */
  readonly publishedTotal: number;
  readonly publishedByType: Readonly<Record<string, number>>;
  /** Copies of hold events the broker acknowledged on partners' own topics since start. */
  readonly partnerPublishedTotal: number;
  /** Hold events whose partner id cannot name a Kafka topic (it has a `:`): on the family topic only. */
  readonly partnerSkippedTotal: number;
  /** Events whose mapped data failed its integration schema (never published). */
  readonly invalidTotal: number;
  /** Failed publish attempts (each followed by a logged backoff and a resend). */
  readonly publishFailuresTotal: number;
  /** Events read from the store that have no integration event (internal only). */
  readonly internalTotal: number;
}

export class MutableRelayMetrics {
  state: RelayState = 'starting';
  checkpointPosition = 0n;
  headPosition = 0n;
  publishedTotal = 0;
  readonly publishedByType: Record<string, number> = {};
  partnerPublishedTotal = 0;
  partnerSkippedTotal = 0;
  invalidTotal = 0;
  publishFailuresTotal = 0;
  internalTotal = 0;

  snapshot(): RelayMetrics {
    const lag = this.headPosition - this.checkpointPosition;
    return {
      state: this.state,
      checkpointPosition: this.checkpointPosition,
      headPosition: this.headPosition,
      lagPositions: lag > 0n ? lag : 0n,
      publishedTotal: this.publishedTotal,
      publishedByType: { ...this.publishedByType },
      partnerPublishedTotal: this.partnerPublishedTotal,
      partnerSkippedTotal: this.partnerSkippedTotal,
      invalidTotal: this.invalidTotal,
      publishFailuresTotal: this.publishFailuresTotal,
      internalTotal: this.internalTotal,
    };
  }
}
