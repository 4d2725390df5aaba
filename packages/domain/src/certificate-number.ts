/**
 * Numbers of service certificates (志愿服务证明).
 *
 * Numbers of the second format carry no identity: `SC2-XXXX-XXXX-XXXX-XXXX-C`, 80 bits drawn from
 * the id the ledger derives for the issuing command (unguessable, see `certificateNumberV2For`)
 * and a Luhn mod 32 check character that catches any single mistyped character and any swap of
 * two neighbours but `0`/`Z`. A verifier finds the volunteer's stream through the read models' certificate
 * index. Numbers issued before keep their old form, described below, and are still verified by
 * the volunteer id they embed.
 *
 * The old form (version 1): a number names the volunteer's stream, so a
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

/** Version 1 numbers, which embed the volunteer id: still valid, never issued again. */
export const CERTIFICATE_NUMBER_V1_PATTERN =
  /^SC[0-7][0-9A-HJKMNP-TV-Z]{25}-[0-9]{4,9}-[0-9A-HJKMNP-TV-Z]{8}$/;
/** Version 2 numbers: 16 random base-32 characters in groups of four, and a check character. */
export const CERTIFICATE_NUMBER_V2_PATTERN = /^SC2(-[0-9A-HJKMNP-TV-Z]{4}){4}-[0-9A-HJKMNP-TV-Z]$/;
/** Either form, as events and routes accept them. */
export const CERTIFICATE_NUMBER_PATTERN = new RegExp(
  `(${CERTIFICATE_NUMBER_V1_PATTERN.source})|(${CERTIFICATE_NUMBER_V2_PATTERN.source})`,
);

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

/**
 * Luhn mod 32 over base-32 characters: doubling every second character from the right, so a
 * single wrong character always changes the check character, and so does a swap of two neighbours
 * unless they are `0` and `Z` (Luhn's one blind spot, as 0/9 in base 10).
 */
function luhnCheckCharacter(characters: string): string {
  let sum = 0;
  for (let index = characters.length - 1, double = true; index >= 0; index -= 1, double = !double) {
    const digit = ALPHABET.indexOf(characters[index]!);
    if (digit < 0) throw new Error(`not a base-32 character: ${characters[index]}`);
    const added = double ? digit * 2 : digit;
    sum += Math.floor(added / 32) + (added % 32);
  }
  return ALPHABET[(32 - (sum % 32)) % 32]!;
}

/**
 * The number of a new certificate: 80 bits of `issueId`, the id the ledger derives from the
 * issuing command's idempotency key (sha-256 of a key scoped to the caller's API key), so no
 * outsider can guess it, and nothing of the volunteer.
 */
export function certificateNumberV2For(issueId: string): string {
  if (issueId.length === 0) throw new Error('certificate numbers need the issuing command id');
  // Two 64-bit mixes of the id, 80 of their 128 bits kept: the mixing only shortens the id.
  const mixed = (fnv1a64(`certificate:a:${issueId}`) << 16n) ^ (fnv1a64(`certificate:b:${issueId}`) >> 48n);
  const body = toBase32(mixed & ((1n << 80n) - 1n), 16);
  const groups = body.match(/.{4}/g)!.join('-');
  return `SC2-${groups}-${luhnCheckCharacter(body)}`;
}

/** Whether a well-formed version 2 number's check character matches (a mistyped number does not). */
export function certificateNumberCheckPasses(number: string): boolean {
  if (!CERTIFICATE_NUMBER_V2_PATTERN.test(number)) return false;
  const body = number.slice(4, -2).replaceAll('-', '');
  return luhnCheckCharacter(body) === number.at(-1);
}

/** Upper-cases a number as typed and removes spaces, so that one certificate has one spelling. */
export function normaliseCertificateNumber(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

/** The volunteer whose stream holds a version 1 certificate, or null for any other text (version 2 numbers name nobody). */
export function volunteerIdOfCertificateNumber(number: string): string | null {
  if (!CERTIFICATE_NUMBER_V1_PATTERN.test(number)) return null;
  const volunteerPart = number.slice(2, 2 + VOLUNTEER_PART_CHARACTERS);
  return `v${fromBase32(volunteerPart).toString(16).padStart(32, '0')}`;
}
