/**
 * A deterministic text encoding of folded state: JSON with tags for what JSON lacks. Maps and
 * Sets keep their insertion order (the fold relies on it: oldest idempotency keys and settled
 * holds are dropped first), plain objects are written with sorted keys, so one state has exactly
 * one encoding. Anything else (a class instance, a function, a symbol) is a programmer error here.
 *
 * Tags are one-key objects whose key starts with `$`; a plain object's own keys that start with
 * `$` are escaped by doubling it, so no value of the state can be mistaken for a tag.
 *
 * The encoding is one or more lines, each one JSON document. The first holds the state; an array
 * of more than `LINE_ITEMS_MAX` items (a long volunteer's service records) is cut into pieces on
 * the lines after it and replaced by `{"$lines":[first,count]}`. No line then reaches V8's
 * large-object size (128 KiB): a string or array that large is allocated and freed as its own
 * memory mapping, which made a 170 KB snapshot's text and its parse three times as slow as the
 * same text in pieces (docs/operations.md, "Snapshots"). JSON never holds a raw newline, so the
 * lines are cut at the newline bytes without decoding the rest.
 */
import { sortedKeys } from '@timebank/event-store';

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

/**
 * Most items of one array on one line. 2,048 items of a service-record table are about 12 KB of
 * text and a 16 KB array; a line whose text still passes `LINE_CHARS_MAX` is halved again.
 */
const LINE_ITEMS_MAX = 2048;
/** Most characters of a line cut from an array (unless one entry alone is longer). */
const LINE_CHARS_MAX = 64 * 1024;

/** The lines after the first, as they are encoded; index 0 is kept for the state's own line. */
type Lines = string[];

/**
 * `items` as they stand when short, else cut into lines of whole entries (`width` items each:
 * 2 for a map's key and value, a table's row width) and the reference to those lines.
 */
function spill(items: Encoded[], width: number, lines: Lines): Encoded {
  if (items.length <= LINE_ITEMS_MAX) return items;
  const first = lines.length;
  const perLine = Math.max(1, Math.floor(LINE_ITEMS_MAX / width)) * width;
  for (let start = 0; start < items.length; start += perLine) {
    spillPiece(items.slice(start, start + perLine), width, lines);
  }
  return { $lines: [first, lines.length - first] };
}

function spillPiece(piece: Encoded[], width: number, lines: Lines): void {
  const text = JSON.stringify(piece);
  const entries = piece.length / width;
  if (text.length <= LINE_CHARS_MAX || entries < 2) {
    lines.push(text);
    return;
  }
  const half = Math.ceil(entries / 2) * width;
  spillPiece(piece.slice(0, half), width, lines);
  spillPiece(piece.slice(half), width, lines);
}

function encodeValue(value: unknown, lines: Lines): Encoded {
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
      return encodeObject(value, lines);
    default:
      throw new TypeError(`state holds a ${typeof value}, which a snapshot cannot encode`);
  }
}

