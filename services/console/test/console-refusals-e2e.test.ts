/**
 * What the console does when the ledger says no, end to end (the real server on a fresh SQLite
 * data directory, Debian's Chromium through playwright-core): an ID number whose check character
 * is right but whose birth date is 30 February is caught as it is typed, not called "passed"; the
 * desk's card says how many points an event moved; service ending after now (a later day, or later
 * today) or before it starts is said on the form and never sent; a desk whose key is revoked while it works is
 * sent to sign-in, saying why, instead of being refused on every screen; an auditor's as-of
 * question that fails leaves no figures of the question before it on the screen.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import type { Page } from 'playwright-core';
import t from 'tap';
import { nationalIdCheckCharacter } from '@timebank/domain';
import {
  api,
  chromiumMissing,
  openPage,
  seedHistory,
  shanghaiDate,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

async function signInAs(page: Page, url: string, role: 'desk' | 'auditor', key: string): Promise<void> {
  const heading = role === 'desk' ? '查找志愿者' : '审计核验';
  await signIn(page, url, { role, key, heading, ...(role === 'desk' ? { scope: 'qiaoxi' } : {}) });
}

t.test(
  'refusals are said in words, and nothing stale stands under them',
  { skip: chromiumMissing },
  async (t) => {
    const world = await startConsoleWorld(t, 'console-refusals-e2e');
    if (world === undefined) return;
    const { server, adminKey, browser } = world;
    const issue = (role: string, scope: Record<string, string>, label: string) =>
      api<{ key: string; keyId: string }>(server.url, adminKey, '/v1/admin/api-keys', { role, scope, label });
    const desk = await issue('desk', { kind: 'community', id: 'qiaoxi' }, 'Desk, Qiaoxi');
    const auditor = await issue('auditor', { kind: 'all' }, 'Auditor');
    await api(server.url, adminKey, '/v1/admin/organisations', {
      organisationId: 'xinhua',
      name: '新华社工',
      community: 'qiaoxi',
    });
    const { volunteerNumber } = await seedHistory({ url: server.url, adminKey, idSequence: 61 });

    const page = await openPage(browser);
    await signInAs(page, server.url, 'desk', desk.key);
    await page.getByRole('link', { name: '登记志愿者' }).click();
    // The find screen's ID-number field has the same label: wait for the register screen.
    await page.getByRole('heading', { name: '登记志愿者', level: 2 }).waitFor();
    const body = '11010119900230123';
    await page.getByLabel('居民身份证号码').fill(body + nationalIdCheckCharacter(body));
    t.equal(
      await page.locator('#national-id-hint').textContent(),
      '身份证号码中的出生日期无效',
      'a right check character with 30 February is not "passed"',
    );
    await page.getByLabel('姓名', { exact: true }).fill('张三');
    await page.getByLabel('联系电话').fill('13800138000');
    await page.getByRole('button', { name: '登记' }).click();
    t.equal(await page.getByRole('alert').textContent(), '身份证号码中的出生日期无效', 'and not sent');

    // Found in a browser: a minor's guardian with consent ticked but the name forgotten was told
    // 未满 18 周岁，需要监护人同意, since the form left the whole guardian out.
    const minor = '11010120100601123';
    await page.getByLabel('居民身份证号码').fill(minor + nationalIdCheckCharacter(minor));
    await page.getByLabel('监护人电话').fill('13900139000');
    await page.getByLabel('监护人已同意').check();
    await page.getByRole('button', { name: '登记' }).click();
    t.match(
      await page.getByRole('alert').textContent(),
      /字段：监护人姓名/,
      'the missing guardian name is what the refusal names',
    );

    await page.getByRole('link', { name: '查找志愿者' }).click();
    await page.getByLabel('志愿者编号').fill(volunteerNumber);
    await page.getByRole('button', { name: '查找' }).nth(1).click();
    await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
    const earned = page.locator('#history tbody tr', { hasText: '获得积分' });
    t.equal(
      await earned.locator('td').nth(2).textContent(),
      '3 分',
      'the card says how many points were earned',
    );

    // Service times the API would refuse are said on the form and not sent.
    const serviceWrites: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/service-records'))
        serviceWrites.push(request.url());
    });
    await page.getByRole('link', { name: '记录服务' }).click();
    await page.getByRole('heading', { name: '记录服务时长' }).waitFor();
    const today = shanghaiDate(Date.now());
    const date = page.getByLabel('服务日期');
    t.equal(await date.getAttribute('max'), today, 'no service date after today is offered');
    await page.getByLabel('服务内容').fill('陪伴独居老人');
    await date.fill(shanghaiDate(Date.now() + 2 * 86_400_000));
    await page.getByLabel('开始时间').fill('09:00');
    await page.getByLabel('结束时间').fill('10:00');
    await page.getByRole('button', { name: '提交记录' }).click();
    t.equal(
      await date.evaluate((input: HTMLInputElement) => input.validity.rangeOverflow),
      true,
      'a day after today is refused by the form',
    );
    const shanghaiMinutes = Math.floor(((Date.now() + 8 * 3_600_000) % 86_400_000) / 60_000);
    if (shanghaiMinutes < 23 * 60 + 58) {
      await date.fill(today);
      await page.getByLabel('开始时间').fill('23:58');
      await page.getByLabel('结束时间').fill('23:59');
      await page.getByRole('button', { name: '提交记录' }).click();
      t.equal(
        await page.getByRole('alert').textContent(),
        '结束时间不能晚于现在。',
        'an end later today is said before sending',
      );
    }
    await date.fill(shanghaiDate(Date.now() - 2 * 86_400_000));
    await page.getByLabel('开始时间').fill('11:00');
    await page.getByLabel('结束时间').fill('09:00');
    await page.getByRole('button', { name: '提交记录' }).click();
    t.equal(
      await page.getByRole('alert').textContent(),
      '结束时间必须晚于开始时间。',
      'an end before the start (negative hours) is said before sending',
    );
    t.same(serviceWrites, [], 'none of them reached the API');
    await page.getByRole('link', { name: '返回志愿者卡片' }).click();
    await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();

    const { keys } = await api<{ keys: { keyId: string; label: string }[] }>(
      server.url,
      adminKey,
      '/v1/admin/api-keys',
    );
    const deskKeyId = keys.find((key) => key.label === 'Desk, Qiaoxi')?.keyId ?? '';
    await api(server.url, adminKey, `/v1/admin/api-keys/${deskKeyId}/revoke`, { reason: '离职' }, 200);
    await page.getByRole('link', { name: '登记志愿者' }).click();
    await page.getByRole('link', { name: '查找志愿者' }).click();
    await page.getByLabel('志愿者编号').fill(volunteerNumber);
    await page.getByRole('button', { name: '查找' }).nth(1).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    t.equal(
      await page.getByRole('status').textContent(),
      'API 密钥无效或已被吊销，请重新登录。',
      'a key revoked while the desk works sends it to sign-in, saying why',
    );
    t.equal(await page.evaluate(() => sessionStorage.length), 0, 'and the key is gone');

    await signInAs(page, server.url, 'auditor', auditor.key);
    await page.getByRole('link', { name: '历史时点查询' }).click();
    t.equal(await page.getByLabel('日期').getAttribute('max'), today, 'no date after today is offered');
    await page.getByLabel('志愿者编号').fill(volunteerNumber);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('#as-of-result').waitFor();
    await page.getByLabel('志愿者编号').fill('TB0000000000ZZ');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('alert').waitFor();
    t.equal(await page.getByRole('alert').textContent(), '未找到该志愿者。');
    t.equal(await page.locator('#as-of-result').count(), 0, 'the previous volunteer’s figures are gone');
  },
);
