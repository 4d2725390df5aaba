/**
 * The volunteer's console, the desk's certificate and the public verification page, end to end:
 * the real server on a fresh SQLite data directory, driven by Debian's Chromium.
 *
 * Set-up through the API: a volunteer with 100 confirmed hours (ten 10-hour days, recorded and
 * confirmed by an administrator), one more record voided with a note (a correction in the
 * history), and a standing mandate to a canteen. Then a desk files a star application on the card
 * (awarded: 1 star), issues a certificate and prints it (the PDF downloaded in the browser;
 * pdftotext finds the Chinese labels and values; its QR, scanned with zbarimg, opens the public
 * verification page), and generates an activation code. On a 375-px phone the volunteer
 * activates, sees balance, stars and progress, the history with the correction marked, the spend
 * code whose QR scans back, their certificate, revokes the mandate, reads how to report an error,
 * switches large-text mode on (remembered; every screen still fits and passes axe), signs out (the
 * token stops working), and is sent back to sign-in when the server ends the session. The
 * verification page says genuine for the real number and not found for a made-up one.
 *
 * Needs /usr/bin/chromium and poppler-utils; skipped with a reason without Chromium, except
 * under CI=true. CONSOLE_SCREENSHOT_DIR=docs/img saves each screen (console-volunteer-*.png,
 * console-verify.png, console-desk-certificate.png).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import {
  api,
  checkAccessibility,
  chromiumMissing,
  fitsWidth,
  nationalIdNumber,
  openPage,
  signIn,
  startConsoleWorld,
  ZBARIMG,
} from './e2e-helpers.js';

const PASSPHRASE = '桥西社区的老槐树 2026';
const ISSUER = {
  organisationName: '桥西区志愿服务中心',
  personInCharge: '李建国',
  handler: '张敏',
  contact: '0311-86012345',
};

interface Seeded {
  readonly volunteerId: string;
  readonly volunteerNumber: string;
}

/** `YYYY-MM-DD` in Asia/Shanghai, `days` before today. */
function shanghaiDate(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
    Date.now() - days * 24 * 3600 * 1000,
  );
}

/** 100 confirmed hours (one star's worth), one voided record and a mandate to the canteen. */
async function seed(url: string, adminKey: string, deskKey: string): Promise<Seeded> {
  const registered = await api<Seeded>(url, deskKey, '/v1/volunteers', {
    name: '王秀英',
    nationalIdNumber: nationalIdNumber(21),
    phone: '13800138000',
    community: 'qiaoxi',
  });
  const records = `/v1/volunteers/${registered.volunteerId}/service-records`;
  const recordOn = (days: number, from: string, until: string, activity: string) =>
    api<{ recordId: string }>(url, adminKey, records, {
      activity,
      organisationId: 'qiaoxi',
      startAt: new Date(`${shanghaiDate(days)}T${from}:00+08:00`).toISOString(),
      endAt: new Date(`${shanghaiDate(days)}T${until}:00+08:00`).toISOString(),
    });
  // Ten days of 10 hours: under the 12-hour record cap and the 16-hour day cap.
  for (let days = 2; days <= 11; days += 1) {
    const { recordId } = await recordOn(days, '07:00', '17:00', '陪伴独居老人');
    await api(url, adminKey, `${records}/${recordId}/confirm`, {}, 200);
  }
  const duplicate = await recordOn(1, '09:00', '11:00', '社区义诊');
  await api(url, adminKey, `${records}/${duplicate.recordId}/confirm`, {}, 200);
  await api(
    url,
    adminKey,
    `${records}/${duplicate.recordId}/void`,
    { reasonCode: 'duplicate_record', note: '同一活动重复登记' },
    200,
  );
  await api(url, deskKey, `/v1/volunteers/${registered.volunteerId}/mandates`, {
    partnerId: 'canteen',
    monthlyCapCentipoints: 500,
  });
  return registered;
}