function encodeObject(value: object | null, lines: Lines): Encoded {
  if (value === null) return null;
  if (Array.isArray(value))
    return spill(
      value.map((item) => encodeValue(item, lines)),
      1,
      lines,
    );
  if (value instanceof Map) {
    const table = tableOf(value as Map<unknown, unknown>, lines);
    if (table !== undefined) return { $table: table };
    // Keys and values alternate in one flat list: no small array per entry to build and parse.
    const flat: Encoded[] = [];
    for (const [key, item] of value as Map<unknown, unknown>)
      flat.push(encodeValue(key, lines), encodeValue(item, lines));
    return { $map: spill(flat, 2, lines) };
  }
  if (value instanceof Set)
    return {
      $set: spill(
        [...value].map((item) => encodeValue(item, lines)),
        1,
        lines,
      ),
    };
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
    encoded[key.startsWith('$') ? `$${key}` : key] = encodeValue(item, lines);
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
 * row. Names and repeated strings are most of such a Map's text, and its decoding time. A long
 * table's rows are on lines of their own: `[columns, dictionaries, keyColumn, {"$lines":…}]`.
 */
function tableOf(map: Map<unknown, unknown>, lines: Lines): Encoded[] | undefined {
  if (map.size < TABLE_ENTRIES_MIN) return undefined;
  const entries = [...map] as [unknown, Record<string, unknown>][];
  const columns = plainColumns(entries[0]![1]);
  if (columns === undefined) return undefined;
  const signature = JSON.stringify(columns);
  if (entries.some(([, item]) => JSON.stringify(plainColumns(item)) !== signature)) return undefined;
  const keyColumn = columns.findIndex((column) => entries.every(([key, item]) => item[column] === key));
  const dictionaries = columns.map((column) => dictionaryOf(entries.map(([, item]) => item[column])));
  const rows: Encoded[] = [];
  for (const [key, item] of entries) {
    if (keyColumn < 0) rows.push(encodeValue(key, lines));
    columns.forEach((column, index) => {
      const dictionary = dictionaries[index];
      const value = item[column];
      rows.push(
        dictionary === undefined ? encodeValue(value, lines) : dictionary.indexOf.get(value as string)!,
      );
    });
  }
  const header: Encoded[] = [
    columns,
    dictionaries.map((dictionary) => dictionary?.strings ?? null),
    keyColumn,
  ];
  const width = columns.length + (keyColumn < 0 ? 1 : 0);
  const spilled = spill(rows, width, lines);
  if (spilled !== rows) return [...header, spilled];
  // Inline rows follow the header in the same list (a table has at least TABLE_ENTRIES_MIN rows).
  header.push(...rows);
  return header;
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

/** The state's one encoding, line by line (no line holds a newline). Throws a TypeError for a value it cannot represent. */
export function encodeStateLines(state: unknown): string[] {
  const lines: Lines = [''];
  lines[0] = JSON.stringify(encodeValue(state, lines));
  return lines;
}

/** The state's one encoding as text, its lines joined by newlines. */
export function encodeState(state: unknown): string {
  return encodeStateLines(state).join('\n');
}

/** The state's one encoding as UTF-8 bytes, built line by line without one string of the whole. */
export function encodeStateBytes(state: unknown): Buffer {
  const lines = encodeStateLines(state);
  const parts: Buffer[] = [];
  lines.forEach((line, index) => {
    if (index > 0) parts.push(NEWLINE);
    parts.push(Buffer.from(line, 'utf8'));
  });
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

/**
 * Decodes in place: the objects `JSON.parse` built are kept and only their tagged members
 * replaced, so a large state costs one allocation per object, not two.
 */
function decodeValue(value: Encoded, source: LineSource): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item = value[index]!;
      if (item !== null && typeof item === 'object') value[index] = decodeValue(item, source) as Encoded;
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
      value[key] = decodeValue(item, source) as Encoded;
    }
  }
  if (!escaped) return value;
  if (count === 1) {
    const tagged = decodeTag(first, value[first]!, source);
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

/** The parsed lines of an encoding; line 0 is the state's own. Each line is parsed once, when asked for. */
interface LineSource {
  readonly count: number;
  line(index: number): Encoded;
}

/** The pieces of a list: itself, or the lines a `{"$lines":[first,count]}` reference names. */
function piecesOf(body: Encoded, source: LineSource): Encoded[][] {
  if (Array.isArray(body)) return [body];
  const reference = (body as { $lines?: unknown } | null)?.$lines;
  if (!Array.isArray(reference) || reference.length !== 2)
    throw new Error('snapshot: a list is neither inline nor on lines');
  const [first, count] = reference as [number, number];
  if (
    !Number.isSafeInteger(first) ||
    !Number.isSafeInteger(count) ||
    first < 1 ||
    count < 1 ||
    first + count > source.count
  )
    throw new Error(`snapshot: lines ${String(first)}+${String(count)} are not in the encoding`);
  const pieces: Encoded[][] = [];
  for (let index = first; index < first + count; index += 1) {
    const piece = source.line(index);
    if (!Array.isArray(piece)) throw new Error(`snapshot: line ${index} is not a list`);
    pieces.push(piece);
  }
  return pieces;
}

/** Builds one table row's object from its cells, in column order. */
type RecordBuilder = (cells: readonly unknown[]) => Record<string, unknown>;

/** Builders by column list; a state has a handful of table shapes (records, holds), so few are made. */
const recordBuilders = new Map<string, RecordBuilder>();
const RECORD_BUILDERS_MAX = 64;

/**
 * A function returning an object literal with the table's columns as keys: every row then gets
 * its final hidden class at once, where adding the columns one by one by name went through V8's
 * generic keyed stores; 1,918 service records decode in about 0.2 ms instead of 0.7–1.4 ms. Column
 * names enter the code only as JSON string literals, and `__proto__` (which a literal would take
 * as the prototype) is refused.
 */
function recordBuilder(columns: readonly unknown[]): RecordBuilder {
  // JSON, not a join: no two column lists share a signature, whatever their names hold.
  const signature = JSON.stringify(columns);
  let build = recordBuilders.get(signature);
  if (build !== undefined) return build;
  if (columns.some((column) => typeof column !== 'string' || column === '__proto__'))
    throw new Error('snapshot: a table column is not a property name');
  const properties = columns.map((column, index) => `${JSON.stringify(column)}: cells[${index}]`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed-shape object literal per table shape; the names are JSON-quoted (see above)
  build = new Function('cells', `return { ${properties.join(', ')} };`) as RecordBuilder;
  if (recordBuilders.size >= RECORD_BUILDERS_MAX) recordBuilders.clear();
  recordBuilders.set(signature, build);
  return build;
}

function decodeTable(flat: Encoded[], source: LineSource): Map<unknown, unknown> {
  const columns = flat[0] as string[];
  const dictionaries = flat[1] as (string[] | null)[];
  const keyColumn = flat[2] as number;
  const build = recordBuilder(columns);
  const cells: unknown[] = new Array<unknown>(columns.length);
  const map = new Map<unknown, unknown>();
  // Rows inline after the header, or on lines of their own (a single reference after the header).
  const pieces =
    flat.length === 4 && !Array.isArray(flat[3]) && flat[3] !== null && typeof flat[3] === 'object'
      ? piecesOf(flat[3], source)
      : [flat];
  for (const rows of pieces) {
    for (let index = rows === flat ? 3 : 0; index < rows.length;) {
      let key: unknown;
      if (keyColumn < 0) {
        key = decodeValue(rows[index]!, source);
        index += 1;
      }
      for (let column = 0; column < columns.length; column += 1) {
        const dictionary = dictionaries[column];
        const value = rows[index]!;
        // Most cells are plain numbers or strings: no call for them.
        cells[column] =
          dictionary != null
            ? dictionary[value as number]
            : value !== null && typeof value === 'object'
              ? decodeValue(value, source)
              : value;
        index += 1;
      }
      const record = build(cells);
      map.set(keyColumn < 0 ? key : record[columns[keyColumn]!], record);
    }
  }
  return map;
}

function decodeTag(tag: string, body: Encoded, source: LineSource): unknown {
  switch (tag) {
    case '$map': {
      const map = new Map<unknown, unknown>();
      for (const flat of piecesOf(body, source)) {
        for (let index = 0; index < flat.length; index += 2) {
          map.set(decodeValue(flat[index]!, source), decodeValue(flat[index + 1]!, source));
        }
      }
      return map;
    }
    case '$table':
      return decodeTable(body as Encoded[], source);
    case '$set': {
      const set = new Set<unknown>();
      for (const piece of piecesOf(body, source))
        for (const item of piece) set.add(decodeValue(item, source));
      return set;
    }
    case '$lines': {
      // A plain list cut into lines: one array again.
      const list: unknown[] = [];
      for (const piece of piecesOf({ $lines: body }, source))
        for (const item of piece) list.push(decodeValue(item, source));
      return list;
    }
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

function decodeLines(source: LineSource): unknown {
  return decodeValue(source.line(0), source);
}

/** The state an encoding holds: fresh objects, owned by the caller. */
export function decodeState(text: string): unknown {
  const lines = text.split('\n');
  return decodeLines({ count: lines.length, line: (index) => JSON.parse(lines[index]!) as Encoded });
}

/** The state UTF-8 encoded bytes hold; each line is decoded to text on its own (see the top). */
export function decodeStateBytes(bytes: Buffer): unknown {
  const starts = [0];
  for (let at = bytes.indexOf(NEWLINE_BYTE); at >= 0; at = bytes.indexOf(NEWLINE_BYTE, at + 1))
    starts.push(at + 1);
  starts.push(bytes.length + 1);
  return decodeLines({
    count: starts.length - 1,
    line: (index) => JSON.parse(bytes.toString('utf8', starts[index], starts[index + 1]! - 1)) as Encoded,
  });
}

const NEWLINE_BYTE = 0x0a;
