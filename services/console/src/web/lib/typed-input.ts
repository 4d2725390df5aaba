/**
 * What a clerk or a volunteer types, made into what the API expects. People paste numbers in
 * groups with spaces, type in lower case, and a Chinese input method in full-width mode types
 * full-width digits and letters (`１１０１…`, `ｘ`): NFKC folds those to ASCII, so the same
 * person or code is found whichever way it was typed.
 */
import { normaliseNationalId } from '@timebank/domain';

/** Full-width forms to ASCII (NFKC), then the domain's own spelling of an ID number. */
export function typedNationalId(typed: string): string {
  return normaliseNationalId(typed.normalize('NFKC'));
}

/** A volunteer number as printed (`TBV…`): no spaces, upper case. */
export function typedVolunteerNumber(typed: string): string {
  return typed.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** A telephone number: the API takes digits, dashes and a leading +; spaces are only grouping. */
export function typedPhone(typed: string): string {
  return typed.normalize('NFKC').replace(/\s+/g, '');
}
