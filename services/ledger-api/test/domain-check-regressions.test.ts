/**
 * Domain checks that let bad input through and wrote it, each pinned over HTTP with "nothing was
 * appended":
 * - a training or commendation dated before the volunteer was born was recorded (201) and printed
 *   on certificates; now 422 RECORD_DATE_BEFORE_BIRTH;
 * - a missing-hours dispute naming an organisation nobody registered was filed (201) into a queue
 *   no organiser could ever see; now 404 ORGANISATION_NOT_FOUND;
 * - an offer priced above any balance a volunteer can hold (the points policy's balance cap) was
 *   published (201), and every hold of it failed for ever; now 400 INVALID_COMMAND naming the field.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a training or commendation dated before the volunteer was born is refused', async (t) => {
  const w = await startWorld(t);
  // Seed 5150: born on 1960-01-06 (fixtures.ts, nationalIdNumber).
  const volunteerId = await w.registerVolunteer(5150);
  const before = await w.store.headPosition();
  const training = await w.post(`/v1/volunteers/${volunteerId}/trainings`, w.desk, {
    title: '急救知识培训',
    provider: '石家庄市红十字会',
    completedOn: '1960-01-05',
    durationMinutes: 90,
  });
  t.equal(training.statusCode, 422, training.body);
  t.equal(problemOf(t, training).code, 'RECORD_DATE_BEFORE_BIRTH');
  t.notMatch(training.body, /1960-01-06/, 'the refusal does not disclose the birth date');
  const commendation = await w.post(`/v1/volunteers/${volunteerId}/commendations`, w.admin, {
    title: '优秀志愿者',
    awardedBy: '长安区民政局',
    awardedOn: '1906-10-01',
  });
  t.equal(commendation.statusCode, 422, commendation.body);
  t.equal(problemOf(t, commendation).code, 'RECORD_DATE_BEFORE_BIRTH');
  t.equal(await w.store.headPosition(), before, 'nothing was appended');

  const onBirthday = await w.post(`/v1/volunteers/${volunteerId}/commendations`, w.desk, {
    title: '新生儿健康宝宝',
    awardedBy: '长安区妇幼保健院',
    awardedOn: '1960-01-06',
  });
  t.equal(onBirthday.statusCode, 201, `the birth day itself is possible: ${onBirthday.body}`);
});

t.test('a missing-hours dispute must name a registered organisation or a community', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(5151);
  const before = await w.store.headPosition();
  const unknown = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, {
    kind: 'missing_hours',
    organisationId: 'no-such-org',
    text: 'the Sunday clean-up was never recorded',
  });
  t.equal(unknown.statusCode, 404, unknown.body);
  t.equal(problemOf(t, unknown).code, 'ORGANISATION_NOT_FOUND');
  t.equal(await w.store.headPosition(), before, 'nothing was appended');

  for (const organisationId of ['org1', 'c1']) {
    const filed = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, {
      kind: 'missing_hours',
      organisationId,
      text: 'the Sunday clean-up was never recorded',
    });
    t.equal(filed.statusCode, 201, `${organisationId}: ${filed.body}`);
  }
  // Community c2 is not the volunteer's: it counts once the hierarchy holds it.
  const otherCommunity = { kind: 'missing_hours', organisationId: 'c2', text: 'the c2 fair' };
  const before2 = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, otherCommunity);
  t.equal(before2.statusCode, 404, before2.body);
  await w.registerHierarchy();
  const after = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, otherCommunity);
  t.equal(after.statusCode, 201, after.body);
});

t.test('an offer priced above the balance cap of the points policy is refused', async (t) => {
  const w = await startWorld(t);
  const before = await w.store.headPosition();
  const tooDear = await w.post('/v1/partners/p1/offers', w.partner, {
    offerId: 'massage',
    title: 'A massage',
    priceCentipoints: 150_001,
  });
  t.equal(tooDear.statusCode, 400, tooDear.body);
  t.equal(problemOf(t, tooDear).code, 'INVALID_COMMAND');
  t.match(problemOf(t, tooDear).detail, /priceCentipoints/, 'the refusal names the field');
  t.match(problemOf(t, tooDear).detail, /150000/, 'and the cap');
  t.match(
    tooDear.json(),
    { errors: [{ field: 'body.priceCentipoints', message: /balance cap of the points policy \(150000\)/ }] },
    'in errors[] too, where a form finds the input to name',
  );
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
  const atCap = await w.post('/v1/partners/p1/offers', w.partner, {
    offerId: 'massage',
    title: 'A massage',
    priceCentipoints: 150_000,
  });
  t.equal(atCap.statusCode, 201, `the cap itself can be paid: ${atCap.body}`);
});