/** pdftotext's text of a PDF, whitespace folded. */
function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

/** The QR printed on the PDF's page, scanned back (null without zbarimg). */
function pdfQr(file: string, directory: string): string | null {
  if (!existsSync(ZBARIMG)) return null;
  const prefix = join(directory, 'page');
  execFileSync('pdftoppm', ['-png', '-r', '150', '-singlefile', file, prefix]);
  return execFileSync(ZBARIMG, ['--raw', '-q', `${prefix}.png`], { encoding: 'utf8' }).trim();
}

/** The desk awards the star, issues and prints the certificate, and gives an activation code. */
async function deskJourney(
  t: Test,
  page: Page,
  url: string,
  deskKey: string,
  seeded: Seeded,
  directory: string,
): Promise<{ certificateNumber: string; activationCode: string }> {
  await signIn(page, url, {
    role: 'desk',
    key: deskKey,
    scope: 'qiaoxi',
    scopeLabel: '社区编号',
    heading: '查找志愿者',
  });
  await page.goto(`${url}/console#/desk/volunteers/${seeded.volunteerId}`);
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();
  t.equal(await page.locator('[data-figure="card.confirmedHours"]').textContent(), '100 小时');
  t.equal(await page.locator('[data-figure="card.stars"]').textContent(), '0 / 0 / 1', 'eligible for 1 star');

  await page.getByRole('button', { name: '申请星级评定' }).click();
  await page.getByText('已评定为 1 星志愿者。').waitFor();
  t.equal(
    await page.locator('[data-figure="card.stars"]').textContent(),
    '1 / 1 / 1',
    'the star application is awarded and in effect',
  );

  await page.getByText('出具新的服务证明').click();
  await page.getByLabel('出具单位').fill(ISSUER.organisationName);
  await page.getByLabel('负责人').fill(ISSUER.personInCharge);
  await page.getByLabel('经办人').fill(ISSUER.handler);
  await page.getByLabel('联系方式').fill(ISSUER.contact);
  const issuedDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: '出具并打印' }).click();
  const issuedPdf = await issuedDownload;
  const notice = await page.getByText(/^已出具服务证明 /).textContent();
  const certificateNumber = /已出具服务证明 (\S+)。/.exec(notice ?? '')?.[1] ?? '';
  t.match(certificateNumber, /^SC2-/, 'the notice names the certificate number');
  t.equal(issuedPdf.suggestedFilename(), `${certificateNumber}.pdf`, 'printed at once');

  // 打印证明 on the list downloads the PDF again: the one checked here.
  const printDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: '打印证明' }).click();
  const file = join(directory, 'certificate.pdf');
  await (await printDownload).saveAs(file);
  t.equal(readFileSync(file).subarray(0, 5).toString('latin1'), '%PDF-');
  const text = pdfText(file);
  for (const label of ['志愿服务证明', '姓名', '证件号码', '志愿者编号', '服务时长', '出具单位', '证明编号'])
    t.match(text, label, `the PDF has the label ${label}`);
  for (const value of [
    '王秀英',
    seeded.volunteerNumber,
    '100.00 小时',
    '陪伴独居老人',
    certificateNumber,
    ...Object.values(ISSUER),
  ])
    t.match(text, value, `the PDF shows ${value}`);
  t.match(text, `/console/verify/${certificateNumber}`, 'the printed URL is the verification page');
  const scanned = pdfQr(file, directory);
  if (scanned !== null)
    t.equal(
      scanned,
      `${url}/console/verify/${certificateNumber}`,
      "the PDF's QR opens the verification page",
    );
  await checkAccessibility(t, page, 'desk-certificate');

  await page.getByRole('button', { name: '生成激活码' }).click();
  const activationCode = (await page.locator('[data-figure="activation-code"]').textContent()) ?? '';
  t.match(activationCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'an activation code, shown once');
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('heading', { name: '登录' }).waitFor();
  return { certificateNumber, activationCode };
}

