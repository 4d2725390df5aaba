/**
 * The organiser's open-disputes screen end to end: the real server on a fresh SQLite data
 * directory, driven by Debian's Chromium through playwright-core. Set up through the API: an
 * organisation, a volunteer with three confirmed records and a dispute filed by the desk on each.
 * The organiser signs in, sees the disputes in Chinese (the volunteer's words, the record), is
 * told a reason is needed, dismisses one with a note, voids the second's record and corrects the
 * third's times; the queue is read again at each write's position, and at the end shows no open
 * dispute while the API lists the three as resolved. axe-core checks the screen for serious or critical issues.
 *
 * Needs /usr/bin/chromium (skipped with a reason without it, except under CI=true).
 * With CONSOLE_SCREENSHOT_DIR set, saves the screen there (docs/img is made this way).
 */
import t from 'tap';
import {
  api,
  checkAccessibility,
  chromiumMissing,
  issueKey,
  openPage,
  type SeededHistory,
  seedHistory,
  signIn,
  startConsoleWorld,
} from './e2e-helpers.js';

/** A volunteer of qiaoxi, three confirmed records yesterday, a dispute filed by the desk on each. */
async function seed(url: string, adminKey: string, deskKey: string): Promise<SeededHistory> {
  const seeded = await seedHistory({
    url,
    adminKey,
    registrarKey: deskKey,
    idSequence: 21,
    records: [
      ['陪伴独居老人', '09:00', '12:00'],
      ['社区图书角值守', '14:00', '16:00'],
      ['晚间巡逻', '18:00', '20:00'],
    ],
  });
  const { volunteerId, recordIds } = seeded;
  await api(url, deskKey, `/v1/volunteers/${volunteerId}/disputes`, {
    kind: 'wrong_times',
    recordId: recordIds[0],
    text: '我那天十点才到，不是九点。',
  });
  await api(url, deskKey, `/v1/volunteers/${volunteerId}/disputes`, {
    kind: 'not_mine',
    recordId: recordIds[1],
    text: '这次图书角值守不是我去的。',
  });
  await api(url, deskKey, `/v1/volunteers/${volunteerId}/disputes`, {
    kind: 'wrong_times',
    recordId: recordIds[2],
    text: '巡逻是六点半开始的。',
  });
  return seeded;
}

t.test('an organiser resolves its open disputes in the console', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-disputes-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  const issue = (role: string, kind: string, id: string): Promise<string> =>
    issueKey(server.url, adminKey, role, { kind, id });
  await api(server.url, adminKey, '/v1/admin/organisations', {
    organisationId: 'xinhua',
    name: '新华社工站',
    community: 'qiaoxi',
  });
  const deskKey = await issue('desk', 'community', 'qiaoxi');
  const organiserKey = await issue('organiser', 'organisation', 'xinhua');
  const { volunteerNumber, recordIds, day } = await seed(server.url, adminKey, deskKey);

  const page = await openPage(browser);

  await signIn(page, server.url, {
    role: 'organiser',
    key: organiserKey,
    scope: 'xinhua',
    scopeLabel: '组织编号',
    heading: '待确认的服务记录',
  });
  await page.getByRole('link', { name: '待处理的异议' }).click();
  await page.getByRole('heading', { name: '待处理的异议' }).waitFor();

  const rows = page.locator('#disputes tbody tr');
  t.equal(await rows.count(), 3, 'the three open disputes are listed, oldest first');
  const first = await rows.nth(0).locator('td').allTextContents();
  t.equal(first[1], volunteerNumber, 'the volunteer, by the number the desk issued');
  t.equal(first[2], `服务时间有误${recordIds[0]}`, 'the kind and the record');
  t.equal(first[3], '我那天十点才到，不是九点。', "the volunteer's words");
  t.equal(await page.locator('#disputes caption').textContent(), '共 3 条待处理');
  await checkAccessibility(t, page, 'organiser-disputes');

  await rows.nth(0).getByRole('button', { name: '驳回' }).click();
  t.equal(await page.getByRole('alert').textContent(), '处理前请填写理由。', 'a reason is needed');
  await rows.nth(0).getByLabel('处理理由').fill('签到表显示九点到岗。');
  await rows.nth(0).getByRole('button', { name: '驳回' }).click();
  await page.getByText(`已驳回志愿者 ${volunteerNumber} 的异议`).waitFor();
  t.equal(await rows.count(), 2, 'read again at the write: two open disputes left');
  t.equal((await rows.nth(0).locator('td').allTextContents())[3], '这次图书角值守不是我去的。');

  await rows.nth(0).getByLabel('处理理由').fill('核实后确非本人，作废。');
  await rows.nth(0).getByRole('button', { name: '作废记录' }).click();
  await page.getByText(`已作废记录（志愿者 ${volunteerNumber}）`).waitFor();
  t.equal(await rows.count(), 1, 'one open dispute left');
  t.equal((await rows.nth(0).locator('td').allTextContents())[3], '巡逻是六点半开始的。');

  await rows.nth(0).getByLabel('处理理由').fill('按签到表更正为 18:30 开始。');
  await rows.nth(0).getByRole('button', { name: '更正记录' }).click();
  t.equal(
    await page.getByRole('alert').textContent(),
    '更正前请填写新的开始和结束时间。',
    'a correction needs the new times',
  );
  await rows.nth(0).getByLabel('新的开始时间（北京时间）').fill(`${day}T18:30`);
  await rows.nth(0).getByLabel('新的结束时间（北京时间）').fill(`${day}T20:00`);
  await rows.nth(0).getByRole('button', { name: '更正记录' }).click();
  await page.getByText(`已更正记录（志愿者 ${volunteerNumber}）`).waitFor();
  t.equal(await page.locator('#disputes-empty').textContent(), '没有待处理的异议。', 'no open dispute');
  await checkAccessibility(t, page, 'organiser-disputes-empty');

  const resolved = await api<{ disputes: { outcome: string; resultingRecordId: string | null }[] }>(
    server.url,
    organiserKey,
    '/v1/organisations/xinhua/disputes?status=resolved',
  );
  t.same(
    resolved.disputes.map((dispute) => dispute.outcome).sort(),
    ['corrected', 'dismissed', 'voided'],
    'the API lists the three as resolved: dismissed, voided, corrected',
  );
  const corrected = resolved.disputes.find((dispute) => dispute.outcome === 'corrected');
  t.type(corrected?.resultingRecordId, 'string', 'the correction names the record it made');
  const { records } = await api<{ records: { recordId: string; startAt: string }[] }>(
    server.url,
    organiserKey,
    '/v1/organisations/xinhua/service-records',
  );
  const record = records.find((candidate) => candidate.recordId === corrected?.resultingRecordId);
  t.equal(
    record?.startAt,
    new Date(`${day}T18:30:00+08:00`).toISOString(),
    'the corrected record starts at 18:30, Asia/Shanghai',
  );
});
