/**
 * Table layouts that older releases wrote and this code still opens (database.ts migrates them).
 * Kept as DDL so that a test can build an old file to migrate, and a benchmark can measure what
 * an old release would have stored, from the one definition.
 */

/**
 * Schema versions 1 to 3's `events` and `streams` tables, as database.ts created them then:
 * `events` naming its stream and holding ids, hashes and recorded times as text, `streams` keyed
 * by name. `tableSuffix` is appended to both table names (`events_text`, say), so that the layout
 * can be built beside a live version-4 store's tables before they are swapped.
 */
export function version3TextLayout(tableSuffix = ''): string {
  return `
CREATE TABLE events${tableSuffix} (
  position INTEGER PRIMARY KEY,
  stream_name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_name, revision)
) STRICT;
CREATE TABLE streams${tableSuffix} (
  stream_name TEXT PRIMARY KEY,
  head_revision INTEGER NOT NULL,
  head_hash TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;
}
