/** The order bulk writes put rows in: the table's primary key, so inserts append to its B-tree. */
import type { Row, TableSpec } from './tables.js';

/** Sorts `rows` in place by primary key (byte order of each part) and returns them. */
export function sortByKey(table: TableSpec, rows: Row[]): Row[] {
  const [first, second] = table.key;
  if (first === undefined) throw new Error(`table ${table.name} has no key`);
  return rows.sort((a, b) => {
    const left = a[first] as string;
    const right = b[first] as string;
    if (left !== right) return left < right ? -1 : 1;
    if (second === undefined) return 0;
    const leftSecond = a[second] as string;
    const rightSecond = b[second] as string;
    return leftSecond === rightSecond ? 0 : leftSecond < rightSecond ? -1 : 1;
  });
}
