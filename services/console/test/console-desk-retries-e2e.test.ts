/**
 * A desk's writes when the line fails, end to end: the real server on a fresh SQLite data
 * directory, driven by Debian's Chromium through playwright-core, with the failures made by
 * playwright's route interception (the requests themselves reach the real server).
 *
 * - Filing a dispute at the desk (`POST /v1/volunteers/:id/disputes`): each kind, the form's own
 *   checks before sending, an API refusal in words, and a retry after a lost answer (the request
 *   reached the server, the browser saw the connection fail) plus a double click: one dispute.
 *   Missing hours name the organisation from a list of the registered ones, or typed.
 * - A certificate whose PDF download fails is not issued again when the clerk retries.
 * - A server that never answers: the request times out (4 s here, set in localStorage) with a
 *   sentence in Chinese, the form as it was, and the retry reuses the idempotency key: one record.
 *   Changed before the retry, the form gets the API's IDEMPOTENCY_KEY_REUSED, said as "the earlier
 *   submission was recorded, check the volunteer's history", the form kept. A timeout promises
 *   that nothing is done twice only where the retry reuses the key: not for a spend code, nor a read.
 *   The auditor's verify, a full scan, is given longer than that.
 * - A partner's redemption whose answer was lost, retried: the same request, answered as done;
 *   likewise an organiser's confirmation (the queue, dispute resolutions and a partner's capture or
 *   release keep their key per action the same way, `keysUntilDone`). A double click on 退回 in
 *   the queue rejects that record only: its second click, landing after the queue was redrawn,
 *   does not confirm the record that slid under the pointer.
 * - A volunteer setting a passphrase with an activation code whose answer was lost: the retry,
 *   refused as a used code, signs in with the passphrase that press set, instead of sending the
 *   volunteer back to the desk.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import {
  api,
  checkAccessibility,
  chromiumMissing,
  issueKey,
  openPage,
  seedHistory,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

/** The timeout the test sets (ms): short, so a hung request is reported within the test's steps. */
const TEST_TIMEOUT_MS = 4_000;

async function signInAsDesk(page: Page, url: string, key: string): Promise<void> {
  await signIn(page, url, { role: 'desk', key, scope: 'qiaoxi', heading: '查找志愿者' });
}

interface Dispute {
  readonly kind: string;
  readonly recordId: string | null;
  readonly text: string;
  readonly volunteerId: string;
}

