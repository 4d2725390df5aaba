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

/**
 * An activation code as printed (`CG7A-TEV5-8BRM`): upper case, full-width letters, digits and
 * dashes folded. An elderly volunteer often types it with a Chinese input method in full-width
 * mode (`ｃｇ７ａ－ｔｅｖ５－８ｂｒｍ`); sent as typed, the API refused it as an invalid code,
 * and each refusal counts towards the sign-in lock-out. Spaces and dashes are left for the API,
 * which ignores them.
 */
export function typedActivationCode(typed: string): string {
  return typed.normalize('NFKC').trim().toUpperCase();
}

/** A telephone number: the API takes digits, dashes and a leading +; spaces are only grouping. */
export function typedPhone(typed: string): string {
  return typed.normalize('NFKC').replace(/\s+/g, '');
}

/** A volunteer number as sent, and the line of the list it was typed on, counted from 1. */
export interface TypedNumber {
  readonly volunteerNumber: string;
  readonly line: number;
}

/**
 * The numbers typed, one per line (a pasted list separated by commas or 、 also splits); spaces
 * within a line are grouping, as on the find screen. Blank lines are skipped, but each number
 * keeps its own line, so a refusal names the line the organiser sees.
 */
export function typedNumbers(typed: string): TypedNumber[] {
  return typed.split(/\r?\n/).flatMap((text, index) =>
    text
      .split(/[,，、;；]/)
      .map(typedVolunteerNumber)
      .filter((volunteerNumber) => volunteerNumber !== '')
      .map((volunteerNumber) => ({ volunteerNumber, line: index + 1 })),
  );
}
