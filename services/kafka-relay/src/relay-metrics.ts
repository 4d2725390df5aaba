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
  /** Messages the broker acknowledged since start, in total and per integration event type. */
  readonly publishedTotal: number;
  readonly publishedByType: Readonly<Record<string, number>>;
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
      invalidTotal: this.invalidTotal,
      publishFailuresTotal: this.publishFailuresTotal,
      internalTotal: this.internalTotal,
    };
  }
}
