/**
 * Text rules for every free-text field a command carries (names, activities, reasons, offer
 * titles, notes). Text is stored in events for ever and printed on certificates, so it must
 * print as what it says: one spelling per string (NFC), no characters that are invisible or
 * that reorder what follows them, and names with at least one letter. Any script stays valid
 * (CJK, Arabic, Cyrillic, …), and so do emoji, including their zero-width-joiner sequences.
 */
import { z } from 'zod';

/**
 * Characters that never belong in a one-line text: controls (Cc, which includes NUL, tab and
 * newlines), format characters (Cf: zero-width spaces and joiners, bidi embeddings, overrides
 * and isolates U+202A–U+202E and U+2066–U+2069, the byte-order mark, …), lone surrogates (Cs,
 * which are not text at all) and the line and paragraph separators (Zl, Zp).
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * A zero-width joiner that glues two pictographs into one emoji (👩‍👩‍👧, 🏳️‍🌈): it follows a
 * pictograph, optionally with a variation selector or skin-tone modifier, and precedes one. Only
 * these joiners are exempt from the format-character rule.
 */
const EMOJI_JOINER =
  /(?<=\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]?)\u200D(?=\p{Extended_Pictographic})/gu;

const LETTER = /\p{L}/u;

/** Bidirectional embeddings, overrides and isolates: named separately because they are the spoofing risk. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

function codePointName(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` breaks the text rules, or undefined when it keeps them. The message names the
 * offending code point, never the text itself (it may be personal data).
 */
export function textRuleViolation(text: string, options: { letterRequired: boolean }): string | undefined {
  // Most text has no joiner at all; the look-behind scan is only worth it when it does.
  const unjoined = text.includes('\u200D') ? text.replace(EMOJI_JOINER, '') : text;
  const forbidden = FORBIDDEN_CHARACTER.exec(unjoined);
  if (forbidden !== null) {
    const character = forbidden[0];
    const kind = BIDI_CONTROL.test(character)
      ? 'a bidirectional control character'
      : /\p{Cf}/u.test(character)
        ? 'an invisible format character'
        : 'a control character or line break';
    return `must not contain ${kind} (${codePointName(character)})`;
  }
  if (options.letterRequired && !LETTER.test(text)) return 'must contain at least one letter';
  return undefined;
}

export interface FreeTextOptions {
  /** Longest text after normalisation, in UTF-16 code units (what JSON and zod count). */
  readonly lengthMax: number;
  /** 0 for optional notes; 1 (the default) for fields that must say something. */
  readonly lengthMin?: number;
  /** Names of people and organisations must contain a letter (\p{L}); digits or symbols alone name no one. */
  readonly letterRequired?: boolean;
}

/**
 * The one schema for free text in commands: normalised to NFC, held to the text rules above,
 * then trimmed and length-checked. The rules see the untrimmed text, so a newline or NUL is
 * refused wherever it stands rather than silently cut off the end.
 */
export function freeTextSchema(options: FreeTextOptions) {
  const letterRequired = options.letterRequired ?? false;
  return z
    .string()
    .overwrite((text) => text.normalize('NFC'))
    .superRefine((text, context) => {
      const violation = textRuleViolation(text, { letterRequired });
      if (violation !== undefined) context.addIssue({ code: 'custom', message: violation });
    })
    .trim()
    .min(options.lengthMin ?? 1)
    .max(options.lengthMax);
}

/** Most free-text fields (activities, reasons, communities, offer titles): 1–200 characters. Default 200: our choice, one printed line on a certificate. */
export const textFieldSchema = freeTextSchema({ lengthMax: 200 });
/** Names of people and organisations: as `textFieldSchema`, and at least one letter. */
export const nameFieldSchema = freeTextSchema({ lengthMax: 200, letterRequired: true });
/** Optional notes on corrections: 0–500 characters. Default 500: our choice, a short paragraph. */
export const noteFieldSchema = freeTextSchema({ lengthMax: 500, lengthMin: 0 });
