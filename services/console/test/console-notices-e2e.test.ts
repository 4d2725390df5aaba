/**
 * A screen's notice of the last action (已发布：…, 已确认：…) goes when the next action starts, so an
 * error that follows is never read beside an old success: end to end, the real server on a fresh
 * SQLite data directory, driven by Debian's Chromium through playwright-core. A partner publishes
 * an offer, then tries a second with a cash amount the screen refuses, then one whose id the API
 * refuses as already published; an organiser confirms a record, then presses 退回 without a reason.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import type { Page } from 'playwright-core';
import t from 'tap';
import {
  api,
  chromiumMissing,
  openPage,
  seedHistory,
  shanghaiDate,
  startConsoleWorld,
} from './e2e-helpers.js';

async function signIn(
  page: Page,
  url: string,
  role: 'partner' | 'organiser',
  scope: readonly [label: string, id: string],
  key: string,
  heading: string,
): Promise<void> {
  await page.goto(`${url}/console#/sign-in`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('角色').selectOption(role);
  await page.getByLabel(scope[0]).fill(scope[1]);
  await page.getByLabel('API 密钥').fill(key);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: heading }).waitFor();
}

/** The texts of the screen's notices and status messages, in page order. */
async function messages(page: Page): Promise<string[]> {
  return page.locator('main p.ok, main p.error').allTextContents();
}

t.test('a new action clears the notice of the last one', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-notices-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  const issue = async (role: string, kind: string, id: string): Promise<string> =>
    (
      await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
        role,
        scope: { kind, id },
        label: `${role} ${id}`,
      })
    ).key;

  await t.test('the partner’s offers: 已发布 goes when the next publication is refused', async (t) => {
    await api(server.url, adminKey, '/v1/admin/partners', {
      partnerId: 'canteen',
      name: '社区食堂',
      community: 'qiaoxi',
    });
    const page = await openPage(browser);
    const key = await issue('partner', 'partner', 'canteen');
    await signIn(page, server.url, 'partner', ['商户编号', 'canteen'], key, '积分兑换');
    await page.getByRole('navigation').getByRole('link', { name: '服务项目' }).click();
    await page.getByRole('heading', { name: '服务项目' }).waitFor();
    await page.getByLabel('项目编号').fill('lunch');
    await page.getByLabel('项目名称').fill('爱心午餐');
    await page.getByLabel('所需积分').fill('1');
    await page.getByRole('button', { name: '发布' }).click();
    await page.getByText('已发布：爱心午餐').waitFor();
    t.same(await messages(page), ['已发布：爱心午餐']);

    await page.getByLabel('项目编号').fill('haircut');
    await page.getByLabel('项目名称').fill('理发');
    await page.getByLabel('所需积分').fill('2');
    await page.getByLabel('现金（元）').fill('十元');
    await page.getByRole('button', { name: '发布' }).click();
    t.same(
      await messages(page),
      ['现金金额应为不超过两位小数的元数。'],
      'refused by the screen: the error alone',
    );

    await page.getByLabel('项目编号').fill('lunch');
    await page.getByLabel('现金（元）').fill('');
    await page.getByRole('button', { name: '发布' }).click();
    await page.getByText('该服务项目已发布。').waitFor();
    t.same(await messages(page), ['该服务项目已发布。'], 'refused by the API: the error alone');
    await page.close();
  });

  await t.test('the organiser’s queue: 已确认 goes when a rejection lacks its reason', async (t) => {
    await api(server.url, adminKey, '/v1/admin/organisations', {
      organisationId: 'xinhua',
      name: '新华社工站',
      community: 'qiaoxi',
    });
    const { volunteerId } = await seedHistory({ url: server.url, adminKey, idSequence: 51, records: [] });
    const day = shanghaiDate(Date.now() - 86_400_000);
    for (const [activity, hour] of [
      ['陪伴独居老人', '09'],
      ['晚间巡逻', '18'],
    ] as const) {
      await api(server.url, adminKey, `/v1/volunteers/${volunteerId}/service-records`, {
        activity,
        organisationId: 'xinhua',
        startAt: new Date(`${day}T${hour}:00:00+08:00`).toISOString(),
        endAt: new Date(`${day}T${hour}:30:00+08:00`).toISOString(),
      });
    }
    const page = await openPage(browser);
    const key = await issue('organiser', 'organisation', 'xinhua');
    await signIn(page, server.url, 'organiser', ['组织编号', 'xinhua'], key, '待确认的服务记录');
    await page
      .locator('#queue tbody tr', { hasText: '陪伴独居老人' })
      .getByRole('button', { name: '确认' })
      .click();
    await page.getByText('已确认：陪伴独居老人').waitFor();
    await page
      .locator('#queue tbody tr', { hasText: '晚间巡逻' })
      .getByRole('button', { name: '退回' })
      .click();
    t.same(await messages(page), ['退回前请填写理由。'], 'the error alone');
    await page.close();
  });
});