/** Every volunteer screen, by menu link and heading, for the large-text pass. */
const SCREENS: readonly (readonly [string, string, string])[] = [
  ['我的积分', '王秀英，您好', 'home'],
  ['服务记录', '服务记录', 'history'],
  ['消费码', '消费码', 'spend-code'],
  ['服务证明', '服务证明', 'certificates'],
  ['授权管理', '授权管理', 'consents'],
  ['记录有误', '记录有误', 'report'],
];

async function open(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
}

async function volunteerJourney(
  t: Test,
  page: Page,
  url: string,
  seeded: Seeded,
  issued: { certificateNumber: string; activationCode: string },
): Promise<void> {
  await page.goto(`${url}/console#/volunteer`);
  await page.getByRole('heading', { name: '志愿者登录' }).waitFor();
  await checkAccessibility(t, page, 'volunteer-sign-in');
  await fitsWidth(t, page, 'sign-in');
  await page.getByRole('link', { name: /第一次使用/ }).click();
  await page.getByRole('heading', { name: '设置密码' }).waitFor();
  await page.getByLabel('志愿者编号').fill(seeded.volunteerNumber);
  await page.getByLabel('激活码').fill(issued.activationCode.toLowerCase());
  await page.getByLabel('新密码', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('再次输入新密码').fill(`${PASSPHRASE}!`);
  await page.getByRole('button', { name: '设置密码并登录' }).click();
  t.equal(await page.getByRole('alert').textContent(), '两次输入的密码不一致。');
  await page.getByLabel('再次输入新密码').fill(PASSPHRASE);
  await checkAccessibility(t, page, 'volunteer-activate');
  await page.getByRole('button', { name: '设置密码并登录' }).click();

  await page.getByRole('heading', { name: '王秀英，您好' }).waitFor();
  t.equal(await page.getByRole('status').first().textContent(), '密码已设置，您已登录。');
  t.equal(
    await page.locator('[data-figure="vHome.available"]').textContent(),
    '99 分',
    'points available: 100 earned, 1 redeemed',
  );
  t.equal(await page.locator('[data-figure="vHome.held"]').textContent(), '0 分', 'points held');
  t.match(await page.locator('[data-figure="vHome.stars"]').textContent(), /1 星志愿者$/, 'one star');
  t.equal(
    await page.locator('#star-progress p').textContent(),
    '再服务 200 小时可达到 2 星',
    'progress to the next star (300 hours)',
  );
  t.equal(
    await page.evaluate(() => JSON.stringify(localStorage).includes('tbv_')),
    false,
    'no token in localStorage',
  );
  await fitsWidth(t, page, 'home');
  await checkAccessibility(t, page, 'volunteer-home');

  await open(page, '服务记录', '服务记录');
  const correction = page.locator('#volunteer-history li.amendment');
  t.equal(await correction.count(), 1, 'one correction in the history');
  t.match(
    await correction.textContent(),
    /更正作废服务记录.*说明：同一活动重复登记/,
    'the void is shown as a correction, with its note',
  );
  t.equal(
    await page.locator('#volunteer-history li', { hasText: '服务已确认' }).count(),
    11,
    'every confirmation is listed, the voided record too',
  );
  t.equal(
    await page.locator('#volunteer-history li', { hasText: /获得积分\s*10 分/ }).count(),
    10,
    'the points each day earned',
  );
  t.equal(
    await page.locator('#volunteer-history li', { hasText: '积分兑换' }).count(),
    1,
    'the lunch is one redemption',
  );
  t.equal(
    await page.locator('#volunteer-history li', { hasText: '积分冻结' }).count(),
    0,
    'its hold, captured in the same request, is not a second entry',
  );
  await fitsWidth(t, page, 'history');
  await checkAccessibility(t, page, 'volunteer-history');

  await open(page, '消费码', '消费码');
  const shown = (await page.locator('[data-figure="spend-code"]').textContent()) ?? '';
  t.match(shown, /^\d{4} \d{4} \d{4} \d{4}$/, 'the spend code in groups of four');
  const qr = page.getByRole('img', { name: '消费码二维码' });
  if (existsSync(ZBARIMG)) {
    const image = join(tmpdir(), `console-volunteer-qr-${process.pid}.png`);
    await qr.screenshot({ path: image });
    const decoded = execFileSync(ZBARIMG, ['--raw', '-q', image], { encoding: 'utf8' }).trim();
    rmSync(image, { force: true });
    t.equal(decoded, `timebank-spend:${shown.replace(/ /g, '')}`, 'the QR scans as the spend code');
  }
  await page.getByRole('button', { name: '换一个消费码' }).click();
  await page.waitForFunction(
    (before) => document.querySelector('[data-figure="spend-code"]')?.textContent !== before,
    shown,
  );
  t.not(await page.locator('[data-figure="spend-code"]').textContent(), shown, 'a new code on request');
  await fitsWidth(t, page, 'spend-code');
  await checkAccessibility(t, page, 'volunteer-spend-code');

  await open(page, '服务证明', '服务证明');
  t.match(
    await page.locator('#certificates li').first().textContent(),
    new RegExp(`证明编号 ${issued.certificateNumber}.*服务时长 100 小时`),
    'the certificate, with its hours',
  );
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: '打开 PDF' }).click();
  t.equal(
    (await download).suggestedFilename(),
    `${issued.certificateNumber}.pdf`,
    'the volunteer opens the PDF',
  );
  await fitsWidth(t, page, 'certificates');
  await checkAccessibility(t, page, 'volunteer-certificates');

  await open(page, '授权管理', '授权管理');
  const mandate = page.locator('#mandates li[data-partner="canteen"]');
  t.match(
    await mandate.textContent(),
    /商户：canteen.*每月上限：5 分.*长期有效/,
    'the mandate to the canteen',
  );
  await checkAccessibility(t, page, 'volunteer-consents');
  await mandate.getByRole('button', { name: '撤销授权' }).click();
  await page.getByText('已撤销对 canteen 的授权。').waitFor();
  t.equal(await page.locator('#no-mandates').textContent(), '您没有授权任何商户。', 'no mandate left');
  await fitsWidth(t, page, 'consents');

  await open(page, '记录有误', '记录有误');
  t.match(
    await page.locator('#report-explained').textContent(),
    /所属社区（qiaoxi）的志愿服务登记点/,
    'a volunteer may not file a dispute: where to go instead',
  );
  await checkAccessibility(t, page, 'volunteer-report');

  // Large-text mode: remembered across a reload, every screen scales and still fits 375 px.
  const toggle = page.getByRole('button', { name: '大字模式' });
  t.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  await page.reload();
  await page.getByRole('heading', { name: '记录有误' }).waitFor();
  t.equal(
    await page.getByRole('button', { name: '大字模式' }).getAttribute('aria-pressed'),
    'true',
    'remembered',
  );
  t.equal(
    await page.evaluate(() => getComputedStyle(document.documentElement).fontSize),
    '24px',
    'the text is larger',
  );
  for (const [link, heading, name] of SCREENS) {
    await open(page, link, heading);
    await fitsWidth(t, page, `${name}, large text`);
    await checkAccessibility(t, page, `volunteer-large-${name}`);
  }

  // Signing out ends the token on the server too.
  const token = await page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('timebank.console.session') ?? '{}') as { key?: string }).key,
  );
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('heading', { name: '志愿者登录' }).waitFor();
  t.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out forgets the token');
  await page.waitForFunction(
    async ([base, path, key]) =>
      (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } })).status === 401,
    [url, `/v1/volunteers/${seeded.volunteerId}`, token ?? ''] as const,
  );
  t.pass('the signed-out token is refused by the API');

  // A session the server ended (here: signed out through the API): the next click says so.
  await page.getByLabel('志愿者编号').fill(seeded.volunteerNumber);
  await page.getByLabel('密码').fill(PASSPHRASE);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '王秀英，您好' }).waitFor();
  await page.evaluate(async () => {
    const session = JSON.parse(sessionStorage.getItem('timebank.console.session') ?? '{}') as { key: string };
    await fetch('/v1/volunteer-sessions/sign-out', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${session.key}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: '{}',
    });
  });
  await page.getByRole('navigation').getByRole('link', { name: '服务记录' }).click();
  await page.getByRole('heading', { name: '志愿者登录' }).waitFor();
  t.equal(
    await page.getByRole('status').first().textContent(),
    '登录已过期，请重新登录。',
    'an ended session sends the volunteer back to sign-in, saying so',
  );
  t.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.getByRole('button', { name: '大字模式' }).click();
}

