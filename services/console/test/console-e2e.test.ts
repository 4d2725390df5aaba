/**
 * The console end to end: the real server (`services/ledger-api/src/server.ts` as a process) on
 * a fresh SQLite data directory, driven by Debian's Chromium through playwright-core. A desk
 * signs in, registers a volunteer (the ID check reacting as the clerk types), sees a translated
 * error, finds the volunteer, records service and sees it on the card; an organiser confirms it in
 * its queue (after a bulk activity refused whole, then recorded and rejected); the desk files a
 * star application (refused: far from 100 hours) and generates a spend code; a partner publishes
 * an offer, redeems with the code, holds with a second and captures it on its statement (CSV
 * checked); an auditor runs verify and sees the result and Σ balances. axe-core checks every screen for serious or critical issues.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`, as .ci/run does): skipped with a reason
 * without it, except under CI=true, where a missing browser fails the test.
 * With CONSOLE_SCREENSHOT_DIR set, saves each screen there (docs/img is made this way).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import {
  checkAccessibility,
  chromiumMissing,
  nationalIdNumber,
  openPage,
  signIn,
  startConsoleWorld,
  ZBARIMG,
} from './e2e-helpers.js';

/** Yesterday's date in Asia/Shanghai, `YYYY-MM-DD`: service must have ended before now. */
function yesterdayInShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
    Date.now() - 24 * 3600 * 1000,
  );
}

function post(
  url: string,
  key: string,
  path: string,
  body: unknown,
  idempotencyKey: string,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify(body),
  });
}

async function issueKey(
  url: string,
  adminKey: string,
  body: unknown,
  idempotencyKey: string,
): Promise<string> {
  const response = await fetch(`${url}/v1/admin/api-keys`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${adminKey}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`issuing a key answered ${response.status}`);
  return ((await response.json()) as { key: string }).key;
}

