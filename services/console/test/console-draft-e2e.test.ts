/**
 * A desk clerk's half-filled registration outlives the session's end (lib/form-draft.ts): end to
 * end, the real server on a fresh SQLite data directory, driven by Debian's Chromium through
 * playwright-core. The clerk fills in the form, the session runs out (30 idle minutes, made by
 * rewriting its expiry), 登记 shows the sign-in screen; signing in again as the same desk brings
 * the form back, filled, and 登记 registers. Nothing typed is kept in storage, and a draft is
 * never shown to another role.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import type { Page } from 'playwright-core';
import t from 'tap';
import {
  chromiumMissing,
  issueKey,
  nationalIdNumber,
  openPage,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

/** Ends the session as 30 idle minutes would: the next action finds it expired. */
async function expireSession(page: Page): Promise<void> {
  await page.evaluate(() => {
    const key = 'timebank.console.session';
    const session = JSON.parse(sessionStorage.getItem(key) ?? '{}') as Record<string, unknown>;
    sessionStorage.setItem(key, JSON.stringify({ ...session, expiresAtMs: Date.now() - 1 }));
  });
}

/** Signs in on the sign-in screen already shown (no page load: that would start a new console). */
async function signInOnShownForm(page: Page, role: string, key: string, scope?: string): Promise<void> {
  await page.getByLabel('角色').selectOption(role);
  await page.getByLabel('API 密钥').fill(key);
  if (scope !== undefined) await page.getByLabel('社区编号').fill(scope);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

async function fillRegistration(page: Page, name: string, idNumber: string): Promise<void> {
  await page.getByRole('link', { name: '登记志愿者' }).click();
  await page.getByRole('heading', { name: '登记志愿者', level: 2 }).waitFor();
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await page.getByLabel('居民身份证号码').fill(idNumber);
  await page.getByLabel('联系电话').fill('13800138000');
}

t.test(
  'a half-filled form comes back after signing in again as the same desk',
  { skip: chromiumMissing },
  async (t) => {
    const world = await startConsoleWorld(t, 'console-draft-e2e');
    if (world === undefined) return;
    const { server, adminKey, browser } = world;
    const deskKey = await issueKey(server.url, adminKey, 'desk', { kind: 'community', id: 'qiaoxi' });
    const auditorKey = await issueKey(server.url, adminKey, 'auditor', { kind: 'all' });
    const page = await openPage(browser);
    await signIn(page, server.url, {
      role: 'desk',
      key: deskKey,
      scope: 'qiaoxi',
      scopeLabel: '社区编号',
      heading: '查找志愿者',
    });

    const idNumber = nationalIdNumber(21);
    await fillRegistration(page, '李桂兰', idNumber);
    await expireSession(page);
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    t.equal(await page.getByRole('status').first().textContent(), '登录已过期，请重新登录。');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    t.notMatch(stored, /李桂兰|13800138000/, 'nothing typed is kept in storage');
    t.notMatch(stored, new RegExp(idNumber), 'not the ID number either');

    await signInOnShownForm(page, 'desk', deskKey, 'qiaoxi');
    await page.getByRole('heading', { name: '登记志愿者', level: 2 }).waitFor();
    t.equal(
      await page.locator('#draft-restored').textContent(),
      '已恢复登录过期前填写的 3 项内容，请核对后再提交。',
      'the clerk is told the form came back',
    );
    t.equal(await page.getByLabel('姓名', { exact: true }).inputValue(), '李桂兰');
    t.equal(await page.getByLabel('居民身份证号码').inputValue(), idNumber);
    t.equal(await page.getByLabel('联系电话').inputValue(), '13800138000');
    t.equal(
      await page.locator('#national-id-hint').textContent(),
      '身份证号码校验通过',
      'its checks ran again',
    );
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.getByRole('heading', { name: '志愿者卡片 · 李桂兰' }).waitFor();
    t.pass('registered after the new sign-in');

    // Another role signing in at that desk sees nothing of it, and the draft is gone for good.
    await fillRegistration(page, '赵凤芝', nationalIdNumber(22));
    await expireSession(page);
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.getByLabel('角色').selectOption('auditor');
    await page.getByLabel('API 密钥').fill(auditorKey);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('heading', { name: '审计核验' }).waitFor();
    t.equal(await page.locator('#draft-restored').count(), 0, 'the auditor is not shown the desk draft');
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await signInOnShownForm(page, 'desk', deskKey, 'qiaoxi');
    await page.getByRole('heading', { name: '查找志愿者' }).waitFor();
    t.equal(await page.locator('#draft-restored').count(), 0, 'nor is the desk after another role signed in');
  },
);
