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
    return { $map: [...value].map(([key, item]) => [encodeValue(key), encodeValue(item)]) };
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

/** The state's one encoding. Throws a TypeError for a value it cannot represent. */
export function encodeState(state: unknown): string {
  return JSON.stringify(encodeValue(state));
}

function decodeValue(value: Encoded): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const keys = Object.keys(value);
  const tag = keys.length === 1 ? keys[0]! : '';
  if (tag === '$map') {
    const entries = value.$map as [Encoded, Encoded][];
    return new Map(entries.map(([key, item]) => [decodeValue(key), decodeValue(item)]));
  }
  if (tag === '$set') return new Set((value.$set as Encoded[]).map(decodeValue));
  if (tag === '$bigint') return BigInt(value.$bigint as string);
  if (tag === '$number') return Number(value.$number);
  if (tag === '$undefined') return undefined;
  const decoded: Record<string, unknown> = {};
  for (const key of keys) decoded[key.startsWith('$$') ? key.slice(1) : key] = decodeValue(value[key]!);
  return decoded;
}

/** The state an encoding holds: fresh objects, owned by the caller. */
export function decodeState(text: string): unknown {
  return decodeValue(JSON.parse(text) as Encoded);
}
