/**
 * The key of the keyed hash that names spend-code streams. It is derived from the ledger's
 * existing secret (the national-ID key) under a label of its own, so the two hashes can never
 * be confused and no new secret needs provisioning. This is the one place that knows where the
 * key comes from: when the secret material changes, change only this function.
 */
import { createHmac } from 'node:crypto';

/** Domain-separation label; a new version of the derivation gets a new label, never a reused one. */
const SPEND_CODE_KEY_LABEL = 'timebank/spend-code-hash-key/v1';

export function deriveSpendCodeKey(nationalIdKey: string): Buffer {
  return createHmac('sha256', nationalIdKey).update(SPEND_CODE_KEY_LABEL).digest();
}

/** HMAC-SHA-256 of a spend code's digits under the derived key, as 64 lower-case hex digits. */
export function spendCodeHashWith(key: Buffer, spendCode: string): string {
  return createHmac('sha256', key).update(spendCode).digest('hex');
}
