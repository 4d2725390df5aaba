/** Reads of the due index (`due_item`) for the scheduler, the metrics and `pnpm ledger due`. */
import type { ReadModelDatabase } from './dialect/dialect.js';
import { LIVE_PREFIX, type Row } from './tables.js';

/** What falls due: a hold's timeout, or a lot of earned points' expiry date. */
export type DueItemKind = 'expire-hold' | 'expire-points';

export interface DueItem {
  /** Also the idempotency key of the command that settles it, e.g. `expire-hold:<volunteerId>:<holdId>`. */
  readonly key: string;
  readonly kind: DueItemKind;
  /** ISO-8601 UTC; the effective time of the command that settles it. */
  readonly dueAt: string;
  readonly volunteerId: string;
  /** The hold id for `expire-hold`; the earning record id (the lot) for `expire-points`. */
  readonly subjectId: string;
}

export interface DueBacklog {
  /** Undone items whose due time has passed. */
  readonly items: number;
  /** Due time of the oldest of them, or null when there is none. */
  readonly oldestDueAt: string | null;
}

export interface DueIndexQueries {
  /**
   * Undone items due at or before `dueBy` (ISO-8601 UTC), ordered by (due time, key), at most
   * `limit`, after the item `after` when given (paging); only of `kind` when given.
   */
  due(
    dueBy: string,
    limit: number,
    after?: { readonly dueAt: string; readonly key: string },
    kind?: DueItemKind,
  ): Promise<DueItem[]>;
  /** Undone items due after `after`, soonest first, at most `limit` (what `pnpm ledger due` shows next). */
  upcoming(after: string, limit: number): Promise<DueItem[]>;
  backlog(now: string): Promise<DueBacklog>;
}

function toDueItem(row: Row): DueItem {
  return {
    key: String(row.due_key),
    kind: String(row.kind) as DueItem['kind'],
    dueAt: String(row.due_at),
    volunteerId: String(row.volunteer_id),
    subjectId: String(row.subject_id),
  };
}

function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`limit must be a positive integer, got ${limit}`);
}

export function createDueIndexQueries(db: ReadModelDatabase): DueIndexQueries {
  const table = `${LIVE_PREFIX}due_item`;
  return {
    async due(dueBy, limit, after, kind) {
      assertLimit(limit);
      const page = after === undefined ? '' : ' AND (due_at > ? OR (due_at = ? AND due_key > ?))';
      const params = after === undefined ? [] : [after.dueAt, after.dueAt, after.key];
      const ofKind = kind === undefined ? '' : ' AND kind = ?';
      const rows = await db.query(
        `SELECT * FROM ${table} WHERE done = 0 AND due_at <= ?${ofKind}${page} ORDER BY due_at, due_key LIMIT ${limit}`,
        [dueBy, ...(kind === undefined ? [] : [kind]), ...params],
      );
      return rows.map(toDueItem);
    },
    async upcoming(after, limit) {
      assertLimit(limit);
      const rows = await db.query(
        `SELECT * FROM ${table} WHERE done = 0 AND due_at > ? ORDER BY due_at, due_key LIMIT ${limit}`,
        [after],
      );
      return rows.map(toDueItem);
    },
    async backlog(now) {
      const [row] = await db.query(
        `SELECT COUNT(*) AS items, MIN(due_at) AS oldest FROM ${table} WHERE done = 0 AND due_at <= ?`,
        [now],
      );
      return {
        items: Number(row?.items ?? 0),
        oldestDueAt: row?.oldest === null || row?.oldest === undefined ? null : String(row.oldest),
      };
    },
  };
}