async function verificationJourney(
  t: Test,
  page: Page,
  url: string,
  certificateNumber: string,
): Promise<void> {
  await page.goto(`${url}/console/verify/${certificateNumber}`);
  await page.getByRole('heading', { name: '志愿服务证明核验' }).waitFor();
  t.equal(
    await page.locator('#verify-result [role="status"]').textContent(),
    '真实有效：此证明由本系统出具，所记录的服务均有效。',
    'a real certificate is genuine',
  );
  t.equal(await page.locator('[data-figure="verify.holder"]').textContent(), '王**', 'the name masked');
  t.equal(await page.locator('[data-figure="verify.hours"]').textContent(), '100 小时');
  t.equal(await page.locator('[data-figure="verify.issuer"]').textContent(), ISSUER.organisationName);
  await fitsWidth(t, page, 'verify');
  await checkAccessibility(t, page, 'verify');

  await page.getByLabel('证明编号').fill('SC2-0000-0000-0000-0000-0');
  await page.getByRole('button', { name: '核验' }).click();
  await page.getByText('未找到此证明：编号不存在，证明可能是伪造的。').waitFor();
  t.equal(
    await page.locator('#verify-result [role="status"]').getAttribute('data-status'),
    'unknown',
    'a made-up number is not found',
  );
  await checkAccessibility(t, page, 'verify-unknown');
}