/** Returns the registered volunteer's id. */
async function deskJourney(t: Test, page: Page, url: string, deskKey: string): Promise<string> {
  await page.goto(`${url}/console`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await checkAccessibility(t, page, 'sign-in');

  await page.getByLabel('角色').selectOption('desk');
  await page.getByLabel('API 密钥').fill('tbk_not-a-key-at-all-not-a-key-at-all-xxxxxx');
  await page.getByLabel('社区编号').fill('qiaoxi');
  await page.getByRole('button', { name: '登录' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    'API 密钥无效或已被吊销。',
    'a wrong key: UNAUTHENTICATED, translated',
  );

  await page.getByLabel('API 密钥').fill(deskKey);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '查找志愿者' }).waitFor();
  t.equal(
    await page.evaluate(() => JSON.stringify(localStorage).includes('tbk_')),
    false,
    'no key in localStorage',
  );
  await checkAccessibility(t, page, 'desk-find');

  await page.getByRole('link', { name: '登记志愿者' }).click();
  // The find screen has an ID-number field too: typing before the register screen is shown would
  // type into that one (seen under load).
  await page.getByRole('heading', { name: '登记志愿者', level: 2 }).waitFor();
  const idNumber = nationalIdNumber(7);
  const idInput = page.getByLabel('居民身份证号码');
  await idInput.pressSequentially(idNumber.slice(0, 10));
  t.equal(await page.locator('#national-id-hint').textContent(), '已输入 10/18 位', 'progress while typing');
  const wrongLast = idNumber.endsWith('1') ? '2' : '1';
  await idInput.pressSequentially(idNumber.slice(10, 17) + wrongLast);
  t.equal(
    await page.locator('#national-id-hint').textContent(),
    '身份证号码格式或校验码不正确',
    'a wrong check character is caught as typed',
  );
  t.equal(await idInput.getAttribute('aria-invalid'), 'true');
  await idInput.press('Backspace');
  await idInput.pressSequentially(idNumber.slice(17));
  t.equal(
    await page.locator('#national-id-hint').textContent(),
    '身份证号码校验通过',
    'the right one passes',
  );
  await page.getByLabel('姓名', { exact: true }).fill('王秀英');
  await page.getByLabel('联系电话').fill('13800138000');
  await checkAccessibility(t, page, 'desk-register');
  await page.getByRole('button', { name: '登记' }).click();

  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  const registered = await page.getByRole('status').first().textContent();
  t.match(
    registered,
    /^已登记：志愿者编号 \S+$/,
    'the card says the volunteer was registered, with their number',
  );
  const volunteerNumber = await page.locator('[data-figure="card.volunteerNumber"]').textContent();
  t.equal(
    await page.locator('[data-figure="card.nationalId"]').textContent(),
    `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`,
    'masked ID',
  );
  t.equal(await page.locator('[data-figure="card.confirmedHours"]').textContent(), '0 小时');

  // The same person again: the API's VOLUNTEER_ALREADY_REGISTERED, shown in Chinese, never as JSON.
  await page.getByRole('link', { name: '登记志愿者' }).click();
  await page.getByLabel('姓名', { exact: true }).fill('王秀英');
  await page.getByLabel('居民身份证号码').fill(idNumber);
  await page.getByLabel('联系电话').fill('13800138000');
  await page.getByRole('button', { name: '登记' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '此人已登记为志愿者。请用“查找志愿者”按身份证号查找；查不到的，是在其他社区登记的，请其到所属社区服务台办理。',
    'a domain error shown translated from its code',
  );
  t.notMatch(
    await page.locator('main').textContent(),
    /[{}]|VOLUNTEER_ALREADY_REGISTERED/,
    'no raw JSON or code',
  );

  await page.getByRole('link', { name: '查找志愿者' }).click();
  await page.locator('#find-national-id').fill(nationalIdNumber(8));
  await page.getByRole('button', { name: '查找' }).first().click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '未找到该志愿者。',
    'someone never registered: not found, in words',
  );
  await page.locator('#find-national-id').fill(idNumber);
  await page.getByRole('button', { name: '查找' }).first().click();
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  t.equal(
    await page.locator('[data-figure="card.volunteerNumber"]').textContent(),
    volunteerNumber,
    'found by ID number',
  );

  await page.getByRole('link', { name: '查找志愿者' }).click();
  await page.getByLabel('志愿者编号').fill(volunteerNumber ?? '');
  await page.getByRole('button', { name: '查找' }).nth(1).click();
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  await checkAccessibility(t, page, 'desk-card-registered');

  await page.getByRole('link', { name: '记录服务' }).click();
  await page.getByRole('heading', { name: '记录服务时长' }).waitFor();
  await page.getByLabel('服务内容').fill('陪伴独居老人');
  await page.getByLabel('服务日期').fill(yesterdayInShanghai());
  await page.getByLabel('开始时间').fill('09:00');
  await page.getByLabel('结束时间').fill('11:30');
  await checkAccessibility(t, page, 'desk-record-service');
  await page.getByRole('button', { name: '提交记录' }).click();

  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  t.equal(await page.getByRole('status').first().textContent(), '已记录 2.5 小时服务，待组织确认。');
  t.equal(
    await page.locator('[data-figure="card.pendingHours"]').textContent(),
    '2.5 小时',
    'pending hours on the card',
  );
  const newest = page.locator('#history tbody tr').first();
  t.equal(await newest.locator('td').nth(1).textContent(), '记录服务（待确认）');
  const [year, month, day] = yesterdayInShanghai().split('-').map(Number);
  t.equal(
    await newest.locator('td').nth(2).textContent(),
    `陪伴独居老人，2.5 小时（${year}年${month}月${day}日 09:00–11:30）`,
    'the record with when the service took place',
  );
  await checkAccessibility(t, page, 'desk-card');

  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('heading', { name: 'Volunteer card · 王秀英' }).waitFor();
  t.equal(
    await page.locator('[data-figure="card.pendingHours"]').textContent(),
    '2.5 h',
    'English on switching',
  );
  t.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByLabel('Language').selectOption('zh-CN');

  const volunteerId = /volunteers\/([^/]+)$/.exec(page.url())?.[1];
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('heading', { name: '登录' }).waitFor();
  t.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out forgets the key');
  if (volunteerId === undefined) throw new Error(`no volunteer id in ${page.url()}`);
  return volunteerId;
}

/** Signs in with a role, its scope and key, and waits for the role's first screen. */
async function signInAs(
  page: Page,
  url: string,
  role: 'desk' | 'organiser' | 'partner',
  scopeLabel: string,
  scopeId: string,
  key: string,
  heading: string,
): Promise<void> {
  await signIn(page, url, { role, key, scope: scopeId, scopeLabel, heading });
}

async function signOutOf(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('heading', { name: '登录' }).waitFor();
}

/**
 * The organiser sees the volunteer by number, records a bulk activity by volunteer numbers
 * (refused whole, then accepted), rejects it and confirms the desk's record.
 */
