/**
 * The organiser's queue of pending service records end to end: the real server on a fresh SQLite
 * data directory, driven by Debian's Chromium through playwright-core. Set up through the API: an
 * organisation and five pending records of one volunteer. Playwright's route interception asks the
 * real server for pages of two (`limit=2`), so the queue takes three pages, as an organisation's
 * thousands of pending records take several pages of 1,000; the screen lists all five. A queue
 * that never ends (answered by the interception, not the server) is read to the screen's bound
 * and the bound is said. At a 1,100 px window each row keeps its cells on one line; in English it
 * still fits, and in large-text mode (Chinese and English) a row takes two lines, broken only
 * between the date and the time and between 确认 and the reason, never running off the screen.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 * With CONSOLE_SCREENSHOT_DIR set, saves the screen there (docs/img is made this way).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import t from 'tap';
import { QUEUE_ROWS_MAX } from '../src/web/lib/organisation-queue.js';
import {
  api,
  checkAccessibility,
  chromiumMissing,
  nationalIdNumber,
  openPage,
  shanghaiDate,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

const ACTIVITIES = ['陪伴独居老人', '社区图书角值守', '晚间巡逻', '助老送餐', '垃圾分类宣传'];
const QUEUE_PATH = /\/v1\/organisations\/xinhua\/service-records\?/;

/** Has `page` ask for the queue two records at a time; answers the paths asked. */
async function pagesOfTwo(page: Page): Promise<string[]> {
  const asked: string[] = [];
  await page.route(QUEUE_PATH, async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '2');
    asked.push(`${url.pathname}${url.search}`);
    return route.continue({ url: url.toString() });
  });
  return asked;
}

/** Answers every page of the queue with 1,000 made-up records and a next cursor, never ending. */
async function endlessQueue(page: Page): Promise<void> {
  let served = 0;
  await page.route(QUEUE_PATH, async (route) => {
    const records = Array.from({ length: 1000 }, () => {
      served += 1;
      return {
        volunteerId: 'v-endless',
        volunteerNumber: 'TB0000000001',
        recordId: `r-${served}`,
        activity: `活动 ${served}`,
        startAt: '2026-12-01T01:00:00.000Z',
        endAt: '2026-12-01T02:00:00.000Z',
        durationMinutes: 60,
        status: 'pending',
      };
    });
    return route.fulfill({ json: { records, nextCursor: `c${served}` } });
  });
}

async function signInAsOrganiser(page: Page, url: string, key: string): Promise<void> {
  await signIn(page, url, { role: 'organiser', key, scope: 'xinhua', heading: '待确认的服务记录' });
}

/** Five pending records of one volunteer at xinhua, yesterday, an hour apart; the organiser's key. */
async function seed(url: string, adminKey: string): Promise<string> {
  await api(url, adminKey, '/v1/admin/organisations', {
    organisationId: 'xinhua',
    name: '新华社工站',
    community: 'qiaoxi',
  });
  const { volunteerId } = await api<{ volunteerId: string }>(url, adminKey, '/v1/volunteers', {
    name: '王秀英',
    nationalIdNumber: nationalIdNumber(41),
    phone: '+86-311-5550000',
    community: 'qiaoxi',
  });
  const day = shanghaiDate(Date.now() - 86_400_000);
  for (const [index, activity] of ACTIVITIES.entries()) {
    const hour = String(8 + index * 2).padStart(2, '0');
    await api(url, adminKey, `/v1/volunteers/${volunteerId}/service-records`, {
      activity,
      organisationId: 'xinhua',
      startAt: new Date(`${day}T${hour}:00:00+08:00`).toISOString(),
      endAt: new Date(`${day}T${hour}:45:00+08:00`).toISOString(),
    });
  }
  const organiser = await api<{ key: string }>(url, adminKey, '/v1/admin/api-keys', {
    role: 'organiser',
    scope: { kind: 'organisation', id: 'xinhua' },
    label: 'organiser xinhua',
  });
  return organiser.key;
}

/**
 * How the queue's rows are laid out: whether the page scrolls sideways, and each cell that breaks
 * badly — a unit broken inside (a date, a time of day, a volunteer number, the reason with 退回),
 * or a cell on more than `lines` lines. The units of the time and decision cells are their child
 * elements (spans, the 确认 button); every other cell is one unit, except the activity, which may
 * wrap, but not to more than `activityLines` lines (so never a character a line).
 */
