/**
 * Deactivating a volunteer over HTTP: the desk of their community records why; afterwards no new
 * service, spend codes, mandates or holds, while the history stays readable.
 */
import t from 'tap';
import { hoursAgo, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a deactivated volunteer earns and spends nothing more; their history stays', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(8001);
  await w.earn(volunteerId, 2, 30);
  await w.grantMandate(volunteerId);

  const elsewhere = await w.post(`/v1/volunteers/${volunteerId}/deactivate`, w.otherDesk, {
    reason: 'moved',
  });
  t.equal(elsewhere.statusCode, 403, "another community's desk cannot deactivate the volunteer");
  const noReason = await w.post(`/v1/volunteers/${volunteerId}/deactivate`, w.desk, {});
  t.equal(problemOf(t, noReason).code, 'VALIDATION_FAILED', 'a reason is required');

  const deactivated = await w.post(`/v1/volunteers/${volunteerId}/deactivate`, w.desk, {
    reason: 'moved away',
  });
  t.equal(deactivated.statusCode, 200, { body: deactivated.body });
  t.match(deactivated.json(), { volunteerId, deactivatedAt: String });
  const again = await w.post(`/v1/volunteers/${volunteerId}/deactivate`, w.desk, { reason: 'again' });
  t.equal(problemOf(t, again).code, 'VOLUNTEER_INACTIVE');

  const summary = await w.get(`/v1/volunteers/${volunteerId}`, w.desk);
  t.match(summary.json(), { status: 'inactive', confirmedMinutes: 120, availableCentipoints: 200 });

  const service = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.desk, {
    activity: 'Reading to elders',
    organisationId: 'c1',
    startAt: hoursAgo(5),
    endAt: hoursAgo(4),
  });
  t.equal(problemOf(t, service).code, 'VOLUNTEER_INACTIVE', 'no new service');
  const held = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(problemOf(t, held).code, 'VOLUNTEER_INACTIVE', 'no new holds, even under a mandate');
  const code = await w.post(`/v1/volunteers/${volunteerId}/spend-codes`, w.desk, {});
  t.equal(problemOf(t, code).code, 'VOLUNTEER_INACTIVE', 'no spend codes');
  const mandate = await w.post(`/v1/volunteers/${volunteerId}/mandates`, w.desk, {
    partnerId: 'p2',
    monthlyCapCentipoints: 100,
  });
  t.equal(problemOf(t, mandate).code, 'VOLUNTEER_INACTIVE', 'no new mandates');
  const revoked = await w.post(`/v1/volunteers/${volunteerId}/mandates/p1/revoke`, w.desk, {});
  t.equal(revoked.statusCode, 200, 'withdrawing consent stays possible');

  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk);
  t.match(history.body, /VolunteerDeactivated/, 'the deactivation is in the history');
});
