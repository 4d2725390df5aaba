/**
 * The screens that list every organisation or partner read every page of the list, end to end: the
 * real server on a fresh SQLite data directory, driven by Debian's Chromium through playwright-core.
 * Five organisations and three partners are registered through the API; playwright's route
 * interception asks the real server for pages of two (`limit=2`), so each list takes several pages,
 * as a city's thousands of organisations take several pages of 1,000. The administrator's
 * registry lists all of them, the auditor's settlements offer every partner, and the desk's
 * missing-hours dispute offers every organisation.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import type { Page } from 'playwright-core';
import t from 'tap';
import {
  api,
  chromiumMissing,
  issueKey,
  openPage,
  seedHistory,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

const ORGANISATIONS = ['o1', 'o2', 'o3', 'o4', 'o5'];
const PARTNERS = ['p1', 'p2', 'p3'];

/** Has `page` ask for the organisation and partner lists two at a time; answers the paths asked. */
async function pagesOfTwo(page: Page): Promise<string[]> {
  const asked: string[] = [];
  await page.route(/\/v1\/admin\/(organisations|partners)(\?|$)/, async (route) => {
    const request = route.request();
    if (request.method() !== 'GET') return route.continue();
    const url = new URL(request.url());
    url.searchParams.set('limit', '2');
    asked.push(`${url.pathname}${url.search}`);
    return route.continue({ url: url.toString() });
  });
  return asked;
}

async function signInAs(page: Page, url: string, role: string, key: string, heading: string): Promise<void> {
  await signIn(page, url, { role, key, heading, ...(role === 'desk' ? { scope: 'qiaoxi' } : {}) });
}

t.test(
  'lists of organisations and partners are read to their last page',
  { skip: chromiumMissing },
  async (t) => {
    const world = await startConsoleWorld(t, 'console-registry-pages-e2e');
    if (world === undefined) return;
    const { server, adminKey, browser } = world;
    // Registered out of id order: the lists go by id.
    for (const id of [...ORGANISATIONS].reverse()) {
      await api(server.url, adminKey, '/v1/admin/organisations', {
        organisationId: id,
        name: `第${id.slice(1)}社工站`,
        community: 'qiaoxi',
      });
    }
    for (const id of [...PARTNERS].reverse()) {
      await api(server.url, adminKey, '/v1/admin/partners', {
        partnerId: id,
        name: `第${id.slice(1)}商户`,
        community: 'qiaoxi',
      });
    }
    const issue = (role: string, scope: { kind: string; id?: string }): Promise<string> =>
      issueKey(server.url, adminKey, role, scope);

    await t.test('the administrator’s registry lists every organisation and partner', async (t) => {
      const page = await openPage(browser);
      const asked = await pagesOfTwo(page);
      await signInAs(page, server.url, 'admin', adminKey, 'API 密钥');
      await page.goto(`${server.url}/console#/admin/organisations`);
      await page.getByRole('heading', { name: '组织管理' }).waitFor();
      t.same(
        await page
          .locator('#organisations tbody tr')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-organisation-id'))),
        ORGANISATIONS,
        'all five, from three pages',
      );
      t.same(
        asked.filter((path) => path.startsWith('/v1/admin/organisations')),
        [
          '/v1/admin/organisations?limit=2',
          '/v1/admin/organisations?cursor=o2&limit=2',
          '/v1/admin/organisations?cursor=o4&limit=2',
        ],
        'each page after the previous one’s cursor',
      );
      await page.getByRole('link', { name: '合作商户', exact: true }).click();
      await page.getByRole('heading', { name: '合作商户管理' }).waitFor();
      t.same(
        await page
          .locator('#partners tbody tr')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-partner-id'))),
        PARTNERS,
        'all three partners, from two pages',
      );
      await page.close();
    });

    await t.test('the auditor’s settlements offer every partner', async (t) => {
      const page = await openPage(browser);
      await pagesOfTwo(page);
      await signInAs(page, server.url, 'auditor', await issue('auditor', { kind: 'all' }), '审计核验');
      await page.goto(`${server.url}/console#/audit/settlements`);
      await page.getByRole('heading', { name: '合作商户月度结算' }).waitFor();
      t.same(
        await page
          .locator('#settlements-partner option')
          .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)),
        PARTNERS,
      );
      await page.close();
    });

    await t.test('the desk’s missing-hours dispute offers every organisation', async (t) => {
      const deskKey = await issue('desk', { kind: 'community', id: 'qiaoxi' });
      const { volunteerId } = await seedHistory({
        url: server.url,
        adminKey,
        registrarKey: deskKey,
        idSequence: 31,
        records: [],
      });
      const page = await openPage(browser);
      await pagesOfTwo(page);
      await signInAs(page, server.url, 'desk', deskKey, '查找志愿者');
      await page.goto(`${server.url}/console#/desk/volunteers/${volunteerId}`);
      await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
      await page.getByText('代志愿者提出异议').click();
      await page.getByLabel('异议类型').selectOption({ label: '漏记服务时长' });
      const picker = page.getByLabel('活动组织方', { exact: true });
      // The list is read when the picker shows; the prompt, the community and "typed" are there before.
      await picker.locator('option[value="o1"]').waitFor({ state: 'attached' });
      await page.waitForLoadState('networkidle');
      t.same(
        await picker
          .locator('option')
          .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)),
        ['', ...ORGANISATIONS, 'qiaoxi', '*typed'],
        'all five organisations, then the community and a typed id',
      );
      await page.close();
    });
  },
);
