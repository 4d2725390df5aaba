/**
 * The port to the personal-data key store: per-volunteer data keys (wrapped by the master key)
 * and the duplicate-registration index, kept outside the event log so that destroying an entry
 * erases a person without touching an event. Adapters live in services/ledger-opener (a SQLite
 * file of its own, or tables of their own on PostgreSQL).
 */

/** A volunteer's data key as stored: wrapped, or erased (a tombstone, never a missing row). */
export type StoredDataKey =
  | { readonly state: 'active'; readonly wrappedKey: Buffer }
  | { readonly state: 'erased'; readonly erasedAt: string };

export interface WrappedDataKey {
  readonly volunteerId: string;
  readonly wrappedKey: Buffer;
}

export interface PersonalKeyStore {
  /**
   * Stores `wrappedKey` for the volunteer unless a row exists (active or erased), atomically, and
   * returns the row stored afterwards: a concurrent writer's key wins, and an erased volunteer
   * stays erased.
   */
  insertDataKey(volunteerId: string, wrappedKey: Buffer): Promise<StoredDataKey>;
  /** The stored row; null only for a volunteer never provisioned. */
  dataKey(volunteerId: string): Promise<StoredDataKey | null>;
  /**
   * Destroys the volunteer's key, leaving a tombstone so that it can never be minted again, and
   * removes every duplicate-index entry that names the volunteer, in one transaction.
   */
  erase(volunteerId: string, erasedAt: string): Promise<void>;
  /**
   * The volunteer registered under a national-ID hash: `volunteerId` when the hash was free (it is
   * claimed now, atomically, and `wrappedKey` stored as its data key in the same transaction, so a
   * registration costs the key store one durable commit), otherwise the one that claimed it first.
   */
  claimRegistration(nationalIdHash: string, volunteerId: string, wrappedKey: Buffer): Promise<string>;
  /** The volunteer a national-ID hash is registered to, or null. */
  findRegistration(nationalIdHash: string): Promise<string | null>;
  /** Every active wrapped key, for re-wrapping under a new master key. */
  activeDataKeys(): Promise<WrappedDataKey[]>;
  /** One active wrapped key (any), or null when none is stored: to check a master key at start-up. */
  anyActiveDataKey(): Promise<WrappedDataKey | null>;
  /** Replaces wrapped keys in one transaction (rotation); rows erased meanwhile stay erased. */
  replaceWrappedKeys(keys: readonly WrappedDataKey[]): Promise<void>;
  close(): Promise<void>;
}
