/**
 * Finds a member name that one JSON object of a request body gives twice. JSON.parse keeps the
 * last one without a word, so `{"priceCentipoints":100,"priceCentipoints":999}` would publish an
 * offer at 999 while another client, logger or proxy reading the same bytes sees 100: such a
 * body is refused (400 MALFORMED_JSON) instead of guessed at.
 *
 * Runs only on text JSON.parse accepted, so it needs no error handling of its own: one pass over
 * the characters, a set of names per open object.
 */

/** The field of the first repeated name (`body.scope.kind`, as errors[].field names fields), or undefined. */
export function findDuplicateKey(text: string): string | undefined {
  // Cheap exit for the usual body: a name can repeat only when there are two of them.
  if (text.indexOf(':') === text.lastIndexOf(':')) return undefined;
  /** One entry per open container: the object's names so far, or null for an array. */
  const names: (Set<string> | null)[] = [];
  /** The path of each open container, for the message. */
  const path: string[] = [];
  let expectingName = false;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === 0x22 /* " */) {
      const start = index;
      index += 1;
      let escaped = false;
      while (index < length) {
        const inner = text.charCodeAt(index);
        if (inner === 0x5c /* \ */) {
          escaped = true;
          index += 2;
          continue;
        }
        if (inner === 0x22) break;
        index += 1;
      }
      const top = names[names.length - 1];
      if (expectingName && top !== undefined && top !== null) {
        const raw = text.slice(start, index + 1);
        const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.has(name)) return `body${path.slice(0, -1).join('')}.${name}`;
        top.add(name);
        path[path.length - 1] = `.${name}`;
        expectingName = false;
      }
      index += 1;
      continue;
    }
    if (code === 0x7b /* { */) {
      names.push(new Set());
      path.push('');
      expectingName = true;
    } else if (code === 0x5b /* [ */) {
      names.push(null);
      path.push('[]');
      expectingName = false;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      names.pop();
      path.pop();
      expectingName = false;
    } else if (code === 0x2c /* , */) {
      expectingName = names[names.length - 1] instanceof Set;
    }
    index += 1;
  }
  return undefined;
}
