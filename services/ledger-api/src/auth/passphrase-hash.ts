/**
 * Passphrases are chosen by people, so unlike random keys and codes they are stored as a slow,
 * salted hash: scrypt from node:crypto. The parameters travel with the hash
 * (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`), so raising the cost later keeps old hashes verifiable.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and roughly 50–100 ms per hash on a server core, the
 * interactive-login setting of the scrypt paper (Percival, 2009) and RFC 7914 §2.
 */
const LOG2_N = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
/** 16 random bytes of salt per passphrase (RFC 7914 recommends at least 16). */
const SALT_BYTES = 16;
/** 32 bytes of derived key: 256 bits. */
const HASH_BYTES = 32;

function derive(passphrase: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; twice that leaves room for node's own accounting.
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0);
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, HASH_BYTES, { ...options, maxmem }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

export async function hashPassphrase(passphrase: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(passphrase, salt, { N: 2 ** LOG2_N, r: BLOCK_SIZE, p: PARALLELISM });
  return [
    'scrypt',
    LOG2_N,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** True when `passphrase` matches `stored`; compares in constant time. */
export async function verifyPassphrase(passphrase: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) throw new Error('not a scrypt hash');
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(passphrase, Buffer.from(salt, 'base64url'), {
    N: 2 ** Number(logN),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash of no passphrase anyone knows, computed once: sign-ins for a volunteer with no
 * passphrase verify against it, so they take as long as a wrong passphrase does.
 */
let decoy: Promise<string> | undefined;
export function decoyPassphraseHash(): Promise<string> {
  decoy ??= hashPassphrase(randomBytes(32).toString('base64url'));
  return decoy;
}
