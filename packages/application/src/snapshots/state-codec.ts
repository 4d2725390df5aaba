/**
 * A deterministic text encoding of folded state: JSON with tags for what JSON lacks. Maps and
 * Sets keep their insertion order (the fold relies on it: oldest idempotency keys and settled
 * holds are dropped first), plain objects are written with sorted keys, so one state has exactly
 * one encoding. Anything else (a class instance, a function, a symbol) is a programmer error here.
 *
 * Tags are one-key objects whose key starts with `$`; a plain object's own keys that start with
 * `$` are escaped by doubling it, so no value of the state can be mistaken for a tag.
 */
import { sortedKeys } from '@timebank/event-store';

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

function encodeValue(value: unknown): Encoded {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON has no NaN, ±Infinity or -0; they are written as tagged text.
      if (Object.is(value, -0)) return { $number: '-0' };
      return Number.isFinite(value) ? value : { $number: String(value) };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'object':
      return encodeObject(value);
    default:
      throw new TypeError(`state holds a ${typeof value}, which a snapshot cannot encode`);
  }
}

function encodeObject(value: object | null): Encoded {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value instanceof Map) {
    const table = tableOf(value as Map<unknown, unknown>);
    if (table !== undefined) return { $table: table };
    // Keys and values alternate in one flat list: no small array per entry to build and parse.
    const flat: Encoded[] = [];
    for (const [key, item] of value as Map<unknown, unknown>) flat.push(encodeValue(key), encodeValue(item));
    return { $map: flat };
  }
  if (value instanceof Set) return { $set: [...value].map(encodeValue) };
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError('state holds a class instance, which a snapshot cannot encode');
  }
  const record = value as Record<string, unknown>;
  const encoded: Record<string, Encoded> = {};
  for (const key of sortedKeys(record)) {
    const item = record[key];
    // An absent optional property and one set to undefined fold alike; absent is canonical.
    if (item === undefined) continue;
    encoded[key.startsWith('$') ? `$${key}` : key] = encodeValue(item);
  }
  return encoded;
}

/** Below this many entries a Map is written entry by entry; a table only pays off for many. */
const TABLE_ENTRIES_MIN = 8;

/** An object's defined own keys, sorted, when it is a plain object without `$` keys; else undefined. */
function plainColumns(value: unknown): string[] | undefined {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return undefined;
  const record = value as Record<string, unknown>;
  const columns = sortedKeys(record).filter((key) => record[key] !== undefined);
  return columns.some((key) => key.startsWith('$')) ? undefined : columns;
}

/**
 * A Map whose values are plain objects with the same keys (service records, holds) as one table,
 * `[columns, dictionaries, keyColumn, ...rows]`: the column names once; per column, the distinct
 * strings when a few repeat in every row (an activity, a status), rows then holding their
 * indices; the column that repeats each entry's key (a record's id), or -1 and the key leads each
 * row. Names and repeated strings are most of such a Map's text, and its decoding time.
 */
function tableOf(map: Map<unknown, unknown>): Encoded[] | undefined {
  if (map.size < TABLE_ENTRIES_MIN) return undefined;
  const entries = [...map] as [unknown, Record<string, unknown>][];
  const columns = plainColumns(entries[0]![1]);
  if (columns === undefined) return undefined;
  const signature = columns.join('\n');
  if (entries.some(([, item]) => plainColumns(item)?.join('\n') !== signature)) return undefined;
  const keyColumn = columns.findIndex((column) => entries.every(([key, item]) => item[column] === key));
  const dictionaries = columns.map((column) => dictionaryOf(entries.map(([, item]) => item[column])));
  const flat: Encoded[] = [columns, dictionaries.map((dictionary) => dictionary?.strings ?? null), keyColumn];
  for (const [key, item] of entries) {
    if (keyColumn < 0) flat.push(encodeValue(key));
    columns.forEach((column, index) => {
      const dictionary = dictionaries[index];
      const value = item[column];
      flat.push(dictionary === undefined ? encodeValue(value) : dictionary.indexOf.get(value as string)!);
    });
  }
  return flat;
}