async function organiserJourney(
  t: Test,
  page: Page,
  url: string,
  key: string,
  volunteer: { volunteerId: string; volunteerNumber: string },
): Promise<void> {
  const { volunteerId, volunteerNumber } = volunteer;
  await signInAs(page, url, 'organiser', '组织编号', 'qiaoxi', key, '待确认的服务记录');
  const rows = page.locator('#queue tbody tr');
  t.equal(await rows.count(), 1, 'the desk-recorded service waits in the queue');
  t.match(await rows.first().textContent(), /陪伴独居老人.*2\.5 小时/, 'with its activity and hours');
  t.equal(
    await rows.first().locator('td').nth(3).textContent(),
    volunteerNumber,
    'and the volunteer by the number the desk issued',
  );
  t.notMatch(await page.locator('#queue').textContent(), volunteerId, 'never by the internal id');
  await checkAccessibility(t, page, 'organiser-queue');

  await page.getByRole('link', { name: '批量记录活动' }).click();
  await page.getByRole('heading', { name: '批量记录活动' }).waitFor();
  await page.getByLabel('服务内容').fill('社区义诊');
  await page.getByLabel('服务日期').fill(yesterdayInShanghai());
  await page.getByLabel('开始时间').fill('14:00');
  await page.getByLabel('结束时间').fill('15:00');
  await page.getByLabel('志愿者编号（每行一个）').fill(`${volunteerNumber}\n\nTB0000000000ZZ`);
  await page.getByRole('button', { name: '全部记录' }).click();
  t.match(
    await page.getByRole('alert').textContent(),
    /^批量记录中有无效条目，未写入任何记录。.*有问题的行：3（未找到该志愿者。）$/,
    'all-or-nothing: a number nobody holds on line 3 refuses the whole batch, said in Chinese',
  );
  await page.getByLabel('志愿者编号（每行一个）').fill(volunteerNumber);
  await checkAccessibility(t, page, 'organiser-activity');
  await page.getByRole('button', { name: '全部记录' }).click();
  await page.getByText('已为 1 名志愿者各记录 1 小时，待确认。').waitFor();

  await page.getByRole('link', { name: '待确认记录' }).click();
  await page.getByRole('heading', { name: '待确认的服务记录' }).waitFor();
  t.equal(await rows.count(), 2, 'the batch record joined the queue');
  const batchRow = page.locator('#queue tbody tr', { hasText: '社区义诊' });
  t.equal(await batchRow.locator('td').nth(3).textContent(), volunteerNumber, 'under the number typed');
  await batchRow.getByRole('button', { name: '退回' }).click();
  t.equal(await page.getByRole('alert').textContent(), '退回前请填写理由。', 'a rejection needs a reason');
  await batchRow.getByLabel('退回理由').fill('重复登记');
  await batchRow.getByRole('button', { name: '退回' }).click();
  await page.getByText('已退回：社区义诊').waitFor();
  await page
    .locator('#queue tbody tr', { hasText: '陪伴独居老人' })
    .getByRole('button', { name: '确认' })
    .click();
  await page.getByText('已确认：陪伴独居老人').waitFor();
  t.equal(await page.locator('#queue-empty').textContent(), '没有待确认的记录。', 'the queue is empty');
  await signOutOf(page);
}

