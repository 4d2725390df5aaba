/**
 * What a staff member or volunteer had typed when their session ended under them (30 idle minutes,
 * a volunteer's token running out, a revoked key): kept in this page's memory only (never in
 * storage, so nothing typed outlives the tab or can be read back from it) and put back when the
 * same role and scope sign in again and come back to that screen. Without it a desk clerk who
 * came back from a break to a half-filled registration lost all of it at the first click.
 * Passwords, secret codes (`data-no-draft`) and anything left at its default are not kept.
 */
import type { Session } from './session.js';

/** A draft older than this is dropped rather than put back. */
const DRAFT_KEPT_MS = 2 * 60 * 60 * 1000;

interface Draft {
  readonly path: string;
  readonly role: Session['role'];
  readonly scopeId: string | null;
  readonly savedAtMs: number;
  /** By field: `<form index>:<name>`, the value or, for a checkbox or radio, whether it is checked. */
  readonly values: ReadonlyMap<string, string | boolean>;
}

let draft: Draft | null = null;
/** The path of the screen on show, as the router resolved it. */
let shownPath = '';

/** The router says which screen it shows, so that a draft names the screen it was typed on. */
export function screenShown(path: string): void {
  shownPath = path;
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const SKIPPED_TYPES = new Set(['password', 'hidden', 'file', 'submit', 'button', 'reset', 'image']);

/** The fields of the screen a draft covers, by their draft key. */
function fieldsOf(main: HTMLElement): Map<string, Field> {
  const fields = new Map<string, Field>();
  main.querySelectorAll('form').forEach((form, index) => {
    for (const element of Array.from(form.elements)) {
      if (
        !(element instanceof HTMLInputElement) &&
        !(element instanceof HTMLSelectElement) &&
        !(element instanceof HTMLTextAreaElement)
      )
        continue;
      if (element.name === '' || element.hasAttribute('data-no-draft')) continue;
      if (element instanceof HTMLInputElement && SKIPPED_TYPES.has(element.type)) continue;
      const key =
        element instanceof HTMLInputElement && element.type === 'radio'
          ? `${index}:${element.name}=${element.value}`
          : `${index}:${element.name}`;
      fields.set(key, element);
    }
  });
  return fields;
}

function changed(field: Field): string | boolean | undefined {
  if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio'))
    return field.checked === field.defaultChecked ? undefined : field.checked;
  if (field instanceof HTMLSelectElement) {
    const initial = Array.from(field.options).find((option) => option.defaultSelected) ?? field.options[0];
    return field.value === (initial?.value ?? '') ? undefined : field.value;
  }
  return field.value === field.defaultValue ? undefined : field.value;
}

/** Keeps what `session`'s user typed on the screen on show; nothing if they typed nothing. */
export function keepDraft(session: Session): void {
  const path = shownPath;
  const main = document.getElementById('main');
  if (main === null) return;
  const values = new Map<string, string | boolean>();
  for (const [key, field] of fieldsOf(main)) {
    const value = changed(field);
    if (value !== undefined) values.set(key, value);
  }
  draft =
    values.size === 0
      ? null
      : { path, role: session.role, scopeId: session.scopeId, savedAtMs: Date.now(), values };
}

/**
 * Where the draft of this session's role and scope was typed, if it has one; a draft of any other
 * role or scope is dropped: whoever signs in next sees nothing the last person typed.
 */
export function draftPathFor(session: Session): string | null {
  if (draft === null) return null;
  if (
    draft.role !== session.role ||
    draft.scopeId !== session.scopeId ||
    Date.now() - draft.savedAtMs > DRAFT_KEPT_MS
  ) {
    draft = null;
    return null;
  }
  return draft.path;
}

/**
 * Puts the draft back into the screen just shown at `path` (input and change events fire, so the
 * screen's own checks and dependent fields follow) and forgets it. Answers how many fields came back.
 */
export function restoreDraft(main: HTMLElement, path: string): number {
  if (draft === null || draft.path !== path) return 0;
  const fields = fieldsOf(main);
  let restored = 0;
  for (const [key, value] of draft.values) {
    const field = fields.get(key);
    if (field === undefined) continue;
    if (typeof value === 'boolean' && field instanceof HTMLInputElement) field.checked = value;
    else if (typeof value === 'string') field.value = value;
    else continue;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    field.dispatchEvent(new Event('change', { bubbles: true }));
    restored += 1;
  }
  draft = null;
  return restored;
}

/** Signing out on purpose keeps nothing. */
export function dropDraft(): void {
  draft = null;
}
