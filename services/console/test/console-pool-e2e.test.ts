/**
 * The organisations' list, 低偿 offers and the donation pool end to end: the real server on a
 * fresh SQLite data directory, driven by Debian's Chromium through playwright-core. An
 * administrator registers an organisation, which the list then shows; a partner publishes an
 * offer with a cash co-payment typed in yuan, which the list shows as points + ¥; a volunteer's
 * donation fills the pool (set up through the API), and the administrator configures two
 * categories, registers a beneficiary in each (the lower priority first) and runs an allocation:
 * the screen shows the higher-priority beneficiary topped up to the allowance and the other given
 * what was left. axe-core checks every new screen for serious or critical issues.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 * With CONSOLE_SCREENSHOT_DIR set, saves each screen there (docs/img is made this way).
 */
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import {
  api,
  checkAccessibility,
  chromiumMissing,
  openPage,
  seedHistory,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

/** The cells of the table row whose first cell is `first`. */
async function rowCells(page: Page, table: string, first: string): Promise<string[]> {
  const row = page.locator(`${table} tbody tr`).filter({
    has: page.locator(':scope > :first-child', { hasText: new RegExp(`^${first}$`) }),
  });
  return row.locator('td, th').allTextContents();
}

async function signInAs(
  page: Page,
  url: string,
  role: 'admin' | 'partner',
  key: string,
  heading: string,
): Promise<void> {
  const signOut = page.getByRole('button', { name: '退出登录' });
  if (await signOut.isVisible()) {
    await signOut.click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
  }
  await signIn(page, url, { role, key, heading, ...(role === 'partner' ? { scope: 'canteen' } : {}) });
}

async function organisationsJourney(t: Test, page: Page): Promise<void> {
  await page.getByRole('link', { name: '组织', exact: true }).click();
  await page.getByRole('heading', { name: '组织管理' }).waitFor();
  t.equal(await page.getByText('尚未登记组织。').count(), 1, 'no organisation yet');
  await page.getByLabel('组织编号').fill('xinhua');
  await page.getByLabel('组织名称').fill('新华社工站');
  await page.getByLabel('所属社区编号').fill('qiaoxi');
  await page.getByRole('button', { name: '登记组织' }).click();
  await page.getByText('已登记组织：新华社工站').waitFor();
  const row = await rowCells(page, '#organisations', '新华社工站');
  t.same(
    [row[0], row[1], row[2], row[4], row[5]],
    ['新华社工站', 'xinhua', 'qiaoxi', '有效', '暂停'],
    'the registered organisation is listed, active, with its suspend button',
  );
  await checkAccessibility(t, page, 'admin-organisation-list');
}

async function offersJourney(t: Test, page: Page, url: string, partnerKey: string): Promise<void> {
  await signInAs(page, url, 'partner', partnerKey, '积分兑换');
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '服务项目' }).click();
  await page.getByRole('heading', { name: '服务项目' }).waitFor();
  await page.getByLabel('项目编号').fill('lunch');
  await page.getByLabel('项目名称').fill('低偿午餐');
  await page.getByLabel('所需积分').fill('5');
  await page.getByLabel('现金（元）').fill('12.5');
  await page.getByRole('button', { name: '发布' }).click();
  await page.getByText('已发布：低偿午餐').waitFor();
  t.same(
    await rowCells(page, '#offers', '低偿午餐'),
    ['低偿午餐', 'lunch', '5 分 + ¥12.50'],
    'the offer asks 5 points and ¥12.50 in cash',
  );
  const { offers } = await api<{ offers: { offerId: string; cashCopayFen: number }[] }>(
    url,
    partnerKey,
    '/v1/partners/canteen/offers',
  );
  t.equal(offers.find((offer) => offer.offerId === 'lunch')?.cashCopayFen, 1250, 'sent as 1250 fen');
  await checkAccessibility(t, page, 'partner-offers-cash');
}