async function queueLayout(
  page: Page,
  lines: number,
  activityLines: number,
): Promise<{ sideways: boolean; broken: string[] }> {
  return page.evaluate(
    ([most, activityMost]) => {
      const broken: string[] = [];
      for (const cell of document.querySelectorAll<HTMLElement>('#queue tbody td')) {
        const lineHeight = parseFloat(getComputedStyle(cell).lineHeight);
        const split = cell.matches('.when, .decision');
        const units = split ? [...cell.children].filter((child) => child.matches('span, button')) : [cell];
        // A unit starts a new line when it is wholly below the line before (a button is taller than
        // the text beside it).
        let lineCount = 0;
        let lineBottom = -Infinity;
        for (const unit of units) {
          const range = document.createRange();
          range.selectNodeContents(unit);
          const items = [...unit.children].map((child) => child.getBoundingClientRect().height);
          const line = Math.max(lineHeight, ...items);
          const spans = range.getBoundingClientRect().height / line;
          if (!cell.matches('.activity') && (spans > 1.5 || unit.getClientRects().length > 1))
            broken.push(`${unit.textContent ?? ''}: broken inside`);
          const box = unit.getBoundingClientRect();
          if (box.top >= lineBottom - 1) lineCount += 1;
          lineBottom = box.top >= lineBottom - 1 ? box.bottom : Math.max(lineBottom, box.bottom);
          if (cell.matches('.activity') && spans > activityMost + 0.5)
            broken.push(`${cell.textContent ?? ''}: too narrow`);
        }
        if (lineCount > most) broken.push(`${cell.textContent ?? ''}: ${lineCount} lines`);
      }
      return { sideways: document.documentElement.scrollWidth > window.innerWidth, broken };
    },
    [lines, activityLines] as const,
  );
}

/** A screenshot saved to the temporary folder for a person to look at, named in the output. */
async function saveScreenshot(t: Test, page: Page, name: string): Promise<void> {
  const screenshot = join(tmpdir(), `console-organiser-queue-${name}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  t.comment(`the queue, ${name}: ${screenshot}`);
}

t.test(
  'the organiser’s queue is read to its last page, up to a bound',
  { skip: chromiumMissing },
  async (t) => {
    const world = await startConsoleWorld(t, 'console-organiser-queue-e2e');
    if (world === undefined) return;
    const { server, adminKey, browser } = world;
    const organiserKey = await seed(server.url, adminKey);

    await t.test('every pending record, from three pages', async (t) => {
      const page = await openPage(browser);
      const asked = await pagesOfTwo(page);
      await signInAsOrganiser(page, server.url, organiserKey);
      t.same(
        await page.locator('#queue tbody tr td:nth-child(2)').allTextContents(),
        ACTIVITIES,
        'all five, in service order',
      );
      t.equal(await page.locator('#queue caption').textContent(), '共 5 条待确认');
      // The sign-in's proof read comes first, then the queue's three pages.
      t.equal(
        asked.filter((path) => path.includes('cursor=')).length,
        2,
        'two pages after the first, by cursor',
      );
      await page.close();
    });

    await t.test('a queue longer than the bound shows its first rows and says so', async (t) => {
      const page = await openPage(browser);
      await endlessQueue(page);
      await signInAsOrganiser(page, server.url, organiserKey);
      t.equal(await page.locator('#queue tbody tr').count(), QUEUE_ROWS_MAX);
      t.equal(
        await page.locator('#queue caption').textContent(),
        `超过 ${QUEUE_ROWS_MAX} 条，只列出最早的 ${QUEUE_ROWS_MAX} 条；处理后再打开本页，可看到其余的。`,
      );
      await page.close();
    });

    await t.test('at a 1,100 px window each row keeps to one line', async (t) => {
      const page = await openPage(browser, { viewport: { width: 1100, height: 800 } });
      await signInAsOrganiser(page, server.url, organiserKey);
      const rows = page.locator('#queue tbody tr');
      t.equal(await rows.count(), ACTIVITIES.length);
      // Each cell's content spans one line of its tallest item (a line of text, a field, a button):
      // a cell that wraps spans two.
      const cells = await page.locator('#queue tbody td').evaluateAll((elements) =>
        elements.map((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          const items = [...cell.children].map((child) => child.getBoundingClientRect().height);
          return {
            text: cell.textContent ?? '',
            spanned: range.getBoundingClientRect().height,
            line: Math.max(parseFloat(getComputedStyle(cell).lineHeight), ...items),
          };
        }),
      );
      t.equal(cells.length, ACTIVITIES.length * 5);
      const wrapped = cells.filter(({ spanned, line }) => spanned > line * 1.5);
      t.same(wrapped, [], 'no cell wraps');
      // Always saved, for a person to look at: the assertions above cannot say that it looks right.
      const screenshot = join(tmpdir(), 'console-organiser-queue-1100.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      t.comment(`the queue at 1,100 px: ${screenshot}`);
      await checkAccessibility(t, page, 'organiser-queue-1100');
      await page.close();
    });

    for (const [language, large, name] of [
      ['en', false, 'English'],
      ['zh-CN', true, 'large text'],
      ['en', true, 'English, large text'],
    ] as const) {
      await t.test(`at a 1,100 px window, ${name}: rows fit and break only between units`, async (t) => {
        const page = await openPage(browser, { viewport: { width: 1100, height: 800 } });
        await signInAsOrganiser(page, server.url, organiserKey);
        if (language === 'en') {
          await page.getByLabel('语言').selectOption('en');
          await page.getByRole('heading', { name: 'Service records to confirm' }).waitFor();
        }
        if (large) await page.locator('#large-text').click();
        await page.locator('#queue tbody tr').first().waitFor();
        t.equal(await page.locator('#queue tbody tr').count(), ACTIVITIES.length);
        const { sideways, broken } = await queueLayout(page, large ? 2 : 1, 2);
        t.notOk(sideways, 'the page does not scroll sideways');
        t.same(broken, [], 'no unit broken inside, no cell on too many lines');
        await saveScreenshot(t, page, `1100-${language}${large ? '-large' : ''}`);
        await page.close();
      });
    }
  },
);
