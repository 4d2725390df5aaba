/** Crockford's base-32 alphabet: no I, L, O or U, so a number read aloud at a desk is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The unified volunteer number, derived from the keyed hash of the ID number: `TB` and twelve
 * base-32 characters (60 bits). Deriving it keeps registration to one stream with no shared
 * counter to contend on; at a million volunteers the chance that any two collide is below 1e-6,
 * and the registration stream (keyed by the full hash) stays the authority either way.
 */
export function volunteerNumberFromHash(nationalIdHash: string): string {
  if (!/^[0-9a-f]{16,}$/.test(nationalIdHash))
    throw new Error('volunteerNumberFromHash needs lower-case hex');
  let bits = BigInt(`0x${nationalIdHash.slice(0, 15)}`);
  let text = '';
  for (let index = 0; index < 12; index += 1) {
    text = ALPHABET[Number(bits & 31n)]! + text;
    bits >>= 5n;
  }
  return `TB${text}`;
}
