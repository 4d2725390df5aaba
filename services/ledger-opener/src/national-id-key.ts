/**
 * What a configured national-ID key (LEDGER_NATIONAL_ID_KEY) must be, checked alike by the server
 * and `pnpm ledger`: volunteer ids and duplicate detection derive from the key byte for byte, so
 * two processes that read one environment differently would file one person under two ids.
 */

/** Characters at least: 32, the length of a 128-bit key in hex, the least worth keying a hash with. */
export const NATIONAL_ID_KEY_LENGTH_MIN = 32;

/**
 * Why `key` cannot be used, or undefined when it can. The key is never trimmed: the server has
 * always used it as given (whitespace included), and ids already derived from such a key must
 * stay the same, so every reader takes it exactly as the server does.
 */
export function nationalIdKeyProblem(key: string): string | undefined {
  if (key.length < NATIONAL_ID_KEY_LENGTH_MIN)
    return `must be at least ${NATIONAL_ID_KEY_LENGTH_MIN} characters`;
  return undefined;
}