t.test('a desk files disputes, and retried writes happen once', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-desk-retries-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  const issue = (role: string, kind: string, id: string): Promise<string> =>
    issueKey(server.url, adminKey, role, { kind, id });
  await api(server.url, adminKey, '/v1/admin/organisations', {
    organisationId: 'xinhua',
    name: '新华社工站',
    community: 'qiaoxi',
  });
  await api(server.url, adminKey, '/v1/admin/organisations', {
    organisationId: 'yuhua-care',
    name: '裕华关爱中心',
    community: 'yuhua',
  });
  const deskKey = await issue('desk', 'community', 'qiaoxi');
  const organiserKey = await issue('organiser', 'organisation', 'xinhua');
  const { volunteerId, recordIds, day } = await seedHistory({
    url: server.url,
    adminKey,
    registrarKey: deskKey,
    idSequence: 71,
    records: [
      ['陪伴独居老人', '09:00', '12:00'],
      ['社区图书角值守', '14:00', '16:00'],
    ],
  });
  // The queue is a read model: asked until it holds `count` disputes (or 5 s pass), then answered.
  const openDisputes = async (count: number): Promise<Dispute[]> => {
    for (let attempt = 0; ; attempt += 1) {
      const { disputes } = await api<{ disputes: Dispute[] }>(
        server.url,
        organiserKey,
        '/v1/organisations/xinhua/disputes',
      );
      if (disputes.length >= count || attempt === 50) return disputes;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const page = await openPage(browser);
  await signInAsDesk(page, server.url, deskKey);
  const card = `${server.url}/console#/desk/volunteers/${volunteerId}`;
  await page.goto(card);
  await page.getByRole('heading', { name: '志愿者卡片 · 王秀英' }).waitFor();

  await t.test('disputes of each kind, checked before sending, filed once', async (t) => {
    const filedRows = page.locator('#history tbody tr', { hasText: '登记异议' });
    await page.getByText('代志愿者提出异议').click();
    const submit = page.getByRole('button', { name: '提交异议' });
    const alert = page.locator('#dispute-form [role="alert"]');
    await submit.click();
    t.equal(await alert.textContent(), '请选择异议类型。', 'the kind is asked for first');
    await page.getByLabel('异议类型').selectOption({ label: '服务时间有误' });
    await submit.click();
    t.equal(await alert.textContent(), '请选择有误的服务记录。', 'wrong times name a record');
    const options = await page.getByLabel('有误的服务记录').locator('option').allTextContents();
    t.equal(options.length, 3, 'a choice of the two records (and the prompt)');
    t.match(options[1], /14:00.*社区图书角值守（xinhua）/, 'a record by its time, activity and organisation');
    await page.getByLabel('有误的服务记录').selectOption(recordIds[0] ?? '');
    await submit.click();
    t.equal(await alert.textContent(), '请填写志愿者的陈述。', "the volunteer's words are needed");
    await page.getByLabel('志愿者的陈述').fill('我那天十点才到，\n不是九点。');
    await checkAccessibility(t, page, 'desk-dispute');

    // The first attempt reaches the server, which files it, but the browser loses the answer.
    let attempts = 0;
    await page.route('**/v1/volunteers/*/disputes', async (route) => {
      attempts += 1;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await submit.click();
    t.equal(await alert.textContent(), '无法连接服务器，请检查网络后重试。', 'the lost answer, in words');
    t.equal(attempts, 1);
    t.equal(
      await page.getByLabel('志愿者的陈述').inputValue(),
      '我那天十点才到，\n不是九点。',
      'the form as it was',
    );
    await page.unroute('**/v1/volunteers/*/disputes');
    await submit.dblclick();
    await page.getByText('已提交异议，由组织 xinhua 核实处理。').waitFor();
    // The card read again: its history has the dispute just filed.
    await filedRows.nth(0).waitFor();
    // The volunteer's history is folded from the stream, so it has every dispute filed by now.
    const { events } = await api<{ events: { type: string; data: Dispute }[] }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}/history`,
    );
    const filed = events.filter((event) => event.type === 'DisputeFiled');
    t.equal(filed.length, 1, 'a retry and a double click filed one dispute');
    t.same(
      filed.map(({ data: { kind, recordId, text } }) => ({ kind, recordId, text })),
      [{ kind: 'wrong_times', recordId: recordIds[0], text: '我那天十点才到， 不是九点。' }],
      'the record, and the words on one line',
    );

    await page.getByText('代志愿者提出异议').click();
    await page.getByLabel('异议类型').selectOption({ label: '不是本人的记录' });
    await page.getByLabel('有误的服务记录').selectOption(recordIds[1] ?? '');
    await page.getByLabel('志愿者的陈述').fill('图书角值守不是我去的。');
    // A record gone from under the card (another desk's stale page): the API's refusal, in words.
    const chosen = page.locator('#dispute-record option:checked');
    await chosen.evaluate((option) => {
      (option as HTMLOptionElement).value = 'r-nobody';
    });
    await submit.click();
    t.equal(await alert.textContent(), '未找到该服务记录。', "the API's refusal, translated");
    t.equal(
      await page.getByLabel('志愿者的陈述').inputValue(),
      '图书角值守不是我去的。',
      'the form as it was',
    );
    await chosen.evaluate((option, id) => {
      (option as HTMLOptionElement).value = id;
    }, recordIds[1] ?? '');
    // The same key carries the corrected request: a refused one filed nothing.
    await submit.click();
    await page.getByText('已提交异议，由组织 xinhua 核实处理。').waitFor();
    await filedRows.nth(1).waitFor();

    await page.getByText('代志愿者提出异议').click();
    await page.getByLabel('异议类型').selectOption({ label: '漏记服务时长' });
    t.ok(await page.getByLabel('有误的服务记录').isHidden(), 'missing hours name no record');
    const picker = page.getByLabel('活动组织方', { exact: true });
    const typed = page.getByLabel('活动组织方的组织编号');
    // The registered organisations, read for the desk: its own community's first, then the others.
    await picker.locator('option', { hasText: '裕华关爱中心' }).waitFor({ state: 'attached' });
    t.same(
      await picker.locator('option').allTextContents(),
      [
        '请选择组织',
        '新华社工站（xinhua）',
        '裕华关爱中心（yuhua-care）',
        '本社区（qiaoxi）',
        '其他组织或社区（填写编号）',
      ],
      'a choice of the registered organisations, the community, or an id typed',
    );
    t.ok(await typed.isHidden(), 'no id to type unless chosen');
    await page.getByLabel('志愿者的陈述').fill('上周六的义诊没有记上。');
    await submit.click();
    t.equal(await alert.textContent(), '漏记服务时长时请选择活动组织方。');
    // Not every body that organises service is listed (a community the hierarchy holds), so an id may be typed.
    await picker.selectOption({ label: '其他组织或社区（填写编号）' });
    await submit.click();
    t.equal(await alert.textContent(), '请填写活动组织方的组织或社区编号。');
    await typed.fill('新华 社工');
    await submit.click();
    t.match(await alert.textContent(), /^组织编号只能包含字母、数字/, 'an id the API would refuse');
    await typed.fill('nowhere');
    await submit.click();
    t.equal(await alert.textContent(), '未找到该组织。', 'a typed id is sent, and an unknown one refused');
    await checkAccessibility(t, page, 'desk-dispute-organisation');
    await picker.selectOption({ label: '新华社工站（xinhua）' });
    t.ok(await typed.isHidden(), 'an organisation picked: nothing to type');
    await submit.click();
    await page.getByText('已提交异议，由组织 xinhua 核实处理。').waitFor();
    await filedRows.nth(2).waitFor();

    const disputes = await openDisputes(3);
    t.same(
      disputes.map(({ kind, recordId }) => ({ kind, recordId })),
      [
        { kind: 'wrong_times', recordId: recordIds[0] },
        { kind: 'not_mine', recordId: recordIds[1] },
        { kind: 'missing_hours', recordId: null },
      ],
      'three disputes, one of each kind',
    );
    t.ok(
      (await page.locator('#history tbody tr', { hasText: '登记异议' }).count()) === 3,
      'the card shows the three in its history',
    );
    t.equal(
      await page
        .locator('#history tbody tr', { hasText: '登记异议' })
        .first()
        .locator('td')
        .nth(2)
        .textContent(),
      '漏记服务时长：“上周六的义诊没有记上。”',
      "each by its kind and the volunteer's words",
    );
  });

  await t.test('a certificate whose PDF failed is printed on retry, not issued again', async (t) => {
    await page.getByText('出具新的服务证明').click();
    await page.getByLabel('出具单位').fill('桥西区新华社工站');
    await page.getByLabel('负责人').fill('李主任');
    await page.getByLabel('经办人').fill('张经办');
    await page.getByLabel('联系方式').fill('0311-5550000');
    let pdfs = 0;
    await page.route('**/certificates/*.pdf', async (route) => {
      pdfs += 1;
      if (pdfs === 1) await route.abort('connectionreset');
      else await route.continue();
    });
    await page.getByRole('button', { name: '出具并打印' }).click();
    const failed = await page.locator('#certificate-form [role="alert"]').textContent();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '出具并打印' }).click();
    const number = (await download).suggestedFilename().replace(/\.pdf$/, '');
    const { certificates } = await api<{ certificates: { certificateNumber: string }[] }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}/certificates`,
    );
    t.same(
      certificates.map((certificate) => certificate.certificateNumber),
      [number],
      'one certificate issued, the one the retry printed',
    );
    t.equal(
      failed,
      `已出具服务证明 ${number}，但打印文件未能下载：无法连接服务器，请检查网络后重试。 请再按“出具并打印”重试（不会重复出具）。`,
      'the failure said, with the certificate issued',
    );
    await page.getByText(`已出具服务证明 ${number}。`).waitFor();
    await page.unroute('**/certificates/*.pdf');
  });

  await t.test('a server that never answers: a timeout in words, and a retry records once', async (t) => {
    // Read at every request, so it holds from the next one on.
    await page.evaluate((timeoutMs) => {
      localStorage.setItem('timebank.console.requestTimeoutMs', String(timeoutMs));
    }, TEST_TIMEOUT_MS);
    await page.getByRole('link', { name: '记录服务' }).click();
    await page.getByRole('heading', { name: '记录服务时长' }).waitFor();
    await page.getByLabel('服务内容').fill('社区义诊');
    await page.getByLabel('服务日期').fill(day);
    await page.getByLabel('开始时间').fill('07:00');
    await page.getByLabel('结束时间').fill('08:30');
    // The request reaches the server, which records the service; its answer never comes.
    await page.route('**/service-records', async (route) => {
      await route.fetch();
    });
    const started = Date.now();
    await page.getByRole('button', { name: '提交记录' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    t.equal(
      await alert.textContent(),
      '服务器 4 秒内没有响应，操作可能尚未完成。已填写的内容仍保留，请稍后再按一次重试（不会重复办理）。',
      'the timeout, in words',
    );
    t.ok(Date.now() - started < TEST_TIMEOUT_MS + 5_000, 'reported at the timeout');
    t.equal(await page.getByLabel('服务内容').inputValue(), '社区义诊', 'the form as it was');
    t.equal(await page.getByLabel('结束时间').inputValue(), '08:30');
    t.ok(await page.getByRole('button', { name: '提交记录' }).isEnabled(), 'ready to retry');
    await page.unroute('**/service-records');

    // The clerk changes the form before retrying: the same key now carries another request, which
    // the API refuses (IDEMPOTENCY_KEY_REUSED) because the first one was recorded. The screen says
    // so, and where to look, instead of "the operation id was used": nothing more is recorded.
    await page.getByLabel('结束时间').fill('09:00');
    await page.getByRole('button', { name: '提交记录' }).click();
    t.equal(
      await alert.textContent(),
      '之前那次没有收到答复的提交其实已经办理成功，之后修改的内容没有提交。请先查看已办理的结果，例如志愿者卡片上的历史记录：无误则不必再提交；如需更改，请在该记录上更正，或重新打开本页面另行办理。',
      'the earlier submission went through, in words, with where to check it',
    );
    t.equal(await page.getByLabel('结束时间').inputValue(), '09:00', 'the form as the clerk changed it');
    t.equal(await page.getByLabel('服务内容').inputValue(), '社区义诊');
    const { events } = await api<{ events: { type: string; data: { activity?: string; endAt?: string } }[] }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}/history`,
    );
    t.same(
      events
        .filter((event) => event.type === 'ServiceHoursRecorded' && event.data.activity === '社区义诊')
        .map((event) => event.data.endAt),
      [new Date(`${day}T08:30:00+08:00`).toISOString()],
      'one record, as first submitted',
    );

    // Put back as first sent, the retry is the same request: answered with what it recorded.
    await page.getByLabel('结束时间').fill('08:30');
    await page.getByRole('button', { name: '提交记录' }).click();
    await page.getByText('已记录 1.5 小时服务，待组织确认。').waitFor();
    t.equal(
      await page.locator('[data-figure="card.pendingHours"]').textContent(),
      '1.5 小时',
      'the retry recorded the service once',
    );

    // A spend code is a new code on every press, its key new each time: a timeout promises
    // nothing about a retry, as it does for a read.
    await page.route('**/spend-codes', () => undefined);
    await page.locator('#generate-spend-code').click();
    const codeAlert = page
      .locator('.actions', { has: page.locator('#generate-spend-code') })
      .getByRole('alert');
    await codeAlert.waitFor();
    t.equal(
      await codeAlert.textContent(),
      '服务器 4 秒内没有响应，请稍后再试。',
      'a code not generated in time: no promise about retrying',
    );
    await page.unroute('**/spend-codes');

    // A read that never answers says so as well, instead of a screen waiting for ever.
    await page.route('**/v1/volunteers/*/history', () => undefined);
    await page.reload();
    t.equal(
      await page.getByRole('alert').textContent(),
      '服务器 4 秒内没有响应，请稍后再试。',
      'a hung read, in words, without a promise about a retry',
    );
    await page.unroute('**/v1/volunteers/*/history');
  });

  await t.test("a partner's redemption whose answer was lost is retried, not refused", async (t) => {
    await api(server.url, adminKey, '/v1/admin/partners', {
      partnerId: 'canteen',
      name: '社区食堂',
      community: 'qiaoxi',
    });
    const partnerKey = await issue('partner', 'partner', 'canteen');
    await api(server.url, partnerKey, '/v1/partners/canteen/offers', {
      offerId: 'lunch',
      title: '爱心午餐',
      priceCentipoints: 100,
    });
    const { spendCode } = await api<{ spendCode: string }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}/spend-codes`,
      {},
    );
    const partner = await openPage(browser);
    await partner.goto(`${server.url}/console#/sign-in`);
    await partner.getByLabel('角色').selectOption('partner');
    await partner.getByLabel('商户编号').fill('canteen');
    await partner.getByLabel('API 密钥').fill(partnerKey);
    await partner.getByRole('button', { name: '登录' }).click();
    await partner.getByRole('heading', { name: '积分兑换' }).waitFor();
    await partner.getByLabel('消费码').fill(spendCode);
    // The redemption reaches the server, which makes it; the browser loses the answer.
    await partner.route('**/v1/partners/canteen/redemptions', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    await partner.getByRole('button', { name: '提交' }).click();
    t.equal(await partner.getByRole('alert').textContent(), '无法连接服务器，请检查网络后重试。');
    await partner.unroute('**/v1/partners/canteen/redemptions');
    await partner.getByRole('button', { name: '提交' }).click();
    await partner.getByText('兑换成功：1 分').waitFor();
    const summary = await api<{ availableCentipoints: number }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}`,
    );
    t.equal(summary.availableCentipoints, 400, 'one point redeemed, once: 5 earned - 1');
    await partner.context().close();
  });

  await t.test("an organiser's confirmation whose answer was lost is retried, not refused", async (t) => {
    const { recordId } = await api<{ recordId: string }>(
      server.url,
      organiserKey,
      `/v1/volunteers/${volunteerId}/service-records`,
      {
        activity: '垃圾分类宣传',
        organisationId: 'xinhua',
        startAt: new Date(`${day}T19:00:00+08:00`).toISOString(),
        endAt: new Date(`${day}T20:00:00+08:00`).toISOString(),
      },
    );
    const before = await api<{ confirmedMinutes: number }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}`,
    );
    const organiser = await openPage(browser);
    await organiser.goto(`${server.url}/console#/sign-in`);
    await organiser.getByLabel('角色').selectOption('organiser');
    await organiser.getByLabel('组织编号').fill('xinhua');
    await organiser.getByLabel('API 密钥').fill(organiserKey);
    await organiser.getByRole('button', { name: '登录' }).click();
    await organiser.getByRole('heading', { name: '待确认的服务记录' }).waitFor();
    const row = organiser.locator('#queue tbody tr', { hasText: '垃圾分类宣传' });
    // The confirmation reaches the server, which makes it; the browser loses the answer. With a new
    // key the retry was a second confirmation, refused as "not pending" although the first held.
    const confirmPath = `**/service-records/${recordId}/confirm`;
    await organiser.route(confirmPath, async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    await row.getByRole('button', { name: '确认' }).click();
    t.equal(await organiser.getByRole('alert').textContent(), '无法连接服务器，请检查网络后重试。');
    await organiser.unroute(confirmPath);
    await row.getByRole('button', { name: '确认' }).click();
    await organiser.getByText('已确认：垃圾分类宣传').waitFor();
    const after = await api<{ confirmedMinutes: number }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}`,
    );
    t.equal(after.confirmedMinutes, before.confirmedMinutes + 60, 'the hour is confirmed');
    await organiser.context().close();
  });

  await t.test("a double click decides one record, never the next one's", async (t) => {
    // Two pending records of the volunteer, listed in service order: the one to reject first.
    const record = async (activity: string, from: string, to: string): Promise<string> =>
      (
        await api<{ recordId: string }>(
          server.url,
          organiserKey,
          `/v1/volunteers/${volunteerId}/service-records`,
          {
            activity,
            organisationId: 'xinhua',
            startAt: new Date(`${day}T${from}:00+08:00`).toISOString(),
            endAt: new Date(`${day}T${to}:00+08:00`).toISOString(),
          },
        )
      ).recordId;
    const kept = await record('读报给老人听', '18:00', '19:00');
    const rejected = await record('打扫楼道', '17:00', '17:30');
    const organiser = await openPage(browser);
    await organiser.goto(`${server.url}/console#/sign-in`);
    await organiser.getByLabel('角色').selectOption('organiser');
    await organiser.getByLabel('组织编号').fill('xinhua');
    await organiser.getByLabel('API 密钥').fill(organiserKey);
    await organiser.getByRole('button', { name: '登录' }).click();
    await organiser.getByRole('heading', { name: '待确认的服务记录' }).waitFor();
    const rows = organiser.locator('#queue tbody tr');
    const target = rows.filter({ hasText: '打扫楼道' });
    t.match(
      await target.locator('xpath=following-sibling::tr[1]').textContent(),
      /读报给老人听/,
      'the other record is listed next',
    );
    await target.getByLabel('退回理由').fill('时间记错了');
    // A double click whose second click comes after the queue was redrawn (a fast answer): the
    // notice pushes the next record's 确认 under the pointer.
    const box = await target.getByRole('button', { name: '退回' }).boundingBox();
    if (box === null) throw new Error('no reject button');
    await organiser.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await organiser.mouse.down({ clickCount: 1 });
    await organiser.mouse.up({ clickCount: 1 });
    await organiser.getByText('已退回：打扫楼道').waitFor();
    await organiser.mouse.down({ clickCount: 2 });
    await organiser.mouse.up({ clickCount: 2 });
    await organiser.waitForTimeout(500);
    const history = await api<{ events: { type: string; data: { recordId?: string } }[] }>(
      server.url,
      deskKey,
      `/v1/volunteers/${volunteerId}/history`,
    );
    const decided = history.events
      .filter((event) => event.type === 'ServiceHoursConfirmed' || event.type === 'ServiceHoursRejected')
      .filter((event) => event.data.recordId === kept || event.data.recordId === rejected)
      .map((event) => [event.type, event.data.recordId === kept ? 'kept' : 'rejected']);
    t.same(decided, [['ServiceHoursRejected', 'rejected']], 'one record rejected, the other still pending');
    t.equal(
      await rows.filter({ hasText: '读报给老人听' }).count(),
      1,
      'the other record is still in the queue',
    );
    await organiser.context().close();
  });

  await t.test(
    'a volunteer whose passphrase was set but the answer lost is signed in on retry',
    async (t) => {
      /** A fresh code from the desk, typed on a phone whose press sets `passphrase` and loses the answer. */
      const activateLosingTheAnswer = async (volunteerNumber: string, passphrase: string): Promise<Page> => {
        const { activationCode } = await api<{ activationCode: string }>(
          server.url,
          deskKey,
          `/v1/volunteers/${volunteerId}/activation-codes`,
          {},
        );
        const page = await openPage(browser, { viewport: { width: 375, height: 700 } });
        await page.goto(`${server.url}/console#/volunteer/activate`);
        await page.getByLabel('志愿者编号').fill(volunteerNumber);
        await page.getByLabel('激活码').fill(activationCode);
        await page.getByLabel('新密码', { exact: true }).fill(passphrase);
        await page.getByLabel('再次输入新密码').fill(passphrase);
        await page.route('**/v1/volunteer-sessions/activate', async (route) => {
          await route.fetch();
          await route.abort('connectionreset');
        });
        await page.getByRole('button', { name: '设置密码并登录' }).click();
        return page;
      };
      const { volunteerNumber } = await api<{ volunteerNumber: string }>(
        server.url,
        deskKey,
        `/v1/volunteers/${volunteerId}`,
      );
      // The passphrase is set and the code used; the phone loses the answer. Setting a passphrase
      // records no response (docs/api.md), so the retry's code is refused as used: that refusal
      // sent the volunteer back to the desk for a code although the passphrase was already theirs.
      const phone = await activateLosingTheAnswer(volunteerNumber, '老槐树下的那个小院子');
      t.equal(await phone.getByRole('alert').textContent(), '无法连接服务器，请检查网络后重试。');
      await phone.unroute('**/v1/volunteer-sessions/activate');
      await phone.getByRole('button', { name: '设置密码并登录' }).click();
      await phone.getByText('密码已设置，您已登录。').waitFor();
      await phone.getByRole('heading', { name: '王秀英，您好' }).waitFor();
      t.pass('the retry lands on the volunteer’s home, signed in');
      await phone.context().close();

      // A retry with a passphrase that the lost press did not set is still refused, in words.
      const other = await activateLosingTheAnswer(volunteerNumber, '另一句很长的新密码啊');
      await other.getByRole('alert').waitFor();
      await other.unroute('**/v1/volunteer-sessions/activate');
      await other.getByLabel('新密码', { exact: true }).fill('第三句完全不同的密码');
      await other.getByLabel('再次输入新密码').fill('第三句完全不同的密码');
      await other.getByRole('button', { name: '设置密码并登录' }).click();
      await other.getByText('激活码无效、已使用或已过期，请到服务台重新领取。').waitFor();
      t.pass('a changed passphrase after a lost answer is refused as the code was');
      await other.context().close();
    },
  );

  await t.test("the auditor's verify, a full scan, is given longer than other requests", async (t) => {
    const { key: auditorKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
      role: 'auditor',
      scope: { kind: 'all' },
      label: 'auditor',
    });
    const auditor = await openPage(browser);
    await auditor.goto(`${server.url}/console#/audit`);
    await auditor.evaluate(() => localStorage.setItem('timebank.console.requestTimeoutMs', '1000'));
    await auditor.getByLabel('角色').selectOption('auditor');
    await auditor.getByLabel('API 密钥').fill(auditorKey);
    await auditor.getByRole('button', { name: '登录' }).click();
    await auditor.getByRole('heading', { name: '审计核验' }).waitFor();
    // A ledger big enough to take a while: the answer is held back past the 1-s limit.
    await auditor.route('**/v1/audit/verify', async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await route.fulfill({ response });
    });
    await auditor.getByRole('button', { name: '运行核验' }).click();
    await auditor.locator('#verify-result').waitFor();
    t.equal(await auditor.locator('#verify-result [role="status"]').textContent(), '核验通过：未发现问题');
    await auditor.context().close();
  });
});
