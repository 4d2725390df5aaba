/**
 * The previous release's table layout (SQLite schema versions 1 to 3: `events` naming its stream
 * and holding ids, hashes and recorded times as text, `streams` keyed by name), kept in step with
 * a live store so that the ledger-soak baseline measures the bytes the previous release would
 * have written for the same events. Rows are copied in position order, which is the order the
 * store inserted them in, so every B-tree (the table and its two unique indexes) grows through the
 * same inserts and splits as it did in the previous release's file.
 */
import Database from 'better-sqlite3';
import { version3TextLayout } from '@timebank/event-store-sqlite';

/** Events copied per transaction: about a group commit's worth under the soak's load. */
const EVENTS_PER_TRANSACTION = 50;

export interface PreviousReleaseMirror {
  /** Copies the events the store at `source` committed since the last call; returns bytes in use. */
  catchUp(): number;
  close(): void;
}

/** A mirror at `path` (a new file) of the store at `source`, in the previous release's layout. */
export function previousReleaseMirror(source: string, path: string): PreviousReleaseMirror {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.defaultSafeIntegers(true);
  db.exec(version3TextLayout());
  db.prepare('ATTACH DATABASE ? AS source').run(source);
  const copy = db.prepare(`
    INSERT INTO main.events
      SELECT e.position, s.stream_name, e.revision, lower(
               substr(hex(e.id), 1, 8) || '-' || substr(hex(e.id), 9, 4) || '-' || substr(hex(e.id), 13, 4)
               || '-' || substr(hex(e.id), 17, 4) || '-' || substr(hex(e.id), 21)),
             e.type, e.data, e.metadata, strftime('%Y-%m-%dT%H:%M:%fZ', e.recorded_at / 1000.0, 'unixepoch'),
             lower(hex(e.hash))
        FROM source.events e JOIN source.streams s ON s.stream_id = e.stream_id
       WHERE e.position > ? AND e.position <= ? ORDER BY e.position`);
  const heads = db.prepare(`
    INSERT INTO main.streams
      SELECT stream_name, revision, hash FROM main.events WHERE position > ? AND position <= ? ORDER BY position
      ON CONFLICT (stream_name) DO UPDATE SET head_revision = excluded.head_revision, head_hash = excluded.head_hash`);
  const head = db.prepare<[], bigint | null>('SELECT max(position) FROM source.events').pluck();
  let copied = 0n;
  const step = db.transaction((from: bigint, to: bigint) => {
    copy.run(from, to);
    heads.run(from, to);
  });
  const bytesInUse = (): number => {
    const pages = Number(db.pragma('main.page_count', { simple: true }));
    const free = Number(db.pragma('main.freelist_count', { simple: true }));
    return (pages - free) * Number(db.pragma('main.page_size', { simple: true }));
  };
  return {
    catchUp() {
      const until = head.get() ?? 0n;
      for (; copied < until; copied += BigInt(EVENTS_PER_TRANSACTION)) {
        const to = copied + BigInt(EVENTS_PER_TRANSACTION);
        step(copied, to < until ? to : until);
      }
      copied = until;
      return bytesInUse();
    },
    close: () => db.close(),
  };
}
