/**
 * Mainland resident ID numbers (GB 11643-1999): 17 digits and a check character computed with
 * ISO 7064 MOD 11-2. The domain checks the number and masks it; the keyed hash is computed
 * outside (it needs a secret key and a crypto library) and arrives through the context.
 */
import { calendarDate, type CalendarDate } from './age.js';

const RESIDENT_ID_PATTERN = /^[1-9][0-9]{16}[0-9X]$/;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

/** Full-width digits `０`–`９` and `Ｘ`/`ｘ`: what a Chinese input method types in full-width mode. */
const FULL_WIDTH_ID_CHARACTER = /[\uFF10-\uFF19\uFF38\uFF58]/g;
/** A full-width form sits this far above its ASCII one (U+FF10 `０` is U+0030 `0` + 0xFEE0). */
const FULL_WIDTH_OFFSET = 0xfee0;

/**
 * One spelling per person: full-width digits and X folded to ASCII, spaces (full-width ones too)
 * removed, a trailing `x` upper-cased. Registration, look-up and the keyed hash all go through
 * here, so an ID typed in full width finds the volunteer registered in ASCII. Only these
 * characters are folded, not all of NFKC: a circled or superscript digit stays invalid.
 */
export function normaliseNationalId(text: string): string {
  return text
    .replace(FULL_WIDTH_ID_CHARACTER, (character) =>
      String.fromCharCode(character.charCodeAt(0) - FULL_WIDTH_OFFSET),
    )
    .replace(/\s+/g, '')
    .toUpperCase();
}

/** The GB 11643 check character of a 17-digit body (ISO 7064 MOD 11-2). */
export function nationalIdCheckCharacter(body17: string): string {
  if (!/^[0-9]{17}$/.test(body17)) throw new Error('a resident ID body is 17 digits');
  let sum = 0;
  for (let index = 0; index < WEIGHTS.length; index += 1)
    sum += Number(body17[index]) * (WEIGHTS[index] ?? 0);
  return CHECK_CHARACTERS[sum % 11] ?? '';
}

/** True for a well-formed resident ID number with a correct check character. */
export function isValidNationalId(normalised: string): boolean {
  if (!RESIDENT_ID_PATTERN.test(normalised)) return false;
  return normalised[17] === nationalIdCheckCharacter(normalised.slice(0, 17));
}

/** Display form: the first four and last four characters, e.g. `1301**********1234`. */
export function maskNationalId(normalised: string): string {
  return normalised.slice(0, 4) + '*'.repeat(Math.max(0, normalised.length - 8)) + normalised.slice(-4);
}

/**
 * The birth date a resident ID number carries in characters 7–14 (`YYYYMMDD`), or undefined when
 * those digits are not a real calendar date (month 13, 30 February). Whether the date is in the
 * future, or the person old enough, is for the decider: it depends on the clock.
 */
export function nationalIdBirthDate(normalised: string): CalendarDate | undefined {
  const digits = /^[0-9]{6}([0-9]{4})([0-9]{2})([0-9]{2})/.exec(normalised);
  if (digits === null) return undefined;
  return calendarDate(Number(digits[1]), Number(digits[2]), Number(digits[3]));
}
