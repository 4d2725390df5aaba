/**
 * Training and commendation records over HTTP: a desk records them, the desk, an administrator
 * and the volunteer read them, bad bodies are 400, and a certificate shows them only when asked
 * (`?include=training,commendations`), as they stood when it was issued, in JSON and in the PDF.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

const run = promisify(execFile);

const ISSUER = {
  organisationName: '桥西区志愿服务站',
  personInCharge: '张敏',
  handler: '王芳',
  contact: '0311-5550000',
};

t.test('a desk records training and commendations; certificates show them when asked', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(4242);
  await w.earn(volunteerId, 2, 30);

  const training = await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '2026-11-10',
    durationMinutes: 90,
  });
  t.equal(training.statusCode, 201, training.body);
  const { trainingId } = training.json<{ trainingId: string }>();
  const commendation = await w.post(`/v1/volunteers/${volunteerId}/commendations`, w.desk, {
    title: '优秀志愿者',
    awardedBy: '长安区民政局',
    awardedOn: '2026-11-20',
    source: { system: 'city_platform', recordId: 'cmd-77' },
  });
  t.equal(commendation.statusCode, 201, commendation.body);

  const badDate = await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '2026-02-30',
    durationMinutes: 90,
  });
  t.equal(badDate.statusCode, 400, 'an impossible date is refused');
  const tooLong = await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '2026-11-10',
    durationMinutes: 20_000,
  });
  t.equal(tooLong.statusCode, 400, 'a duration above the cap is refused');
  t.equal(
    (
      await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.otherDesk, {
        title: '急救知识培训',
        provider: '石家庄市红十字会',
        completedOn: '2026-11-10',
        durationMinutes: 90,
      })
    ).statusCode,
    403,
    "another community's desk may not record",
  );

  for (const key of [w.desk, w.admin, await w.signIn(volunteerId)]) {
    const records = await w.get(`/v1/volunteers/${volunteerId}/records`, key);
    t.equal(records.statusCode, 200, records.body);
    t.match(records.json(), {
      volunteerId,
      trainings: [
        {
          trainingId,
          title: '急救知识培训',
          provider: '石家庄市红十字会',
          durationMinutes: 90,
          source: null,
        },
      ],
      commendations: [
        {
          title: '优秀志愿者',
          awardedBy: '长安区民政局',
          source: { system: 'city_platform', recordId: 'cmd-77' },
        },
      ],
    });
  }

  const issued = await w.post(`/v1/volunteers/${volunteerId}/certificates`, w.desk, { issuer: ISSUER });
  t.equal(issued.statusCode, 201, issued.body);
  const { certificateNumber } = issued.json<{ certificateNumber: string }>();
  // Recorded after the issue: a reprint of the certificate must not show it.
  await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '后来的培训',
    provider: '石家庄市红十字会',
    completedOn: '2026-11-28',
    durationMinutes: 60,
  });

  const url = `/v1/volunteers/${volunteerId}/certificates/${certificateNumber}`;
  const plain = (await w.get(url, w.desk)).json<Record<string, unknown>>();
  t.notOk('trainings' in plain, 'by default a certificate shows service only');
  t.notOk('commendations' in plain);
  const both = await w.get(`${url}?include=training,commendations`, w.desk);
  t.equal(both.statusCode, 200, both.body);
  const view = both.json<{ trainings: { title: string }[]; commendations: { title: string }[] }>();
  t.same(
    view.trainings.map((item) => item.title),
    ['急救知识培训'],
    'the trainings on record at issue',
  );
  t.same(
    view.commendations.map((item) => item.title),
    ['优秀志愿者'],
  );
  const onlyTraining = (await w.get(`${url}?include=training`, w.desk)).json<Record<string, unknown>>();
  t.ok('trainings' in onlyTraining);
  t.notOk('commendations' in onlyTraining);
  const bogus = await w.get(`${url}?include=salary`, w.desk);
  t.equal(bogus.statusCode, 400);
  t.equal(problemOf(t, bogus).code, 'VALIDATION_FAILED');

  const pdf = await w.app.inject({
    method: 'GET',
    url: `${url}.pdf?include=training,commendations`,
    headers: w.headers(w.desk),
  });
  t.equal(pdf.statusCode, 200);
  const directory = await mkdtemp(join(tmpdir(), 'records-pdf-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  await writeFile(join(directory, 'c.pdf'), pdf.rawPayload);
  const text = (await run('pdftotext', ['-layout', join(directory, 'c.pdf'), '-'])).stdout;
  for (const expected of ['培训经历', '急救知识培训', '表彰奖励', '优秀志愿者', '长安区民政局'])
    t.ok(text.includes(expected), `the PDF shows ${expected}`);
  t.notOk(text.includes('后来的培训'), 'and not what was recorded after the issue');
  const plainPdf = await w.app.inject({
    method: 'GET',
    url: `${url}.pdf`,
    headers: w.headers(w.desk),
  });
  await writeFile(join(directory, 'p.pdf'), plainPdf.rawPayload);
  const plainText = (await run('pdftotext', ['-layout', join(directory, 'p.pdf'), '-'])).stdout;
  t.notOk(plainText.includes('培训经历'), 'without include the PDF is as before');
});
