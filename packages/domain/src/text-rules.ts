/**
 * The text rules themselves, apart from the schemas in text.ts, so that a browser (the console's
 * forms) can check text as the API will without bundling zod.
 */
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

/** `ERASED_TEXT` (events/common.ts), repeated here so a browser needs no zod: what an erased field reads as. */
const ERASED_PLACEHOLDER = '[erased]';

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
  // Reads as erased personal data everywhere (a certificate prints 个人信息已依法删除 for it).
  if (text.trim() === ERASED_PLACEHOLDER)
    return `must not be ${ERASED_PLACEHOLDER}, which marks personal data that was erased`;
  if (options.letterRequired && !LETTER.test(text)) return 'must contain at least one letter';
  return undefined;
}
