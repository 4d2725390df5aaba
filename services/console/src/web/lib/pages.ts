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
  const separator = path.includes('?') ? '&' : '?';
  const pages: Page[] = [];
  let cursor: string | null = null;
  while (pages.length < pagesMax) {
    const page: Page = await read(
      cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`,
    );
    pages.push(page);
    cursor = page.nextCursor ?? null;
    if (cursor === null) break;
  }
  return pages;
}
