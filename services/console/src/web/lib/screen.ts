/** What every screen receives, and the shared pieces of forms: errors and submit buttons. */
import { ApiError, NETWORK_ERROR, RequestTimedOut, SESSION_EXPIRED } from './api.js';
import { h } from './dom.js';
import type { FieldReason } from './field-reasons.js';
import { errorMessage, formatPoints, t } from './i18n.js';
import type { Session } from './session.js';

export interface ScreenContext {
  /** Null only on the sign-in screen. */
  readonly session: Session | null;
  /** The route's captured path segments, e.g. the volunteer id. */
  readonly params: readonly string[];
  readonly navigate: (path: string, notice?: string) => void;
  /** A message left by the previous screen. */
  readonly notice: string | null;
}

export type Screen = (context: ScreenContext) => HTMLElement | Promise<HTMLElement>;

export function requireSession(context: ScreenContext): Session {
  if (context.session === null) throw new Error('screen needs a session');
  return context.session;
}

/**
 * The error as a sentence in the user's language, with the fields a validation failure named:
 * by their labels in `form` when it has them, so a clerk reads 字段：联系电话, not `phone`.
 */
export function describeError(error: unknown, form?: HTMLFormElement | null): string {
  if (!(error instanceof ApiError)) return t('error.unknown', { code: 'INTERNAL_ERROR' });
  if (error.code === NETWORK_ERROR) return t('error.network');
  if (error instanceof RequestTimedOut) {
    const seconds = Math.round(error.timeoutMs / 1000);
    // "Nothing is done twice" only where the retry sends the same idempotency key.
    return t(error.retryReusesKey ? 'error.timeout' : 'error.timeoutNoRetryKey', { seconds });
  }
  if (error.code === SESSION_EXPIRED) return t('session.expired');
  // Each field once: a list's lines (`volunteerNumbers.0`, `.1`, …) share their input's label.
  const fields = new Set(
    error.fields.map((name) => fieldText(fieldLabel(name, form), error.fieldReasons.get(name))),
  );
  return [errorMessage(error.code), ...fields].join(' ');
}

/** 字段：姓名, with why when the API said it plainly: 字段：姓名（最多 200 个字符）. */
function fieldText(field: string, reason: FieldReason | undefined): string {
  switch (reason?.kind) {
    case 'tooLong':
      return t('error.fieldTooLong', { field, lengthMax: reason.lengthMax });
    case 'empty':
      return t('error.fieldEmpty', { field });
    case 'letterRequired':
      return t('error.fieldLetterRequired', { field });
    case 'aboveBalanceCap':
      return t('error.fieldAboveBalanceCap', { field, points: formatPoints(reason.capCentipoints) });
    case undefined:
      return t('error.field', { field });
  }
}

/**
 * The label of the input that a problem's field (`body.guardian.contact`, `params.volunteerNumber`)
 * came from: the input named so (`guardianContact`, `volunteerNumber`) or declaring it in
 * `data-field` when the form sends it under another name (points typed, centipoints sent). The
 * field's own name when no input of the form matches.
 */
function fieldLabel(name: string, form?: HTMLFormElement | null): string {
  const path = name.replace(/^(body|params|query)\./, '');
  if (form === null || form === undefined) return path;
  // A list's item (`volunteerIds.0`) is named by the list's input.
  const segments = path.split('.').filter((segment) => !/^\d+$/.test(segment));
  const joined = segments.map((segment, index) =>
    index === 0 ? segment : segment.charAt(0).toUpperCase() + segment.slice(1),
  );
  for (const candidate of new Set([path, segments.join('.'), joined.join(''), segments.at(-1) ?? path])) {
    const input = [...form.elements].find(
      (element): element is HTMLInputElement =>
        element instanceof HTMLElement &&
        'labels' in element &&
        (element.getAttribute('name') === candidate || element.dataset.field === candidate),
    );
    const label = input?.labels?.[0]?.textContent?.trim();
    if (label !== undefined && label !== '') return label;
  }
  return path;
}

/**
 * What an action leaves on its screen is that screen's outcome: the notice it navigated with
 * (`noticeOf`), a status area's sentence, and a result area (`resultArea`: a spend code, a key
 * shown once, an auditor's figures). The screen shows one outcome at a time: a status area that
 * clears for a new action, or shows an outcome, removes the notice and empties every other status
 * and result area of the screen, so a user never reads 已发布 above a later error, nor an earlier
 * spend code or report beside a new refusal, as if both were news.
 */
const OUTCOME = 'data-outcome';

/** Removes or empties the screen's outcomes other than `kept` (the screen is the `main` holding it). */
function supersede(kept: HTMLElement): void {
  const screen = kept.closest('main');
  if (screen === null) return;
  for (const outcome of screen.querySelectorAll<HTMLElement>(`[${OUTCOME}]`)) {
    if (outcome === kept) continue;
    const kind = outcome.getAttribute(OUTCOME);
    if (kind === 'notice') outcome.remove();
    // A secret shown once stays until its own action replaces it: only its success sentence goes.
    else if (kind === 'once') for (const sentence of outcome.querySelectorAll('p.ok')) sentence.remove();
    else outcome.replaceChildren();
  }
}

/**
 * A `div` for an action's result, emptied when another action on the screen starts or is
 * refused, and when its own action starts again. `shownOnce`: what it shows cannot be shown
 * again (a new API key, a spend code or an activation code the API keeps only a hash of), so
 * another action's outcome removes only its success sentence (`p.ok`) and the secret stays until
 * its own action replaces it: a refused star application must not take away the spend code the
 * volunteer is about to use, nor a failed second issue the key the administrator has not copied.
 */
export function resultArea(
  attributes: Record<string, string> = {},
  options: { readonly shownOnce?: boolean } = {},
): HTMLDivElement {
  return h('div', { ...attributes, [OUTCOME]: options.shownOnce === true ? 'once' : 'result' });
}

/** A live region for a form's outcome: errors are announced at once (role=alert). */
export function statusArea(): {
  readonly element: HTMLElement;
  show(kind: 'error' | 'ok', text: string): void;
  clear(): void;
} {
  const element = h('div', { class: 'status', 'aria-live': 'polite', [OUTCOME]: 'status' });
  return {
    element,
    show(kind, text) {
      supersede(element);
      element.replaceChildren(h('p', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, text));
    },
    clear() {
      supersede(element);
      element.replaceChildren();
    },
  };
}

/** Runs a form's submission with its button disabled; shows a failure in `status`. */
export async function submitting(
  button: HTMLButtonElement,
  status: ReturnType<typeof statusArea>,
  action: () => Promise<void>,
): Promise<void> {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = t('form.saving');
  status.clear();
  try {
    await action();
  } catch (error) {
    status.show('error', describeError(error, button.form));
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

/** The notice the previous action navigated with: an outcome of the screen (see `statusArea`). */
export function noticeOf(context: ScreenContext): HTMLElement | null {
  return context.notice === null
    ? null
    : h('p', { class: 'ok', role: 'status', [OUTCOME]: 'notice' }, context.notice);
}
