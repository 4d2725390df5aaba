/**
 * What clerks and partners really type, end to end: the real server on a fresh SQLite data
 * directory, driven by Debian's Chromium through playwright-core. A desk pastes an ID number in
 * groups of four (22 characters with the spaces) and types one with a Chinese input method's
 * full-width digits; writes a telephone number with spaces; leaves the name blank but for spaces
 * and reads which field is wrong by its label; finds the volunteer by a volunteer number typed in
 * lower case with spaces; records service and sees on the card when it took place. An organiser's
 * refused bulk line, like a partner's refused redemption, names the field by its label, never by
 * the API's name for it; a partner's offer id is checked by the browser as typed, and a statement
 * month typed in a text box (browsers without a month picker) as 2026年11月 is said, not followed to
 * the partner's home.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import {
  api,
  chromiumMissing,
  fitsWidth,
  nationalIdNumber,
  openPage,
  shanghaiDate,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

/** A Chinese input method in full-width mode: `１１０１…`. */
function fullWidth(text: string): string {
  return text.replace(/[0-9A-Za-z]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0));
}

async function signInAs(page: Page, url: string, role: 'desk' | 'partner', key: string, scope: string) {
  await signIn(page, url, { role, key, scope, heading: role === 'desk' ? '查找志愿者' : '积分兑换' });
}