/** A volunteer of qiaoxi with 3 confirmed hours yesterday who gives all 3 points to the pool. */
async function fillPool(url: string, adminKey: string): Promise<void> {
  const { volunteerId } = await seedHistory({ url, adminKey, idSequence: 1 });
  await api(url, adminKey, `/v1/volunteers/${volunteerId}/donations`, { centipoints: 300 });
}

async function configureCategory(page: Page, id: string, title: string, priority: string): Promise<void> {
  await page.getByLabel('类别编号', { exact: true }).nth(0).fill(id);
  await page.getByLabel('类别名称').fill(title);
  await page.getByLabel('优先级（1 最先）').fill(priority);
  await page.getByLabel('每人每月额度（积分）').fill('2');
  await page.getByRole('button', { name: '保存类别' }).click();
  await page.getByText(`已保存类别：${title}`).waitFor();
}

async function registerBeneficiary(page: Page, id: string, category: string, name: string): Promise<void> {
  const form = page.locator('form').nth(1);
  await form.getByLabel('受助对象编号（b- 开头）').fill(id);
  await form.getByLabel('类别编号').fill(category);
  await form.getByLabel('所属社区编号').fill('qiaoxi');
  await form.getByLabel('姓名').fill(name);
  await form.getByLabel('联系方式').fill('+86-311-5550001');
  await form.getByRole('button', { name: '登记' }).click();
  await page.getByText(`已登记受助对象 ${id}`).waitFor();
}

async function poolJourney(t: Test, page: Page): Promise<void> {
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '爱心积分池' }).click();
  await page.getByRole('heading', { name: '爱心积分池' }).waitFor();
  t.equal(
    await page.locator('#pool-balance').textContent(),
    '3 分',
    "the volunteer's donation is in the pool",
  );
  await configureCategory(page, 'hardship', '困难家庭', '2');
  await configureCategory(page, 'alone', '独居老人', '1');
  t.same(
    await page.locator('#pool-categories tbody tr td:nth-child(2)').allTextContents(),
    ['独居老人', '困难家庭'],
    'categories in serving order, priority 1 first',
  );
  // The lower-priority beneficiary is registered first, so order of registration cannot explain the result.
  await registerBeneficiary(page, 'b-li', 'hardship', '李建国');
  await registerBeneficiary(page, 'b-zhao', 'alone', '赵桂兰');
  await page.getByRole('button', { name: '按优先级分配本月积分' }).click();
  await page.getByText(/^本次分配（\d{4}-\d{2}）：2 笔，共 3 分$/).waitFor();
  t.same(
    await rowCells(page, '#pool-beneficiaries', 'b-zhao'),
    ['b-zhao', '独居老人', 'qiaoxi', '2 分', '查看积分'],
    'the higher-priority beneficiary is topped up to the allowance first',
  );
  t.same(
    (await rowCells(page, '#pool-beneficiaries', 'b-li')).slice(0, 4),
    ['b-li', '困难家庭', 'qiaoxi', '1 分'],
    'the other gets what is left',
  );
  t.equal(await page.locator('#pool-balance').textContent(), '0 分', 'the pool is spent');
  await page.getByRole('button', { name: '查看积分（b-zhao）' }).click();
  await page.getByText('b-zhao：可用 2 分，冻结 0 分').waitFor();
  t.pass("the beneficiary's spending account holds the 2 points");
  await checkAccessibility(t, page, 'admin-pool');
}

t.test('organisations listed, a 低偿 offer and a pool allocation', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-pool-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;

  const page = await openPage(browser);

  await signInAs(page, server.url, 'admin', adminKey, 'API 密钥');
  await organisationsJourney(t, page);

  await api(server.url, adminKey, '/v1/admin/partners', {
    partnerId: 'canteen',
    name: '社区食堂',
    community: 'qiaoxi',
  });
  const { key: partnerKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
    role: 'partner',
    scope: { kind: 'partner', id: 'canteen' },
    label: '社区食堂',
  });
  await offersJourney(t, page, server.url, partnerKey);

  await fillPool(server.url, adminKey);
  await signInAs(page, server.url, 'admin', adminKey, 'API 密钥');
  await poolJourney(t, page);
});
