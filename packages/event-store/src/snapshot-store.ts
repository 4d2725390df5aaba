/**
 * The port for snapshots of folded stream state: a cache beside the events, never a source of
 * truth. The command handler writes one row per stream (the latest wins) off the request path and
 * reads it on a cold load; every row names the stream's revision and that event's chain hash, so
 * a reader can check it against the events before trusting it. Losing every row only costs folds.
 *
 * SQLite and PostgreSQL implement it; EventStoreDB keeps none (its streams are folded in full).
 */

/** One stream's snapshot as stored. The payload is opaque to the store. */
export interface StoredSnapshot {
  readonly streamName: string;
  /** Revision of the last event folded into the payload (≥ 0). */
  readonly revision: bigint;
  /** The chain hash (see hash-chain.ts) of the stream's event at `revision`. */
  readonly eventHash: string;
  /** Which fold (and encoding) produced the payload; a reader with another version ignores it. */
  readonly foldVersion: string;
  /** The encoded (and possibly sealed) state; authenticated by the writer, not by the store. */
  readonly payload: Buffer;
}

export interface SnapshotStore {
  /** The stream's snapshot, or undefined when it has none. */
  readSnapshot(streamName: string): Promise<StoredSnapshot | undefined>;
  /**
   * Upserts the snapshots in one transaction: a stream's row is replaced only by one at a higher
   * revision or another fold version, so a slow writer never moves a snapshot backwards.
   */
  writeSnapshots(snapshots: readonly StoredSnapshot[]): Promise<void>;
  /** Removes the stream's snapshot (erasure, or a row found invalid); no-op when it has none. */
  deleteSnapshot(streamName: string): Promise<void>;
  close(): Promise<void>;
}
