/**
 * Messages, numbers and dates in the user's language. zh-CN is the default; the choice of
 * language (not a secret) is remembered in localStorage. Dates are shown in Asia/Shanghai.
 */
import { ERASED_TEXT } from '@timebank/domain';
import { en } from '../messages/en.js';
import { ERROR_MESSAGES } from '../messages/errors.js';
import { zhCN, type MessageKey } from '../messages/zh-cn.js';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const TIME_ZONE = 'Asia/Shanghai';
const LOCALE_STORAGE_KEY = 'timebank.console.locale';

let current: Locale = readStoredLocale();

function readStoredLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(LOCALE_STORAGE_KEY);
  return stored === 'en' ? 'en' : 'zh-CN';
}

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  current = next;
  localStorage.setItem(LOCALE_STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The message for `key` with `{name}` placeholders filled from `values`. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const template = current === 'en' ? en[key] : zhCN[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

/** The message for an API error code; an unknown code still reads as a sentence, naming it. */
export function errorMessage(code: string): string {
  const messages = ERROR_MESSAGES[code];
  if (messages === undefined) return t('error.unknown', { code });
  return current === 'en' ? messages[1] : messages[0];
}

function instantFormat(): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(current, { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' });
}

export function formatInstant(iso: string): string {
  return instantFormat().format(new Date(iso));
}

/**
 * `formatInstant` in two: the date with what follows it (`Dec 4, 2026,`, `2026年12月4日`) and the
 * time of day (`8:00 AM`, `08:00`), joined by a space they read as `formatInstant` does. Where a
 * line must break, it breaks there and not inside either.
 */
export function instantParts(iso: string): readonly [date: string, time: string] {
  const parts = instantFormat().formatToParts(new Date(iso));
  const first = parts.findIndex((part) => part.type === 'hour' || part.type === 'dayPeriod');
  if (first <= 0) return [formatInstant(iso), ''];
  const text = (from: number, to?: number) =>
    parts
      .slice(from, to)
      .map((part) => part.value)
      .join('');
  return [text(0, first).trimEnd(), text(first)];
}

/**
 * When a service took place, in Asia/Shanghai: `2026年12月3日 08:07–09:00`, the end's date
 * written too only when it falls on another local day.
 */
export function formatServicePeriod(startIso: string, endIso: string): string {
  const sameDay = todayInShanghai(Date.parse(startIso)) === todayInShanghai(Date.parse(endIso));
  const end = sameDay
    ? new Intl.DateTimeFormat(current, { timeZone: TIME_ZONE, timeStyle: 'short' }).format(new Date(endIso))
    : formatInstant(endIso);
  return `${formatInstant(startIso)}–${end}`;
}

function formatDecimal(value: number): string {
  return new Intl.NumberFormat(current, { minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(value);
}

/** Whole minutes as a number of hours, e.g. 90 → `1.5`. */
export function hoursNumber(minutes: number): string {
  return formatDecimal(minutes / 60);
}

/**
 * A personal field (a name, a masked ID number, a contact) as the user reads it: after an erasure
 * the API answers `[erased]`, shown in the user's language (（个人信息已删除）), never as that token.
 */
export function personalText(value: string): string {
  return value === ERASED_TEXT ? t('personal.erased') : value;
}

/** Whole minutes as hours with their unit, e.g. 90 → `1.5 小时`. */
export function formatHours(minutes: number): string {
  return t('hours.value', { hours: hoursNumber(minutes) });
}

/** Today's date in Asia/Shanghai as `YYYY-MM-DD` (the value of an `<input type=date>`). */
export function todayInShanghai(nowMs: number = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(nowMs);
}

/**
 * An instant as Asia/Shanghai wall-clock time, `YYYY-MM-DD HH:MM:SS`: what a spreadsheet reads as a
 * date and time, and the local day a statement's month is made of (not the UTC one).
 */
export function shanghaiDateTime(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * A local date and time in Asia/Shanghai (UTC+8 all year: China has no daylight saving) as an ISO
 * instant. A date input lets people type years up to 275760, which no ISO instant can hold: such a
 * date is sent as typed, so the API refuses it as VALIDATION_FAILED naming the field, instead of
 * the form throwing before anything is shown.
 */
export function shanghaiInstant(date: string, time: string): string {
  const typed = `${date}T${time}:00+08:00`;
  const instant = new Date(typed);
  return Number.isNaN(instant.getTime()) || instant.getUTCFullYear() > 9999 ? typed : instant.toISOString();
}

/** Fen (1 yuan = 100) as yuan with two decimals and the sign: `¥12.50`. */
export function formatYuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/**
 * Yuan as typed (up to two decimals, full-width digits and point folded) to fen; 0 when empty,
 * NaN when it is not such a number.
 */
export function fenOf(yuan: string): number {
  const typed = yuan.normalize('NFKC').trim();
  if (typed === '') return 0;
  return /^\d+(\.\d{1,2})?$/.test(typed) ? Math.round(Number(typed) * 100) : Number.NaN;
}

/** Centipoints (1 point = 100) as points: exactly one is singular in English (1 point, 1.5 points). */
export function formatPoints(centipoints: number): string {
  return t(centipoints === 100 ? 'points.one' : 'points.value', { points: formatDecimal(centipoints / 100) });
}
