/** What every screen receives, and the shared pieces of forms: errors and submit buttons. */
import { ApiError, NETWORK_ERROR, SESSION_EXPIRED } from './api.js';
import { h } from './dom.js';
import { errorMessage, t } from './i18n.js';
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

/** The error as a sentence in the user's language, with the fields a validation failure named. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.unknown', { code: 'INTERNAL_ERROR' });
  if (error.code === NETWORK_ERROR) return t('error.network');
  if (error.code === SESSION_EXPIRED) return t('session.expired');
  const fields = error.fields.map((name) => t('error.field', { field: name.replace(/^body\./, '') }));
  return [errorMessage(error.code), ...fields].join(' ');
}

/** A live region for a form's outcome: errors are announced at once (role=alert). */
export function statusArea(): {
  readonly element: HTMLElement;
  show(kind: 'error' | 'ok', text: string): void;
  clear(): void;
} {
  const element = h('div', { class: 'status', 'aria-live': 'polite' });
  return {
    element,
    show(kind, text) {
      element.replaceChildren(h('p', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, text));
    },
    clear() {
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
    status.show('error', describeError(error));
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

export function noticeOf(context: ScreenContext): HTMLElement | null {
  return context.notice === null ? null : h('p', { class: 'ok', role: 'status' }, context.notice);
}
