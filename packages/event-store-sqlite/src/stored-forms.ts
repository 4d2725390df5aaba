/**
 * How event fields are stored (schema version 4) and read back. The stored forms are denser than
 * the values the port speaks: a lower-case UUID as its 16 bytes, a hex sha-256 as its 32 bytes,
 * an ISO-8601 time with milliseconds as milliseconds since the epoch. Each form is taken only when
 * it reads back to exactly the same text; anything else (a row an older release wrote by other
 * rules, or one an operator edited) is stored as the text it was, in an `ANY` column, so that a
 * migration never changes what a row says and the auditor still sees any tampering. Hashes are
 * computed over the port's values (hash-chain.ts), never over these forms.
 */

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HASH_TEXT = /^[0-9a-f]{64}$/;

/** A stored id, hash or time: the dense form, or the original text. */
export type StoredValue = Buffer | bigint | number | string;

/** A lower-case UUID as 16 bytes; other text as it is. */
export function packId(id: string): Buffer | string {
  return UUID_TEXT.test(id) ? Buffer.from(id.replaceAll('-', ''), 'hex') : id;
}

/** A lower-case hex sha-256 as 32 bytes; other text as it is. */
export function packHash(hash: string): Buffer | string {
  return HASH_TEXT.test(hash) ? Buffer.from(hash, 'hex') : hash;
}

export function unpackHash(stored: StoredValue): string {
  return Buffer.isBuffer(stored) ? stored.toString('hex') : String(stored);
}

/**
 * An ISO-8601 UTC time as `Date#toISOString` writes it, as milliseconds; other text as it is. A
 * bigint, because better-sqlite3 binds a JS number as a REAL (8 bytes, where an integer of this
 * size takes 6) and an `ANY` column keeps the type it is given.
 */
export function packTime(time: string): bigint | string {
  const milliseconds = Date.parse(time);
  return Number.isFinite(milliseconds) && new Date(milliseconds).toISOString() === time
    ? BigInt(milliseconds)
    : time;
}
