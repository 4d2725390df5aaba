/**
 * A paged list read to the end: page after page by `nextCursor`, and never past the page cap; or
 * read to a bound on its rows, saying whether there were more.
 */
import t from 'tap';
import { allPages, LIST_PAGES_MAX, rowsUpTo, type Paged } from '../src/web/lib/pages.js';

interface Page extends Paged {
  readonly ids: string[];
}

/** A list of `ids` served `limit` at a time, the cursor being the last id; records each path asked. */
function server(
  ids: readonly string[],
  limit: number,
): { asked: string[]; read: (path: string) => Promise<Page> } {
  const asked: string[] = [];
  return {
    asked,
    read: (path) => {
      asked.push(path);
      const cursor = new URL(path, 'http://console.test').searchParams.get('cursor');
      const start = cursor === null ? 0 : ids.indexOf(cursor) + 1;
      const page = ids.slice(start, start + limit);
      return Promise.resolve({
        ids: page,
        nextCursor: page.length === limit ? (page.at(-1) ?? null) : null,
      });
    },
  };
}

t.test('every page is read, each after the previous page’s cursor', async (t) => {
  const list = server(['o1', 'o2', 'o3', 'o4', 'o5'], 2);
  const pages = await allPages(list.read, '/v1/admin/organisations');
  t.same(
    pages.flatMap((page) => page.ids),
    ['o1', 'o2', 'o3', 'o4', 'o5'],
  );
  t.same(list.asked, [
    '/v1/admin/organisations',
    '/v1/admin/organisations?cursor=o2',
    '/v1/admin/organisations?cursor=o4',
  ]);
});

t.test('a path with a query string keeps it, and the cursor is encoded', async (t) => {
  const list = server(['2026-12-01T00:00:00.000Z~v 1~h1', 'x'], 1);
  await allPages(list.read, '/v1/partners/p1/statement?period=2026-12');
  t.same(list.asked, [
    '/v1/partners/p1/statement?period=2026-12',
    '/v1/partners/p1/statement?period=2026-12&cursor=2026-12-01T00%3A00%3A00.000Z~v%201~h1',
    '/v1/partners/p1/statement?period=2026-12&cursor=x',
  ]);
});

t.test('a page without a next cursor is the last, whether null or absent', async (t) => {
  let reads = 0;
  const pages = await allPages(() => {
    reads += 1;
    return Promise.resolve({ ids: ['p1'] } as Page);
  }, '/v1/admin/partners');
  t.equal(reads, 1);
  t.equal(pages.length, 1);
});

t.test('a list that never ends is read to the page cap, no further', async (t) => {
  let reads = 0;
  const endless = (): Promise<Page> => {
    reads += 1;
    return Promise.resolve({ ids: [`p${reads}`], nextCursor: `p${reads}` });
  };
  t.equal((await allPages(endless, '/v1/admin/partners', 3)).length, 3);
  reads = 0;
  t.equal((await allPages(endless, '/v1/admin/partners')).length, LIST_PAGES_MAX);
  t.equal(reads, LIST_PAGES_MAX);
});

t.test('rows up to a bound: every page while the list fits, stopping once a row passes it', async (t) => {
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
  const rowsOf = (page: Page): string[] => page.ids;
  const whole = server(ids, 2);
  t.same(await rowsUpTo(whole.read, '/queue?status=pending', rowsOf, 5), { rows: ids, more: false });
  t.same(whole.asked, [
    '/queue?status=pending',
    '/queue?status=pending&cursor=r2',
    '/queue?status=pending&cursor=r4',
  ]);

  const cut = server(ids, 2);
  t.same(await rowsUpTo(cut.read, '/queue', rowsOf, 3), { rows: ['r1', 'r2', 'r3'], more: true });
  t.equal(cut.asked.length, 2, 'no page read after the bound was passed');

  // A full last page has a next cursor; the empty page after it is no "more".
  const exact = server(['r1', 'r2', 'r3', 'r4'], 2);
  t.same(await rowsUpTo(exact.read, '/queue', rowsOf, 4), { rows: ['r1', 'r2', 'r3', 'r4'], more: false });
  t.equal(exact.asked.length, 3);
});

t.test('rows up to a bound: a list of empty pages that never ends stops at the page cap', async (t) => {
  let reads = 0;
  const endless = (): Promise<Page> => {
    reads += 1;
    return Promise.resolve({ ids: [], nextCursor: `c${reads}` });
  };
  t.same(await rowsUpTo(endless, '/queue', (page) => page.ids, 10), { rows: [], more: false });
  t.equal(reads, LIST_PAGES_MAX);
});
