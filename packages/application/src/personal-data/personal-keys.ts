/**
 * Data keys in use: fresh per volunteer, wrapped by the master key (AES-256-GCM with the
 * volunteer id as associated data) before they reach the key store, unwrapped on use and kept
 * in memory for the volunteers in use.
 */
import { randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES, openBytes, sealBytes } from './field-sealer.js';
import type { PersonalKeyStore } from './personal-key-store.js';

/** Unwrapped keys kept in memory. Default 10,000 (32 bytes each plus a map entry). */
const CACHED_KEYS_MAX = 10_000;

/** An append for a volunteer whose data key was destroyed: refused, never a new key. */
export class PersonalDataErasedError extends Error {
  readonly code = 'VOLUNTEER_PERSONAL_DATA_ERASED';
  constructor(readonly volunteerId: string) {
    super(`the personal data of volunteer ${volunteerId} has been erased`);
    this.name = 'PersonalDataErasedError';
  }
}

export function isPersonalDataErasedError(error: unknown): error is PersonalDataErasedError {
  return error instanceof PersonalDataErasedError;
}

function wrapContext(volunteerId: string): string {
  return `personal-data-key\n${volunteerId}`;
}

/**
 * The key-store row that vouches for the master key: a random key wrapped under it on the store's
 * first open, then re-wrapped by every rotation like a volunteer's. No volunteer has this id (ids
 * start with a letter or digit), so no command, erasure or read ever names it.
 */
export const MASTER_KEY_CHECK_ID = '~master-key-check';
/**
 * The key store's row that holds, wrapped like a data key, a fingerprint of the national-ID key
 * the ledger registers volunteers under (ledger-opener's `openPersonalKeys`): a process started
 * with another key would hash ID numbers differently and register people a second time.
 */
export const NATIONAL_ID_KEY_CHECK_ID = '~national-id-key-check';

export function assertMasterKey(masterKey: Buffer): void {
  if (masterKey.length !== DATA_KEY_BYTES) throw new Error('the master key must be 32 bytes (64 hex digits)');
}

export function wrapDataKey(masterKey: Buffer, volunteerId: string, dataKey: Buffer): Buffer {
  return sealBytes(masterKey, dataKey, wrapContext(volunteerId));
}

export function unwrapDataKey(masterKey: Buffer, volunteerId: string, wrappedKey: Buffer): Buffer {
  return openBytes(masterKey, wrappedKey, wrapContext(volunteerId));
}

export class PersonalKeys {
  readonly #store: PersonalKeyStore;
  readonly #masterKey: Buffer;
  readonly #cache = new Map<string, Buffer>();

  constructor(store: PersonalKeyStore, masterKey: Buffer) {
    assertMasterKey(masterKey);
    this.#store = store;
    this.#masterKey = masterKey;
  }

  get store(): PersonalKeyStore {
    return this.#store;
  }

  /**
   * The volunteer's key for sealing, minted on first use. Throws PersonalDataErasedError after
   * erasure. Served from memory when known: the ledger refuses every command on a stream whose
   * `PersonalDataErased` it has seen, whichever process appended it.
   */
  async forSealing(volunteerId: string): Promise<Buffer> {
    const cached = this.#cache.get(volunteerId);
    if (cached !== undefined) return cached;
    let stored = await this.#store.dataKey(volunteerId);
    if (stored === null) {
      const fresh = randomBytes(DATA_KEY_BYTES);
      stored = await this.#store.insertDataKey(volunteerId, wrapDataKey(this.#masterKey, volunteerId, fresh));
    }
    if (stored.state === 'erased') throw new PersonalDataErasedError(volunteerId);
    return this.#remember(volunteerId, unwrapDataKey(this.#masterKey, volunteerId, stored.wrappedKey));
  }

  /**
   * The volunteer's key for opening, or null when it was destroyed (or never existed). Always asks
   * the store: another process (`pnpm ledger erase-due`) may have destroyed it since, and a key in
   * this process's memory must not outlive that.
   */
  async forOpening(volunteerId: string): Promise<Buffer | null> {
    const stored = await this.#store.dataKey(volunteerId);
    if (stored === null || stored.state === 'erased') {
      this.#cache.delete(volunteerId);
      return null;
    }
    return this.#remember(volunteerId, unwrapDataKey(this.#masterKey, volunteerId, stored.wrappedKey));
  }

  /**
   * The volunteer id registered under a national-ID hash, claiming it for `candidateVolunteerId`
   * (with a freshly minted data key, in one key-store transaction) when it is free.
   */
  async claimRegistration(nationalIdHash: string, candidateVolunteerId: string): Promise<string> {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const wrapped = wrapDataKey(this.#masterKey, candidateVolunteerId, dataKey);
    const owner = await this.#store.claimRegistration(nationalIdHash, candidateVolunteerId, wrapped);
    if (owner === candidateVolunteerId) this.#remember(candidateVolunteerId, dataKey);
    return owner;
  }

  /** Destroys the volunteer's key and duplicate-index entries, here and in the store. */
  async erase(volunteerId: string, erasedAt: string): Promise<void> {
    this.#cache.delete(volunteerId);
    await this.#store.erase(volunteerId, erasedAt);
  }

  #remember(volunteerId: string, key: Buffer): Buffer {
    if (this.#cache.size >= CACHED_KEYS_MAX) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(volunteerId, key);
    return key;
  }
}

/**
 * Re-wraps every active data key under `newMasterKey`, the master-key check with them; events are
 * not touched. Returns how many volunteers' (and others') keys were re-wrapped, the check not counted.
 */
export async function rotateMasterKey(
  store: PersonalKeyStore,
  oldMasterKey: Buffer,
  newMasterKey: Buffer,
): Promise<number> {
  assertMasterKey(oldMasterKey);
  assertMasterKey(newMasterKey);
  const rewrapped = (await store.activeDataKeys()).map(({ volunteerId, wrappedKey }) => ({
    volunteerId,
    wrappedKey: wrapDataKey(newMasterKey, volunteerId, unwrapDataKey(oldMasterKey, volunteerId, wrappedKey)),
  }));
  await store.replaceWrappedKeys(rewrapped);
  return rewrapped.filter(
    (key) => key.volunteerId !== MASTER_KEY_CHECK_ID && key.volunteerId !== NATIONAL_ID_KEY_CHECK_ID,
  ).length;
}
