/**
 * Large-text mode for elderly volunteers: every size in the style sheet is in `rem`, so one class
 * on the root element scales every screen. The choice (not a secret) is remembered in
 * localStorage, like the language.
 */
const STORAGE_KEY = 'timebank.console.largeText';

export function largeText(): boolean {
  return globalThis.localStorage?.getItem(STORAGE_KEY) === 'on';
}

export function applyLargeText(on: boolean = largeText()): void {
  document.documentElement.classList.toggle('large-text', on);
}

export function setLargeText(on: boolean): void {
  localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  applyLargeText(on);
}