/** The distinct strings of a column, in order of first appearance, when each repeats at least 4 times on average. */
function dictionaryOf(
  values: readonly unknown[],
): { strings: string[]; indexOf: Map<string, number> } | undefined {
  const indexOf = new Map<string, number>();
  for (const value of values) {
    if (typeof value !== 'string') return undefined;
    if (!indexOf.has(value)) indexOf.set(value, indexOf.size);
  }
  if (indexOf.size * 4 > values.length) return undefined;
  return { strings: [...indexOf.keys()], indexOf };
}

/** The state's one encoding. Throws a TypeError for a value it cannot represent. */
export function encodeState(state: unknown): string {
  return JSON.stringify(encodeValue(state));
}

/**
 * Decodes in place: the objects `JSON.parse` built are kept and only their tagged members
 * replaced, so a large state costs one allocation per object, not two.
 */
function decodeValue(value: Encoded): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item = value[index]!;
      if (item !== null && typeof item === 'object') value[index] = decodeValue(item) as Encoded;
    }
    return value;
  }
  let escaped = false;
  let count = 0;
  let first = '';
  for (const key in value) {
    if (count === 0) first = key;
    count += 1;
    if (key.charCodeAt(0) === DOLLAR) escaped = true;
    const item = value[key]!;
    if (item !== null && typeof item === 'object' && !isTag(first, count, key)) {
      value[key] = decodeValue(item) as Encoded;
    }
  }
  if (!escaped) return value;
  if (count === 1) {
    const tagged = decodeTag(first, value[first]!);
    if (tagged !== NOT_A_TAG) return tagged;
  }
  // An own key that starts with `$` was escaped by doubling it.
  const decoded: Record<string, unknown> = {};
  for (const key in value) decoded[key.startsWith('$$') ? key.slice(1) : key] = value[key];
  return decoded;
}

const DOLLAR = 36;
const NOT_A_TAG = Symbol('not a tag');

/** A tag's body is decoded by `decodeTag`, not by the walk. */
function isTag(first: string, count: number, key: string): boolean {
  return count === 1 && key === first && key.charCodeAt(0) === DOLLAR && key.charCodeAt(1) !== DOLLAR;
}

function decodeTable(flat: Encoded[]): Map<unknown, unknown> {
  const columns = flat[0] as string[];
  const dictionaries = flat[1] as (string[] | null)[];
  const keyColumn = flat[2] as number;
  const map = new Map<unknown, unknown>();
  for (let index = 3; index < flat.length;) {
    let key: unknown;
    if (keyColumn < 0) {
      key = decodeValue(flat[index]!);
      index += 1;
    }
    const record: Record<string, unknown> = {};
    for (let column = 0; column < columns.length; column += 1) {
      const dictionary = dictionaries[column];
      const value = flat[index]!;
      // Most cells are plain numbers or strings: no call for them.
      record[columns[column]!] =
        dictionary != null
          ? dictionary[value as number]
          : value !== null && typeof value === 'object'
            ? decodeValue(value)
            : value;
      index += 1;
    }
    map.set(keyColumn < 0 ? key : record[columns[keyColumn]!], record);
  }
  return map;
}

function decodeTag(tag: string, body: Encoded): unknown {
  switch (tag) {
    case '$map': {
      const flat = body as Encoded[];
      const map = new Map<unknown, unknown>();
      for (let index = 0; index < flat.length; index += 2) {
        map.set(decodeValue(flat[index]!), decodeValue(flat[index + 1]!));
      }
      return map;
    }
    case '$table':
      return decodeTable(body as Encoded[]);
    case '$set':
      return new Set((body as Encoded[]).map(decodeValue));
    case '$bigint':
      return BigInt(body as string);
    case '$number':
      return Number(body);
    case '$undefined':
      return undefined;
    default:
      return NOT_A_TAG;
  }
}

/** The state an encoding holds: fresh objects, owned by the caller. */
export function decodeState(text: string): unknown {
  return decodeValue(JSON.parse(text) as Encoded);
}
