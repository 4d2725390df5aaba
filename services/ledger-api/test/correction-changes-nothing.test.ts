/**
 * A correction must change something. Until this release a correction that named no new value,
 * or repeated the record's own activity, organisation, start and end, was accepted: the record
 * was closed as `corrected`, an identical replacement took its place, and every certificate
 * covering it verified as `amended` (`valid: false`) although nothing about the service changed.
 * Now it is `422 CORRECTION_CHANGES_NOTHING` (a dispute resolved that way:
 * `DISPUTE_OUTCOME_NOT_APPLICABLE`), nothing is written and the certificate stays valid.
 */
import t from 'tap';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const ISSUER = {
  organisationName: 'Qiaoxi Volunteer Service Station',
  personInCharge: 'Zhang Min',
  handler: 'Wang Fang',
  contact: '0311-5550000',
};

async function confirmedRecord(w: World, volunteerId: string, startAt: string, endAt: string) {
  const url = `/v1/volunteers/${volunteerId}/service-records`;
  const recorded = await w.post(url, w.organiser, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt,
    endAt,
  });
  const { recordId } = recorded.json<{ recordId: string }>();
  t.equal((await w.post(`${url}/${recordId}/confirm`, w.organiser, {})).statusCode, 200);
  return recordId;
}

async function verification(w: World, certificateNumber: string) {
  const answer = await w.app.inject({
    method: 'GET',
    url: `/v1/certificates/${certificateNumber}/verification`,
  });
  return answer.json<{ valid: boolean; status: string }>();
}

t.test('a correction that changes nothing is refused and leaves certificates valid', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(1);
  const startAt = hoursAgo(52);
  const endAt = hoursAgo(50);
  const recordId = await confirmedRecord(w, volunteerId, startAt, endAt);
  const issued = await w.post(`/v1/volunteers/${volunteerId}/certificates`, w.desk, { issuer: ISSUER });
  t.equal(issued.statusCode, 201);
  const { certificateNumber } = issued.json<{ certificateNumber: string }>();
  const head = await w.store.headPosition();
  const correct = `/v1/volunteers/${volunteerId}/service-records/${recordId}/correct`;

  const bodies = [
    { reasonCode: 'wrong_time' },
    { reasonCode: 'wrong_time', startAt, endAt },
    // The same instants written without milliseconds are the same times.
    { reasonCode: 'wrong_duration', endAt: endAt.replace('.000Z', 'Z') },
    { reasonCode: 'wrong_activity', activity: 'Reading to elders', organisationId: 'org1' },
  ];
  for (const body of bodies) {
    const refused = await w.post(correct, w.organiser, body);
    t.equal(refused.statusCode, 422, JSON.stringify(body));
    t.equal(problemOf(t, refused).code, 'CORRECTION_CHANGES_NOTHING');
  }
  t.equal(await w.store.headPosition(), head, 'nothing was written');
  t.match(await verification(w, certificateNumber), { valid: true, status: 'valid' });
  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk);
  t.notMatch(history.body, /ServiceRecordCorrected/);

  const real = await w.post(correct, w.organiser, { reasonCode: 'wrong_duration', endAt: hoursAgo(51) });
  t.equal(real.statusCode, 200, 'a correction that changes a time goes through as before');
  t.match(await verification(w, certificateNumber), { valid: false, status: 'amended' });
});

t.test('a dispute resolved by a correction that changes nothing is not applicable', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(2);
  const startAt = hoursAgo(30);
  const endAt = hoursAgo(29);
  const recordId = await confirmedRecord(w, volunteerId, startAt, endAt);
  const filed = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, {
    kind: 'wrong_times',
    recordId,
    text: 'I left at noon',
  });
  t.equal(filed.statusCode, 201);
  const { disputeId } = filed.json<{ disputeId: string }>();
  const head = await w.store.headPosition();
  const resolved = await w.post(`/v1/volunteers/${volunteerId}/disputes/${disputeId}/resolve`, w.organiser, {
    outcome: 'corrected',
    reason: 'checked the sign-in sheet',
    startAt,
    endAt,
  });
  t.equal(resolved.statusCode, 422);
  t.equal(problemOf(t, resolved).code, 'DISPUTE_OUTCOME_NOT_APPLICABLE');
  t.equal(await w.store.headPosition(), head, 'nothing was written');
});