t.test(
  'a desk prints a certificate; a volunteer uses the console on a phone; anyone verifies',
  { skip: chromiumMissing },
  async (t) => {
    const world = await startConsoleWorld(t, 'console-volunteer-e2e');
    if (world === undefined) return;
    const { directory, server, adminKey, browser } = world;
    const { key: deskKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
      role: 'desk',
      scope: { kind: 'community', id: 'qiaoxi' },
      label: 'Desk, Qiaoxi',
    });
    await api(server.url, adminKey, '/v1/admin/partners', {
      partnerId: 'canteen',
      name: '社区食堂',
      community: 'qiaoxi',
    });
    const seeded = await seed(server.url, adminKey, deskKey);

    const deskPage = await openPage(browser, {
      viewport: { width: 1100, height: 900 },
      acceptDownloads: true,
    });
    const issued = await deskJourney(t, deskPage, server.url, deskKey, seeded, directory);
    // A lunch redeemed at the canteen under the standing mandate: one point, held and captured by
    // one request, which the volunteer's history shows as one 积分兑换.
    await api(server.url, adminKey, '/v1/partners/canteen/offers', {
      offerId: 'lunch',
      title: '爱心午餐',
      priceCentipoints: 100,
    });
    await api(server.url, adminKey, '/v1/partners/canteen/redemptions', {
      volunteerId: seeded.volunteerId,
      offerId: 'lunch',
      centipoints: 100,
    });

    // A phone: 375 px wide, touch, as an elderly volunteer's.
    const page = await openPage(browser, {
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
      acceptDownloads: true,
    });
    await volunteerJourney(t, page, server.url, seeded, issued);
    await verificationJourney(t, page, server.url, issued.certificateNumber);
  },
);
