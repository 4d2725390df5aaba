/**
 * Text rules for every free-text field a command carries (names, activities, reasons, offer
 * titles, notes). Text is stored in events for ever and printed on certificates, so it must
 * print as what it says: one spelling per string (NFC), no characters that are invisible or
 * that reorder what follows them, and names with at least one letter. Any script stays valid
 * (CJK, Arabic, Cyrillic, …), and so do emoji, including their zero-width-joiner sequences.
 */
import { z } from 'zod';

import { textRuleViolation } from './text-rules.js';

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