/** The desk files a star application (refused: 2.5 h is far from 100) and generates a spend code. */
async function deskSpendCodeJourney(
  t: Test,
  page: Page,
  url: string,
  key: string,
  volunteerId: string,
): Promise<string> {
  await signInAs(page, url, 'desk', '社区编号', 'qiaoxi', key, '查找志愿者');
  await page.goto(`${url}/console#/desk/volunteers/${volunteerId}`);
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  t.equal(
    await page.locator('[data-figure="card.confirmedHours"]').textContent(),
    '2.5 小时',
    'confirmed by the organiser',
  );
  t.equal(await page.locator('[data-figure="card.availablePoints"]').textContent(), '2.5 分');
  await page.getByRole('button', { name: '申请星级评定' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '已确认时长未达到更高星级。',
    'a star application below 100 hours is refused, in Chinese',
  );
  await page.getByRole('button', { name: '生成消费码' }).click();
  const shown = await page.locator('[data-figure="spend-code"]').textContent();
  t.match(shown, /^\d{4} \d{4} \d{4} \d{4}$/, 'the code in groups of four');
  const qr = page.getByRole('img', { name: '消费码二维码' });
  t.ok(await qr.isVisible(), 'with its QR');
  const code = (shown ?? '').replace(/ /g, '');
  if (existsSync(ZBARIMG)) {
    const image = join(tmpdir(), `console-qr-${process.pid}.png`);
    await qr.screenshot({ path: image });
    const decoded = execFileSync(ZBARIMG, ['--raw', '-q', image], { encoding: 'utf8' }).trim();
    rmSync(image, { force: true });
    t.equal(decoded, `timebank-spend:${code}`, 'the QR on screen scans as the spend code');
  }
  await checkAccessibility(t, page, 'desk-spend-code');
  await signOutOf(page);
  return code;
}

/** A partner publishes an offer, redeems with the spend code, holds with a second, captures it, exports the statement. */
async function partnerJourney(
  t: Test,
  page: Page,
  url: string,
  key: string,
  codes: { readonly redeem: string; readonly hold: string },
): Promise<void> {
  await signInAs(page, url, 'partner', '商户编号', 'canteen', key, '积分兑换');
  t.equal(await page.getByText('请先发布服务项目，再办理兑换。').count(), 1, 'no offer yet');
  await page.getByRole('navigation').getByRole('link', { name: '服务项目' }).click();
  await page.getByRole('heading', { name: '服务项目' }).waitFor();
  await page.getByLabel('项目编号').fill('lunch');
  await page.getByLabel('项目名称').fill('爱心午餐');
  await page.getByLabel('所需积分').fill('1');
  await page.getByRole('button', { name: '发布' }).click();
  await page.getByText('已发布：爱心午餐').waitFor();
  t.match(await page.locator('#offers tbody tr').first().textContent(), /爱心午餐.*lunch.*1 分/);
  await checkAccessibility(t, page, 'partner-offers');

  await page.getByRole('link', { name: '兑换积分' }).click();
  await page.getByRole('heading', { name: '积分兑换' }).waitFor();
  await page.getByLabel('消费码').fill('0000 0000 0000 0000');
  await page.getByRole('button', { name: '提交' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '消费码无效、已使用或已过期。',
    'a wrong code, in Chinese',
  );
  await page.getByLabel('消费码').fill(codes.redeem.replace(/(\d{4})(?=\d)/g, '$1 '));
  await checkAccessibility(t, page, 'partner-redeem');
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByText('兑换成功：1 分').waitFor();
  // A scanner types the QR payload itself.
  await page.getByLabel('消费码').fill(`timebank-spend:${codes.hold}`);
  await page.getByLabel('方式').selectOption('hold');
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByText('已冻结：1 分').waitFor();

  await page.getByRole('link', { name: '月度对账单' }).click();
  await page.getByRole('heading', { name: '月度对账单' }).waitFor();
  t.equal(await page.locator('#holds tbody tr').count(), 2, 'both holds listed');
  t.equal(
    await page.locator('#holds tbody tr').first().locator('td').nth(1).textContent(),
    '爱心午餐',
    'each by the offer’s title, not its id',
  );
  t.equal(
    await page.locator('[data-figure="capturedCount"]').textContent(),
    '1',
    'the redemption is captured',
  );
  await page.locator('#holds tbody tr', { hasText: '冻结中' }).getByRole('button', { name: '扣除' }).click();
  await page.getByText('已扣除 1 分').waitFor();
  t.equal(await page.locator('[data-figure="capturedCount"]').textContent(), '2');
  t.equal(
    await page.locator('[data-figure="capturedCentipoints"]').textContent(),
    '2 分',
    'the month settles 2 points',
  );
  t.equal(
    await page.locator('#totals thead th').last().textContent(),
    '数额（积分或现金）',
    'the totals column holds points and the cash row alike (it read 积分 above ¥)',
  );
  const href = (await page.locator('#statement-csv').getAttribute('href')) ?? '';
  const csv = decodeURIComponent(href.replace(/^data:text\/csv;charset=utf-8,/, ''));
  const period = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' })
    .format(Date.now())
    .slice(0, 7);
  t.ok(
    csv.startsWith('\uFEFFpartner,period,holdId,offerId,heldAt,status,points,cashYuan\r\n'),
    'CSV with a header',
  );
  t.ok(csv.includes(`canteen,${period},total:captured,,,2,2,0.00\r\n`), 'and the month’s captured total');
  t.equal(csv.match(/,lunch,.*,captured,1,0\.00\r\n/g)?.length, 2, 'one line per hold');
  await checkAccessibility(t, page, 'partner-statement');
  await signOutOf(page);
}

async function auditorJourney(t: Test, page: Page, url: string, auditorKey: string): Promise<void> {
  await page.goto(`${url}/console#/audit`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('角色').selectOption('auditor');
  t.equal(await page.getByLabel('社区编号').isVisible(), false, 'an auditor names no community');
  await page.getByLabel('API 密钥').fill(auditorKey);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '审计核验' }).waitFor();
  await page.getByRole('button', { name: '运行核验' }).click();
  await page.locator('#verify-result').waitFor();
  t.equal(await page.locator('#verify-result [role="status"]').textContent(), '核验通过：未发现问题');
  t.ok(Number(await page.locator('[data-figure="events"]').textContent()) >= 3, 'events were checked');
  t.ok(
    (await page.locator('#balances tbody tr').count()) >= 2,
    'the accounts the confirmation touched are listed',
  );
  t.equal(await page.locator('[data-figure="total"]').textContent(), '0 分', 'Σ balances is zero');
  t.equal(await page.getByText('借贷平衡（合计为零）').count(), 1);
  await checkAccessibility(t, page, 'auditor-verify');

  // 30 idle minutes later (the clock moved by rewriting the expiry): the next action signs out.
  await page.evaluate(() => {
    const key = 'timebank.console.session';
    const session = JSON.parse(sessionStorage.getItem(key) ?? '{}') as Record<string, unknown>;
    sessionStorage.setItem(key, JSON.stringify({ ...session, expiresAtMs: Date.now() - 1 }));
  });
  await page.getByRole('button', { name: '运行核验' }).click();
  await page.getByRole('heading', { name: '登录' }).waitFor();
  t.equal(
    await page.getByRole('status').first().textContent(),
    '登录已过期，请重新登录。',
    'an expired session says so',
  );
  t.equal(await page.evaluate(() => sessionStorage.length), 0, 'and its key is gone');
}

t.test(
  'desk, organiser, partner and auditor use the console against the real server',
  { skip: chromiumMissing },
  async (t) => {
    const world = await startConsoleWorld(t, 'console-e2e');
    if (world === undefined) return;
    const { server, adminKey, browser } = world;
    const deskKey = await issueKey(
      server.url,
      adminKey,
      { role: 'desk', scope: { kind: 'community', id: 'qiaoxi' }, label: 'Desk, Qiaoxi' },
      'desk',
    );
    for (const [path, body] of [
      ['/v1/admin/organisations', { organisationId: 'qiaoxi', name: '桥西社区服务站', community: 'qiaoxi' }],
      ['/v1/admin/partners', { partnerId: 'canteen', name: '社区食堂', community: 'qiaoxi' }],
    ] as const) {
      const registered = await post(
        server.url,
        adminKey,
        path,
        body,
        `register-${body.name.length}-${path.length}`,
      );
      if (registered.status !== 201) throw new Error(`${path} answered ${registered.status}`);
    }
    const organiserKey = await issueKey(
      server.url,
      adminKey,
      { role: 'organiser', scope: { kind: 'organisation', id: 'qiaoxi' }, label: 'Organiser, Qiaoxi' },
      'organiser',
    );
    const partnerKey = await issueKey(
      server.url,
      adminKey,
      { role: 'partner', scope: { kind: 'partner', id: 'canteen' }, label: 'Canteen' },
      'partner',
    );
    const auditorKey = await issueKey(
      server.url,
      adminKey,
      { role: 'auditor', scope: { kind: 'all' }, label: 'Auditor' },
      'auditor',
    );

    // A browser in New York: the console still shows and takes times in Asia/Shanghai.
    const page = await openPage(browser, { timezoneId: 'America/New_York' });
    const volunteerId = await deskJourney(t, page, server.url, deskKey);
    const history = await fetch(`${server.url}/v1/volunteers/${volunteerId}/history`, {
      headers: { authorization: `Bearer ${deskKey}` },
    });
    const recorded = (
      (await history.json()) as { events: { type: string; data: Record<string, unknown> }[] }
    ).events.find((event) => event.type === 'ServiceHoursRecorded');
    t.same(
      [recorded?.data.startAt, recorded?.data.endAt, recorded?.data.organisationId],
      [`${yesterdayInShanghai()}T01:00:00.000Z`, `${yesterdayInShanghai()}T03:30:00.000Z`, 'qiaoxi'],
      '09:00–11:30 typed in a New York browser is Asia/Shanghai time, recorded under the desk community',
    );
    const card = await fetch(`${server.url}/v1/volunteers/${volunteerId}`, {
      headers: { authorization: `Bearer ${deskKey}` },
    });
    const { volunteerNumber } = (await card.json()) as { volunteerNumber: string };
    await organiserJourney(t, page, server.url, organiserKey, { volunteerId, volunteerNumber });
    const code = await deskSpendCodeJourney(t, page, server.url, deskKey, volunteerId);
    // A second code for the hold, issued through the API as the desk would on another visit.
    const second = await post(server.url, deskKey, `/v1/volunteers/${volunteerId}/spend-codes`, {}, 'code-2');
    await partnerJourney(t, page, server.url, partnerKey, {
      redeem: code,
      hold: ((await second.json()) as { spendCode: string }).spendCode,
    });
    await auditorJourney(t, page, server.url, auditorKey);
  },
);
