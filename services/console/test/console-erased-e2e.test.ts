/**
 * After an erasure (PIPL Art. 47) the API answers `[erased]` in a volunteer's personal fields; the
 * console shows that in words on the desk's card and on the public verification page, never as
 * the token.
 */
import t from 'tap';
import { api, chromiumMissing, openPage, seedHistory, signIn, startConsoleWorld } from './e2e-helpers.js';

const ERASED_WORDS = '（个人信息已删除）';

t.test('an erased volunteer reads as erased, in words', { skip: chromiumMissing }, async (t) => {
  const world = await startConsoleWorld(t, 'console-erased-e2e');
  if (world === undefined) return;
  const { server, adminKey, browser } = world;
  await api(server.url, adminKey, '/v1/admin/organisations', {
    organisationId: 'xinhua',
    name: '新华社工站',
    community: 'qiaoxi',
  });
  const { volunteerId, volunteerNumber } = await seedHistory({ url: server.url, adminKey, idSequence: 41 });
  const { certificateNumber } = await api<{ certificateNumber: string }>(
    server.url,
    adminKey,
    `/v1/volunteers/${volunteerId}/certificates`,
    {
      issuer: {
        organisationName: '新华社工站',
        personInCharge: '李建国',
        handler: '张敏',
        contact: '0311-86012345',
      },
    },
  );
  await api(
    server.url,
    adminKey,
    `/v1/admin/volunteers/${volunteerId}/erasure`,
    { reason: 'consent_withdrawn' },
    200,
  );
  const { key: deskKey } = await api<{ key: string }>(server.url, adminKey, '/v1/admin/api-keys', {
    role: 'desk',
    scope: { kind: 'community', id: 'qiaoxi' },
    label: 'desk qiaoxi',
  });

  const page = await openPage(browser);
  await signIn(page, server.url, { role: 'desk', key: deskKey, scope: 'qiaoxi', heading: '查找志愿者' });
  await page.getByLabel('志愿者编号').fill(volunteerNumber);
  await page.getByRole('button', { name: '查找' }).nth(1).click();
  await page.getByRole('heading', { name: `志愿者卡片 · ${ERASED_WORDS}` }).waitFor();
  t.equal(await page.locator('[data-figure="card.nationalId"]').textContent(), ERASED_WORDS);
  t.equal(await page.getByText('[erased]').count(), 0, 'the token is never shown on the card');

  await page.goto(`${server.url}/console/verify/${certificateNumber}`);
  await page.getByRole('heading', { name: '志愿服务证明核验' }).waitFor();
  await page.locator('[data-figure="verify.holder"]').waitFor();
  t.equal(await page.locator('[data-figure="verify.holder"]').textContent(), ERASED_WORDS);
  t.equal(await page.locator('[data-figure="verify.nationalId"]').textContent(), ERASED_WORDS);
  t.equal(await page.getByText('[erased]').count(), 0, 'nor on the verification page');
});
