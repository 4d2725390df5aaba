/**
 * The projector as the API sees it (packages/projections). Optional: without it, reads are
 * computed from the streams and `/readyz` checks the store only.
 */
export interface ProjectorHandle {
  /** Global position of the last event applied to the read models. */
  checkpoint(): bigint;
  /** True once the projector has caught up with the store after start-up (readiness). */
  hasCaughtUp(): boolean;
  /**
   * Why no process is keeping the read models current, when another process projects them and is
   * known to be down (an `http` cluster worker while its `all` worker restarts) or its checkpoint
   * has stood still while events wait; undefined otherwise.
   */
  stalledReason?(): string | undefined;
  /**
   * Re-reads what `stalledReason` and `hasCaughtUp` judge by, where that is read from elsewhere
   * (the shared checkpoint), so that `/readyz` does not answer from a second-old view.
   */
  refresh?(): Promise<void>;
  /** Events and seconds the read models are behind the store (metrics). */
  lag(): { events: number; seconds: number };
  /** Resolves true once `checkpoint() >= position`, false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}