async function registerJourney(t: Test, page: Page): Promise<string> {
  await page.getByRole('link', { name: '登记志愿者' }).click();
  const idInput = page.getByLabel('居民身份证号码');
  const hint = page.locator('#national-id-hint');

  const pasted = nationalIdNumber(41).replace(/(.{4})(?=.)/g, '$1 ');
  t.equal(pasted.length, 22, 'an ID number pasted in groups of four is 22 characters');
  await idInput.fill(pasted);
  t.equal(await idInput.inputValue(), pasted, 'the whole pasted number is kept, not cut at 20');
  t.equal(await hint.textContent(), '身份证号码校验通过', 'and it passes the check');

  const idNumber = nationalIdNumber(42);
  await idInput.fill(fullWidth(idNumber));
  t.equal(await hint.textContent(), '身份证号码校验通过', 'full-width digits from an input method pass');

  await page.getByLabel('姓名', { exact: true }).fill('   ');
  await page.getByLabel('联系电话').fill('138 0013 8000');
  await page.getByRole('button', { name: '登记' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '填写的内容有误，请检查。 字段：姓名（须含文字，不能只有数字或符号）',
    'a blank name is named by its label, saying why; the spaced telephone number is accepted',
  );

  await page.getByLabel('姓名', { exact: true }).fill('王秀英');
  await page.getByRole('button', { name: '登记' }).click();
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  return (await page.locator('[data-figure="card.volunteerNumber"]').textContent()) ?? '';
}

async function findJourney(t: Test, page: Page, volunteerNumber: string): Promise<void> {
  await page.getByRole('link', { name: '查找志愿者' }).click();
  const typed = ` ${volunteerNumber.toLowerCase().replace(/(.{4})(?=.)/g, '$1 ')} `;
  await page.getByLabel('志愿者编号').fill(typed);
  await page.getByRole('button', { name: '查找' }).nth(1).click();
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  t.pass(`the number typed as "${typed}" finds the volunteer`);

  await page.getByRole('link', { name: '查找志愿者' }).click();
  await page.getByLabel('居民身份证号码').fill(fullWidth(nationalIdNumber(42)));
  await page.getByRole('button', { name: '查找' }).first().click();
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  t.pass('the ID number in full-width digits finds the volunteer');
}

async function serviceJourney(t: Test, page: Page): Promise<void> {
  const day = shanghaiDate(Date.now() - 86_400_000);
  await page.getByRole('link', { name: '记录服务' }).click();
  await page.getByLabel('服务内容').fill('陪伴');
  await page.getByLabel('服务日期').fill(day);
  await page.getByLabel('开始时间').fill('08:00');
  await page.getByLabel('结束时间').fill('09:30');
  await page.getByRole('button', { name: '提交记录' }).click();
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  const [year, month, date] = day.split('-').map(Number);
  t.equal(
    await page.locator('#history tbody tr').first().locator('td').nth(2).textContent(),
    `陪伴，1.5 小时（${year}年${month}月${date}日 08:00–09:30）`,
    'the history says when the service took place, in Asia/Shanghai, not only when it was recorded',
  );
}

/** The desk's screens on a 360-px phone in large-text mode: nothing wider than the screen. */
async function phoneJourney(t: Test, page: Page): Promise<void> {
  await page.setViewportSize({ width: 360, height: 640 });
  await page.getByRole('button', { name: '大字模式' }).click();
  await fitsWidth(t, page, 'the card (its figures) in large text');
  await page.getByRole('link', { name: '记录服务' }).click();
  await page.getByRole('heading', { name: '记录服务时长' }).waitFor();
  await fitsWidth(t, page, 'recording service in large text');
  await page.getByRole('link', { name: '登记志愿者' }).click();
  await page.getByRole('heading', { name: '登记志愿者' }).waitFor();
  await fitsWidth(t, page, 'registering in large text');
  await page.getByRole('button', { name: '大字模式' }).click();
  await page.setViewportSize({ width: 1100, height: 800 });
}

async function organiserJourney(
  t: Test,
  page: Page,
  url: string,
  organiserKey: string,
  volunteerNumber: string,
): Promise<void> {
  await page.goto(`${url}/console#/sign-in`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('角色').selectOption('organiser');
  await page.getByLabel('API 密钥').fill(organiserKey);
  await page.locator('#sign-in-scope').fill('qiaoxi');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: '待确认的服务记录' }).waitFor();
  await page.getByRole('link', { name: '批量记录活动' }).click();
  await page.getByLabel('服务内容').fill('植树');
  await page.getByLabel('服务日期').fill(shanghaiDate(Date.now() - 2 * 86_400_000));
  await page.getByLabel('开始时间').fill('09:00');
  await page.getByLabel('结束时间').fill('10:00');
  await page.getByLabel('志愿者编号（每行一个）').fill('nobody-at-all');
  await page.setViewportSize({ width: 360, height: 640 });
  await fitsWidth(t, page, 'the bulk activity’s list on a phone');
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.getByRole('button', { name: '全部记录' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '填写的内容有误，请检查。 字段：志愿者编号（每行一个） 有问题的行：1',
    'a refused line is named by the list’s label, not by the API’s name for it',
  );
  // The number as an organiser copies it from a paper sign-up sheet: lower case, in groups, with
  // a Chinese input method's full-width digits, twice (the second is caught before sending).
  const typed = fullWidthDigits(spacedLowerCase(volunteerNumber));
  await page.getByLabel('志愿者编号（每行一个）').fill(`${typed}\n${volunteerNumber}`);
  await page.getByRole('button', { name: '全部记录' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '同一编号填写了不止一次，请删去重复的行：2',
    'a number typed twice is named by its line',
  );
  await page.getByLabel('志愿者编号（每行一个）').fill(`${typed}\n`);
  await page.getByRole('button', { name: '全部记录' }).click();
  await page.getByText('已为 1 名志愿者各记录 1 小时，待确认。').waitFor();
  await page.getByRole('link', { name: '待确认记录' }).click();
  const row = page.locator('#queue tbody tr', { hasText: '植树' });
  t.equal(await row.locator('td').nth(3).textContent(), volunteerNumber, 'the queue shows the number');
}

/** `TBABCD…` as `tbab cd…`: lower case, in groups of four. */
function spacedLowerCase(volunteerNumber: string): string {
  return volunteerNumber.toLowerCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** ASCII digits as a Chinese input method types them in full-width mode (`０`–`９`). */
function fullWidthDigits(typed: string): string {
  return typed.replace(/[0-9]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) + 0xfee0));
}

async function partnerJourney(t: Test, page: Page, url: string, partnerKey: string): Promise<void> {
  await signInAs(page, url, 'partner', partnerKey, 'canteen');
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '服务项目' }).click();
  await page.getByLabel('项目编号').fill('Lunch Set');
  t.equal(
    await page
      .getByLabel('项目编号')
      .evaluate((input) => (input as HTMLInputElement).validity.patternMismatch),
    true,
    'the browser checks the offer id as typed (the pattern compiles under the v flag)',
  );

  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '兑换积分' }).click();
  await page.getByLabel('消费码').fill('1234 5678 1234 5678');
  await page.getByLabel('积分', { exact: true }).fill('abc');
  await page.getByRole('button', { name: '提交' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '填写的内容有误，请检查。 字段：积分',
    'points typed wrongly are named by their label, not as centipoints',
  );

  // A browser without a month picker (Firefox) shows the statement's month as a plain text box.
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '月度对账单' }).click();
  await page.getByRole('heading', { name: '月度对账单' }).waitFor();
  await page.locator('#statement-period').evaluate((input: HTMLInputElement) => {
    input.type = 'text';
  });
  await page.getByLabel('月份').fill('2026年11月');
  await page.getByRole('button', { name: '查看' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '请按“年-月”填写月份，例如 2026-11。',
    'a month typed as people write it is said, not sent',
  );
  t.match(page.url(), /#\/partner\/statement$/, 'and the partner stays on the statement');
  await page.getByLabel('月份').fill('２０２６-１１');
  await page.getByRole('button', { name: '查看' }).click();
  await page.getByRole('table', { name: '2026-11 结算合计' }).waitFor();
  t.match(page.url(), /#\/partner\/statement\/2026-11$/, 'full-width digits show that month');
  await page.goto(`${url}/console#/partner/statement/2026-13`);
  const thisMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' })
    .format(Date.now())
    .slice(0, 7);
  await page.getByRole('table', { name: `${thisMonth} 结算合计` }).waitFor();
  t.equal(await page.getByRole('alert').count(), 0, 'a month 13 in the address shows this month, unsent');
}

t.test('what clerks and partners type is taken as they mean it', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-typed-input-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  const { key: deskKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
    role: 'desk',
    scope: { kind: 'community', id: 'qiaoxi' },
    label: 'Desk, Qiaoxi',
  });
  await api(server.url, adminKey, '/v1/admin/organisations', {
    organisationId: 'qiaoxi',
    name: '桥西社区服务站',
    community: 'qiaoxi',
  });
  await api(server.url, adminKey, '/v1/admin/partners', {
    partnerId: 'canteen',
    name: '社区食堂',
    community: 'qiaoxi',
  });
  const { key: organiserKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
    role: 'organiser',
    scope: { kind: 'organisation', id: 'qiaoxi' },
    label: 'Organiser, Qiaoxi',
  });
  const { key: partnerKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
    role: 'partner',
    scope: { kind: 'partner', id: 'canteen' },
    label: 'Canteen',
  });
  await api(server.url, partnerKey, '/v1/partners/canteen/offers', {
    offerId: 'lunch',
    title: '午餐',
    priceCentipoints: 500,
  });

  const page = await openPage(browser, { timezoneId: 'America/New_York' });
  await signInAs(page, server.url, 'desk', deskKey, 'qiaoxi');
  await page.goto(`${server.url}/console`);
  await page.getByRole('heading', { name: '查找志愿者' }).waitFor({ timeout: 5_000 });
  t.equal(await page.getByLabel('API 密钥').count(), 0, 'the bare /console opens the desk, not sign-in');
  const volunteerNumber = await registerJourney(t, page);
  await findJourney(t, page, volunteerNumber);
  await serviceJourney(t, page);
  await phoneJourney(t, page);
  await organiserJourney(t, page, server.url, organiserKey, volunteerNumber);
  await partnerJourney(t, page, server.url, partnerKey);
});
