/**
 * Row-by-row comparison of two table sets (the live read models and verify's replay), as a
 * merge-join of both tables read in key order in pages, so memory stays bounded.
 */
import type { ReadModelDatabase } from '../dialect/dialect.js';
import {
  KEY_SEPARATOR,
  TABLES,
  type CellValue,
  type Row,
  type TableSetPrefix,
  type TableSpec,
} from '../tables.js';

export interface RowDifference {
  readonly table: string;
  /** The row's key parts joined by `|`. */
  readonly key: string;
  readonly kind: 'missing-in-live' | 'extra-in-live' | 'value';
  /** For `value`: each differing column with the live and the replayed value. */
  readonly columns?: readonly { column: string; live: CellValue; replayed: CellValue }[];
}

/** Rows read per page and table, in rows. 5,000 keeps a page to a few MB. */
const DIFF_PAGE_ROWS = 5000;

async function* rowsInKeyOrder(
  db: ReadModelDatabase,
  prefix: TableSetPrefix,
  table: TableSpec,
): AsyncGenerator<Row> {
  const keyList = table.key.join(', ');
  let after: string[] | undefined;
  for (;;) {
    const where = after === undefined ? '' : `WHERE (${keyList}) > (${table.key.map(() => '?').join(', ')})`;
    const page = await db.query(
      `SELECT * FROM ${prefix}${table.name} ${where} ORDER BY ${keyList} LIMIT ${DIFF_PAGE_ROWS}`,
      after ?? [],
    );
    yield* page;
    const last = page.at(-1);
    if (page.length < DIFF_PAGE_ROWS || last === undefined) return;
    after = table.key.map((column) => String(last[column]));
  }
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const left = a[index] ?? '';
    const right = b[index] ?? '';
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

export async function diffTableSets(
  db: ReadModelDatabase,
  live: TableSetPrefix,
  replayed: TableSetPrefix,
): Promise<RowDifference[]> {
  const differences: RowDifference[] = [];
  for (const table of TABLES) {
    const keyOf = (row: Row): string[] => table.key.map((column) => String(row[column]));
    const liveRows = rowsInKeyOrder(db, live, table);
    const replayedRows = rowsInKeyOrder(db, replayed, table);
    let left = await liveRows.next();
    let right = await replayedRows.next();
    while (left.done !== true || right.done !== true) {
      const order =
        left.done === true
          ? 1
          : right.done === true
            ? -1
            : compareKeys(keyOf(left.value), keyOf(right.value));
      if (order < 0 && left.done !== true) {
        differences.push({
          table: table.name,
          key: keyOf(left.value).join(KEY_SEPARATOR),
          kind: 'extra-in-live',
        });
        left = await liveRows.next();
      } else if (order > 0 && right.done !== true) {
        differences.push({
          table: table.name,
          key: keyOf(right.value).join(KEY_SEPARATOR),
          kind: 'missing-in-live',
        });
        right = await replayedRows.next();
      } else if (left.done !== true && right.done !== true) {
        const columns = Object.keys(table.columns)
          .filter((column) => (left.value as Row)[column] !== (right.value as Row)[column])
          .map((column) => ({
            column,
            live: (left.value as Row)[column] ?? null,
            replayed: (right.value as Row)[column] ?? null,
          }));
        if (columns.length > 0) {
          differences.push({
            table: table.name,
            key: keyOf(left.value).join(KEY_SEPARATOR),
            kind: 'value',
            columns,
          });
        }
        left = await liveRows.next();
        right = await replayedRows.next();
      }
    }
  }
  return differences;
}

/**
 * Σ of every account's balance in a table set: 0 in a sound double-entry ledger. Volunteers' own
 * accounts (available, held, offered) are in their summary rows, the others in account_balance.
 */
export async function balanceSum(db: ReadModelDatabase, prefix: TableSetPrefix): Promise<number> {
  const [accounts] = await db.query(
    `SELECT COALESCE(SUM(balance_centipoints), 0) AS total FROM ${prefix}account_balance`,
  );
  const [volunteers] = await db.query(
    `SELECT COALESCE(SUM(available_centipoints + held_centipoints + offered_centipoints), 0) AS total FROM ${prefix}volunteer_summary`,
  );
  return Number(accounts?.total ?? 0) + Number(volunteers?.total ?? 0);
}
