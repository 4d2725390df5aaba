/**
 * Numbers of service certificates (志愿服务证明). A number names the volunteer's stream, so a
 * verifier's look-up folds that one stream and needs no index; it counts the volunteer's
 * certificates; and it carries a code no outsider can guess, so knowing a volunteer's id is not
 * enough to read their certificates through the public verification route.
 *
 *   SC 0123456789ABCDEFGHJKMNPQRS - 0001 - 7KX2M9QD
 *   │  └ volunteer id (128 bits)    │      └ 40-bit code derived from the issuing command's id
 *   └ "service certificate"        └ per-volunteer sequence, from 1
 *
 * Base 32 is Crockford's (no I, L, O or U), so a number read aloud or typed from paper is
 * unambiguous; parsing accepts lower case.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Volunteer ids are `v` + 128 bits of the keyed ID-number hash (`volunteerIdForNationalIdHash`). */
const VOLUNTEER_ID_PATTERN = /^v[0-9a-f]{32}$/;
/** 26 characters carry 130 bits; the top two are zero, so the first character is 0-7. */
const VOLUNTEER_PART_CHARACTERS = 26;
const CODE_CHARACTERS = 8;

export const CERTIFICATE_NUMBER_PATTERN = /^SC[0-7][0-9A-HJKMNP-TV-Z]{25}-[0-9]{4,9}-[0-9A-HJKMNP-TV-Z]{8}$/;

function toBase32(value: bigint, characters: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < characters; index += 1) {
    text = ALPHABET[Number(rest & 31n)]! + text;
    rest >>= 5n;
  }
  if (rest !== 0n) throw new Error('value does not fit the number of base-32 characters');
  return text;
}

function fromBase32(text: string): bigint {
  let value = 0n;
  for (const character of text) {
    const digit = ALPHABET.indexOf(character);
    if (digit < 0) throw new Error(`not a base-32 character: ${character}`);
    value = (value << 5n) | BigInt(digit);
  }
  return value;
}

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a over the UTF-16 code units of `text`, 64 bits: a pure, stable mixing function (not a MAC). */
function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET_BASIS;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/**
 * The number of a volunteer's `sequence`-th certificate. `issueId` is the id the ledger derives
 * from the issuing command's idempotency key (sha-256 of a key scoped to the caller's API key),
 * which is what makes the code unguessable; the mixing here only shortens it to 40 bits.
 */
export function certificateNumberFor(volunteerId: string, sequence: number, issueId: string): string {
  if (!VOLUNTEER_ID_PATTERN.test(volunteerId))
    throw new Error(
      `certificates need a derived volunteer id (v + 32 hex), got ${JSON.stringify(volunteerId)}`,
    );
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence > 999_999_999)
    throw new Error(`certificate sequence out of range: ${sequence}`);
  const volunteerPart = toBase32(BigInt(`0x${volunteerId.slice(1)}`), VOLUNTEER_PART_CHARACTERS);
  const code = toBase32(fnv1a64(`${volunteerId}\n${sequence}\n${issueId}`) >> 24n, CODE_CHARACTERS);
  return `SC${volunteerPart}-${String(sequence).padStart(4, '0')}-${code}`;
}

/** Upper-cases a number as typed and removes spaces, so that one certificate has one spelling. */
export function normaliseCertificateNumber(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

/** The volunteer whose stream holds the certificate, or null when `number` is not well formed. */
export function volunteerIdOfCertificateNumber(number: string): string | null {
  if (!CERTIFICATE_NUMBER_PATTERN.test(number)) return null;
  const volunteerPart = number.slice(2, 2 + VOLUNTEER_PART_CHARACTERS);
  return `v${fromBase32(volunteerPart).toString(16).padStart(32, '0')}`;
}
