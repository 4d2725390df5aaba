/**
 * Codes and ids as people really type them, end to end (the real server on a fresh SQLite data
 * directory, Debian's Chromium through playwright-core): an elderly volunteer on a phone types the
 * activation code the desk printed with a Chinese input method in full-width mode, and is signed
 * in; an auditor asks for the charts of a community the city's hierarchy does not hold (or whose
 * id was mistyped) and is told that, not that a "parent unit" is missing; a desk that pastes a
 * name longer than the API takes, or only spaces, reads why it was refused, not only the field;
 * a desk records night care from 22:00 to 01:00, which the form took for an end before the start.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import t from 'tap';
import {
  api,
  chromiumMissing,
  nationalIdNumber,
  openPage,
  shanghaiDate,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

/** Full-width forms of ASCII letters, digits and the dash, as a Chinese input method types them. */
function fullWidth(text: string): string {
  return text.replace(/[!-~]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0));
}

t.test('codes and ids typed by hand are taken or refused in words', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-typed-codes-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  const { volunteerId, volunteerNumber } = await api<{ volunteerId: string; volunteerNumber: string }>(
    server.url,
    adminKey,
    '/v1/volunteers',
    { name: '王秀英', nationalIdNumber: nationalIdNumber(71), phone: '13800138000', community: 'qiaoxi' },
  );
  const { activationCode } = await api<{ activationCode: string }>(
    server.url,
    adminKey,
    `/v1/volunteers/${volunteerId}/activation-codes`,
    {},
  );

  await t.test('a volunteer types the activation code in full-width lower case', async (t) => {
    const phone = await openPage(browser, { viewport: { width: 360, height: 740 }, isMobile: true });
    await phone.goto(`${server.url}/console#/volunteer/activate`);
    await phone.locator('#v-activate-number').fill(volunteerNumber);
    await phone.locator('#v-activate-code').fill(fullWidth(activationCode.toLowerCase()));
    await phone.locator('#v-activate-passphrase').fill('桥西 晚霞 2026');
    await phone.locator('#v-activate-repeat').fill('桥西 晚霞 2026');
    await phone.locator('#v-activate-passphrase').press('Enter');
    await phone.getByRole('heading', { name: '王秀英，您好' }).waitFor();
    t.equal(
      await phone.getByRole('status').first().textContent(),
      '密码已设置，您已登录。',
      'an activation code in full-width lower case is the printed code',
    );
  });

  await t.test('an auditor asks for the charts of a community the hierarchy lacks', async (t) => {
    const { key: auditorKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
      role: 'auditor',
      scope: { kind: 'all' },
      label: 'Auditor',
    });
    const page = await openPage(browser);
    await signIn(page, server.url, { role: 'auditor', key: auditorKey, heading: '审计核验' });
    await page.getByRole('link', { name: '统计图表' }).click();
    await page.getByLabel('社区编号').fill('qiaoxi');
    await page.getByRole('button', { name: '显示图表' }).click();
    t.equal(
      await page.locator('#chart-points-error').textContent(),
      '行政区划中没有社区“qiaoxi”，无法统计积分发放与兑换。请核对社区编号，或请管理员在“行政区划”中登记该社区。',
      'a community missing from the hierarchy is named as missing, not its parent',
    );
  });

  /** A page signed in as the desk of qiaoxi with a key of its own, on the desk's home screen. */
  const deskPage = async (label: string): Promise<Awaited<ReturnType<typeof openPage>>> => {
    const { key: deskKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
      role: 'desk',
      scope: { kind: 'community', id: 'qiaoxi' },
      label,
    });
    const page = await openPage(browser);
    await signIn(page, server.url, { role: 'desk', key: deskKey, scope: 'qiaoxi', heading: '查找志愿者' });
    return page;
  };

  await t.test('a desk records night care from 22:00 to 01:00', async (t) => {
    const page = await deskPage('Desk, night');
    await page.goto(`${server.url}/console#/desk/volunteers/${volunteerId}/service`);
    await page.getByLabel('服务内容').fill('夜间陪护');
    await page.getByLabel('服务日期').fill(shanghaiDate(Date.now() - 2 * 86_400_000));
    await page.getByLabel('开始时间').fill('22:00');
    await page.getByLabel('结束时间').fill('01:00');
    await page.getByRole('button', { name: '提交记录' }).click();
    await page.locator('[data-figure="card.pendingHours"]').waitFor();
    t.equal(
      await page.locator('[data-figure="card.pendingHours"]').textContent(),
      '3 小时',
      'three hours across midnight, recorded and pending',
    );
  });

  await t.test('a desk pastes a very long name, or only spaces, and reads why it is refused', async (t) => {
    const page = await deskPage('Desk');
    await page.getByRole('link', { name: '登记志愿者' }).click();
    await page.getByLabel('居民身份证号码').fill(nationalIdNumber(72));
    await page.getByLabel('联系电话').fill('13800138000');
    for (const [name, said] of [
      ['王秀英'.repeat(70), '填写的内容有误，请检查。 字段：姓名（最多 200 个字符）'],
      ['   ', '填写的内容有误，请检查。 字段：姓名（须含文字，不能只有数字或符号）'],
    ] as const) {
      await page.getByLabel('姓名', { exact: true }).fill(name);
      await page.getByRole('button', { name: '登记' }).click();
      t.equal(
        await page.getByRole('alert').textContent(),
        said,
        `${name.length} characters: refused, saying why`,
      );
    }
  });
});
