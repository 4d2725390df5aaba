/**
 * A screen's outcome of the last action (a notice such as 已发布：… or 已确认：…, a spend code, a key
 * shown once, an auditor's report) goes when the next action starts, so an error that follows is
 * never read beside an old success: end to end, the real server on a fresh SQLite data directory,
 * driven by Debian's Chromium through playwright-core. A partner publishes an offer, then tries a
 * second with a cash amount the screen refuses, then one whose id the API refuses as already
 * published, and on the statement captures one hold and fails to release another; an organiser
 * confirms a record, then presses 退回 without a reason; a desk registers a volunteer and works the
 * card; an administrator issues keys and registers an organisation; an auditor runs the check
 * twice; a volunteer revokes two mandates. A failure of the network is made by dropping one
 * request through route interception.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import type { Page, Route } from 'playwright-core';
import t from 'tap';
import {
  api,
  chromiumMissing,
  issueKey,
  nationalIdNumber,
  openPage,
  seedHistory,
  shanghaiDate,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

async function signInAs(
  page: Page,
  url: string,
  role: 'partner' | 'organiser' | 'desk' | 'admin' | 'auditor',
  scope: readonly [label: string, id: string] | null,
  key: string,
  heading: string,
): Promise<void> {
  const scoped = scope === null ? {} : { scopeLabel: scope[0], scope: scope[1] };
  await signIn(page, url, { role, key, heading, ...scoped });
}

/** The next `method` request to `path` (a glob) never gets an answer, as when the network drops. */
async function dropNext(page: Page, path: string, method = 'POST'): Promise<void> {
  let dropped = false;
  const drop = async (route: Route): Promise<void> => {
    if (dropped || route.request().method() !== method) return route.fallback();
    dropped = true;
    await route.abort();
  };
  await page.route(path, drop);
}

const NETWORK = '无法连接服务器，请检查网络后重试。';

/** The texts of the screen's notices and status messages, in page order. */
async function messages(page: Page): Promise<string[]> {
  return page.locator('main p.ok, main p.error').allTextContents();
}

