/**
 * The API's paged lists (`limit`, `cursor`, `nextCursor`: docs/api.md) read to the end: a screen
 * that shows a whole list (the registry, a picker, a month's statement) asks for page after page,
 * each with the previous page's `nextCursor`, until one says there is no next.
 */

/**
 * Pages a list is read to at most: 100 pages of 1,000 (the API's largest page), 100,000 rows, far
 * above a city's organisations or partners and a partner's holds in a month. Only a server that
 * never ends its list gets here; the screen then shows what it read rather than waiting forever.
 */
export const LIST_PAGES_MAX = 100;

/** A page as the API answers it: the cursor of the next page, null (or absent) after the last. */
export interface Paged {
  readonly nextCursor?: string | null;
}

/**
 * Every page of the list at `path` (which may carry a query string already), in order, read with
 * `read` (the screen's `call` with its session): the first without a cursor, each next one with
 * the previous page's `nextCursor`, at most `pagesMax` of them.
 */
export async function allPages<Page extends Paged>(
  read: (path: string) => Promise<Page>,
  path: string,
  pagesMax: number = LIST_PAGES_MAX,
): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of pagesOf(read, path, pagesMax)) pages.push(page);
  return pages;
}

/** The pages of `allPages` one by one, so that a reader may stop early. */
async function* pagesOf<Page extends Paged>(
  read: (path: string) => Promise<Page>,
  path: string,
  pagesMax: number,
): AsyncGenerator<Page> {
  const separator = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  for (let pages = 0; pages < pagesMax; pages += 1) {
    const page: Page = await read(
      cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`,
    );
    yield page;
    cursor = page.nextCursor ?? null;
    if (cursor === null) return;
  }
}

/** The first rows of a paged list, and whether the list holds more than were kept. */
export interface RowsUpTo<Row> {
  readonly rows: readonly Row[];
  readonly more: boolean;
}

/**
 * The first `rowsMax` rows of the list at `path`, read page after page like `allPages` (`rowsOf`
 * takes a page's rows), for a screen that draws a control on every row and so must stop before a
 * huge list hangs the browser. Reading stops once more than `rowsMax` rows are in hand (then
 * `more` is true) or the list ends; a page past the last one holding rows may be empty, so
 * `more` is only said when a row beyond the bound was actually read. At most `LIST_PAGES_MAX` pages.
 */
export async function rowsUpTo<Page extends Paged, Row>(
  read: (path: string) => Promise<Page>,
  path: string,
  rowsOf: (page: Page) => readonly Row[],
  rowsMax: number,
): Promise<RowsUpTo<Row>> {
  const rows: Row[] = [];
  for await (const page of pagesOf(read, path, LIST_PAGES_MAX)) {
    rows.push(...rowsOf(page));
    if (rows.length > rowsMax) break;
  }
  return { rows: rows.slice(0, rowsMax), more: rows.length > rowsMax };
}
