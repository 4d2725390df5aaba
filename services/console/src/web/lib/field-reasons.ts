/**
 * Why the API refused a field of a form, read from the message of a VALIDATION_FAILED problem's
 * `errors[]` entry, so that a clerk who pasted a very long text reads 字段：姓名（最多 200 个字符）
 * rather than only 字段：姓名 and a guess. The messages come from zod's string checks (`Too big:
 * expected string to have <=200 characters`, `Too small: …>=1 characters`, for a text that is
 * empty once trimmed) and from the domain's text rules (`must contain at least one letter`,
 * `packages/domain/src/text-rules.ts`); any other message gives no reason, and the field is named
 * alone, as before.
 */
export type FieldReason =
  | { readonly kind: 'tooLong'; readonly lengthMax: number }
  | { readonly kind: 'empty' }
  | { readonly kind: 'letterRequired' }
  | { readonly kind: 'aboveBalanceCap'; readonly capCentipoints: number };

export function fieldReason(message: string): FieldReason | undefined {
  const tooLong = /^Too big: expected string to have <=(\d+) characters?$/.exec(message);
  if (tooLong !== null) return { kind: 'tooLong', lengthMax: Number(tooLong[1]) };
  if (/^Too small: expected string to have >=1 characters?$/.test(message)) return { kind: 'empty' };
  if (message === 'must contain at least one letter') return { kind: 'letterRequired' };
  // The domain's refusal of an offer priced above what any volunteer may hold (packages/domain/src/registry/partner.ts).
  const aboveCap = /above the highest balance cap of the points policy \((\d+)\)$/.exec(message);
  if (aboveCap !== null) return { kind: 'aboveBalanceCap', capCentipoints: Number(aboveCap[1]) };
  return undefined;
}