t.test('a new action clears the notice of the last one', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-notices-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  const issue = (role: string, kind: string, id: string): Promise<string> =>
    issueKey(server.url, adminKey, role, { kind, id });

  await t.test('the partner’s offers: 已发布 goes when the next publication is refused', async (t) => {
    await api(server.url, adminKey, '/v1/admin/partners', {
      partnerId: 'canteen',
      name: '社区食堂',
      community: 'qiaoxi',
    });
    const page = await openPage(browser);
    const key = await issue('partner', 'partner', 'canteen');
    await signInAs(page, server.url, 'partner', ['商户编号', 'canteen'], key, '积分兑换');
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

    // Found in a browser: a price above the balance cap read only 请求内容不完整或格式不对。
    await page.getByLabel('现金（元）').fill('');
    await page.getByLabel('所需积分').fill('2000');
    await page.getByRole('button', { name: '发布' }).click();
    await page.getByRole('alert').filter({ hasText: '字段：所需积分' }).waitFor();
    t.same(
      await messages(page),
      ['请求内容不完整或格式不对。 字段：所需积分（不能超过积分上限 1,500 分，任何志愿者都持有不了更多）'],
      'an offer above the balance cap names the field and the cap',
    );

    await page.getByLabel('项目编号').fill('lunch');
    await page.getByLabel('所需积分').fill('2');
    await page.getByRole('button', { name: '发布' }).click();
    await page.getByText('该服务项目已发布。').waitFor();
    t.same(await messages(page), ['该服务项目已发布。'], 'refused by the API: the error alone');
    await page.close();
  });

  await t.test('the partner’s statement: 已扣除 goes when the next release fails', async (t) => {
    // Two holds of 1 point on the canteen's lunch (published above), each with its own spend code.
    await api(server.url, adminKey, '/v1/admin/organisations', {
      organisationId: 'dongfeng',
      name: '东风社工站',
      community: 'qiaoxi',
    });
    const { volunteerId } = await api<{ volunteerId: string }>(server.url, adminKey, '/v1/volunteers', {
      name: '孙玉梅',
      nationalIdNumber: nationalIdNumber(63),
      phone: '13800138003',
      community: 'qiaoxi',
    });
    const volunteer = `/v1/volunteers/${volunteerId}`;
    const day = shanghaiDate(Date.now() - 86_400_000);
    const { recordId } = await api<{ recordId: string }>(
      server.url,
      adminKey,
      `${volunteer}/service-records`,
      {
        activity: '陪伴独居老人',
        organisationId: 'dongfeng',
        startAt: new Date(`${day}T09:00:00+08:00`).toISOString(),
        endAt: new Date(`${day}T12:00:00+08:00`).toISOString(),
      },
    );
    await api(server.url, adminKey, `${volunteer}/service-records/${recordId}/confirm`, {}, 200);
    const key = await issue('partner', 'partner', 'canteen');
    for (let hold = 0; hold < 2; hold += 1) {
      const { spendCode } = await api<{ spendCode: string }>(
        server.url,
        adminKey,
        `${volunteer}/spend-codes`,
        {},
      );
      await api(server.url, key, '/v1/partners/canteen/holds', {
        spendCode,
        offerId: 'lunch',
        centipoints: 100,
      });
    }
    const page = await openPage(browser);
    await signInAs(page, server.url, 'partner', ['商户编号', 'canteen'], key, '积分兑换');
    await page.getByRole('link', { name: '月度对账单' }).click();
    await page.getByRole('heading', { name: '月度对账单' }).waitFor();
    const pending = page.locator('#holds tbody tr', { hasText: '冻结中' });
    await pending.first().getByRole('button', { name: '扣除' }).click();
    await page.getByText('已扣除 1 分').waitFor();
    await dropNext(page, '**/release');
    await pending.first().getByRole('button', { name: '退回' }).click();
    await page.getByText(NETWORK).waitFor();
    t.same(await messages(page), [NETWORK], 'the error alone');
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
    await signInAs(page, server.url, 'organiser', ['组织编号', 'xinhua'], key, '待确认的服务记录');
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

  await t.test(
    'the desk’s card: a notice goes with the next action, a spend code or an activation code stays',
    async (t) => {
      const page = await openPage(browser);
      const key = await issue('desk', 'community', 'qiaoxi');
      await signInAs(page, server.url, 'desk', ['社区编号', 'qiaoxi'], key, '查找志愿者');
      await page.getByRole('link', { name: '登记志愿者' }).click();
      await page.getByLabel('姓名', { exact: true }).fill('李桂兰');
      await page.getByLabel('居民身份证号码').fill(nationalIdNumber(61));
      await page.getByLabel('联系电话').fill('13800138001');
      await page.getByRole('button', { name: '登记' }).click();
      await page.getByText(/^已登记：志愿者编号/).waitFor();
      const star = page.getByRole('button', { name: '申请星级评定' });
      await star.click();
      await page.getByRole('alert').waitFor();
      t.same(await messages(page), ['已确认时长未达到更高星级。'], '已登记 gone: the refusal alone');

      await page.getByRole('button', { name: '生成消费码' }).click();
      await page.locator('[data-figure="spend-code"]').waitFor();
      t.same(await messages(page), [], 'the refusal gone when a spend code is shown');
      await star.click();
      await page.getByRole('alert').waitFor();
      t.same(await messages(page), ['已确认时长未达到更高星级。'], 'the refusal');
      t.equal(
        await page.locator('[data-figure="spend-code"]').count(),
        1,
        'the spend code stays: it is shown once, and the volunteer may be about to use it',
      );

      await page.getByRole('button', { name: '生成激活码' }).click();
      await page.locator('[data-figure="activation-code"]').waitFor();
      await dropNext(page, '**/spend-codes');
      await page.getByRole('button', { name: '生成消费码' }).click();
      await page.getByText(NETWORK).waitFor();
      t.same(await messages(page), [NETWORK], 'a failed spend code: the error alone');
      t.equal(
        await page.locator('[data-figure="activation-code"]').count(),
        1,
        'the activation code stays: it is shown once',
      );
      await page.close();
    },
  );

  await t.test('the administrator: a registration’s notice goes, an issued key stays', async (t) => {
    const page = await openPage(browser);
    await signInAs(page, server.url, 'admin', null, adminKey, 'API 密钥');
    await page.getByLabel('密钥角色').selectOption('auditor');
    await page.getByLabel('持有人说明').fill('审计一');
    await page.getByRole('button', { name: '签发密钥' }).click();
    await page.locator('#new-key').waitFor();
    t.same(await messages(page), ['已签发密钥：审计一']);
    await dropNext(page, '**/v1/admin/api-keys');
    await page.getByLabel('密钥角色').selectOption('auditor');
    await page.getByLabel('持有人说明').fill('审计二');
    await page.getByRole('button', { name: '签发密钥' }).click();
    await page.getByText(NETWORK).waitFor();
    t.same(await messages(page), [NETWORK], 'a failed issue: the error alone');
    t.equal(
      await page.locator('#new-key').count(),
      1,
      'the earlier key stays, without its 已签发 sentence: it is shown once and may not be copied yet',
    );

    await page.getByRole('navigation').getByRole('link', { name: '组织', exact: true }).click();
    await page.getByRole('heading', { name: '组织管理' }).waitFor();
    await page.getByLabel('组织编号').fill('renmin');
    await page.getByLabel('组织名称').fill('人民社工站');
    await page.getByLabel('所属社区编号').fill('qiaoxi');
    await page.getByRole('button', { name: '登记组织' }).click();
    await page.getByText('已登记组织：人民社工站').waitFor();
    await page.getByRole('button', { name: '暂停 人民社工站' }).click();
    await page.getByRole('alert').waitFor();
    t.same(await messages(page), ['请填写原因。'], 'a suspension without reason: the error alone');
    await page.close();
  });

  await t.test('the auditor: an earlier report goes when the next run fails', async (t) => {
    const page = await openPage(browser);
    const key = (
      await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
        role: 'auditor',
        scope: { kind: 'all' },
        label: 'auditor',
      })
    ).key;
    await signInAs(page, server.url, 'auditor', null, key, '审计核验');
    const run = page.getByRole('button', { name: '运行核验' });
    await run.click();
    await page.getByText('借贷平衡（合计为零）').waitFor();
    await dropNext(page, '**/v1/audit/verify', 'GET');
    await run.click();
    await page.getByText(NETWORK).waitFor();
    t.same(await messages(page), [NETWORK], 'the error alone, not last run’s 借贷平衡');
    t.equal(await page.locator('table').count(), 0, 'no figures of the last run');
    await page.close();
  });

  await t.test('the volunteer’s consents: 已撤销 goes when the next revocation fails', async (t) => {
    for (const [partnerId, name] of [
      ['bakery', '面包房'],
      ['florist', '花店'],
    ] as const)
      await api(server.url, adminKey, '/v1/admin/partners', { partnerId, name, community: 'qiaoxi' });
    const { volunteerId } = await api<{ volunteerId: string }>(server.url, adminKey, '/v1/volunteers', {
      name: '赵淑珍',
      nationalIdNumber: nationalIdNumber(62),
      phone: '13800138002',
      community: 'qiaoxi',
    });
    const volunteer = `/v1/volunteers/${volunteerId}`;
    for (const partnerId of ['bakery', 'florist'])
      await api(server.url, adminKey, `${volunteer}/mandates`, { partnerId, monthlyCapCentipoints: 500 });
    const code = await api<{ volunteerNumber: string; activationCode: string }>(
      server.url,
      adminKey,
      `${volunteer}/activation-codes`,
      {},
    );
    const page = await openPage(browser);
    await page.goto(`${server.url}/console#/volunteer`);
    await page.getByRole('link', { name: /第一次使用/ }).click();
    await page.getByLabel('志愿者编号').fill(code.volunteerNumber);
    await page.getByLabel('激活码').fill(code.activationCode);
    await page.getByLabel('新密码', { exact: true }).fill('桥西社区的老槐树 2026');
    await page.getByLabel('再次输入新密码').fill('桥西社区的老槐树 2026');
    await page.getByRole('button', { name: '设置密码并登录' }).click();
    await page.getByRole('heading', { name: '赵淑珍，您好' }).waitFor();
    await page.goto(`${server.url}/console#/volunteer/consents`);
    await page.getByRole('heading', { name: '授权管理' }).waitFor();
    await page
      .locator('#mandates li[data-partner="bakery"]')
      .getByRole('button', { name: '撤销授权' })
      .click();
    await page.getByText('已撤销对 bakery 的授权。').waitFor();
    await dropNext(page, '**/mandates/florist/revoke');
    await page
      .locator('#mandates li[data-partner="florist"]')
      .getByRole('button', { name: '撤销授权' })
      .click();
    await page.getByText(NETWORK).waitFor();
    t.same(await messages(page), [NETWORK], 'the error alone');
    await page.close();
  });
});
