/**
 * An organisation's service records and a community's statistics, asked for an id the ledger does
 * not know, are 404 with the domain's not-found code (ORGANISATION_NOT_FOUND,
 * COMMUNITY_NOT_REGISTERED), not an empty list or zero figures that read like a known one with
 * nothing in it. A known one with nothing in it is still 200 and empty; so is a desk's community
 * before the hierarchy holds it, and a community a desk organised service as.
 */
import t from 'tap';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

async function head(w: World): Promise<string> {
  return (await w.store.headPosition()).toString();
}

t.test(
  'service records of an unknown organisation are 404; of a known one, 200 even when empty',
  async (t) => {
    const w = await startWorld(t);
    const records = async (organisationId: string) =>
      w.get(`/v1/organisations/${organisationId}/service-records?minPosition=${await head(w)}`, w.admin);

    const unknown = await records('org9');
    t.equal(unknown.statusCode, 404, unknown.body);
    const problem = problemOf(t, unknown);
    t.equal(problem.code, 'ORGANISATION_NOT_FOUND');
    t.equal(problem.detail, 'no organisation or community org9');
    t.equal((await records('org9?status=pending')).statusCode, 404, 'with a filter too');

    const empty = await records('org2');
    t.equal(empty.statusCode, 200, empty.body);
    t.same(empty.json(), { records: [], nextCursor: null }, 'a registered organisation with no records');
    t.equal(
      (await w.get('/v1/organisations/org1/service-records', w.organiser)).statusCode,
      200,
      'its organiser',
    );

    // A desk organises service as its community, which the hierarchy does not hold yet.
    const volunteerId = await w.registerVolunteer(3);
    const recorded = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.desk, {
      activity: 'Reading to elders',
      organisationId: 'c1',
      startAt: hoursAgo(3),
      endAt: hoursAgo(2),
    });
    t.equal(recorded.statusCode, 201, recorded.body);
    const desks = await records('c1');
    t.equal(desks.statusCode, 200, desks.body);
    t.equal(desks.json<{ records: unknown[] }>().records.length, 1, "the desk's record");
    t.equal((await records('c2')).statusCode, 404, 'a community with no records, before the hierarchy');

    await w.registerHierarchy();
    const registered = await records('c2');
    t.equal(registered.statusCode, 200, 'a community the hierarchy holds, with no records');
    t.same(registered.json(), { records: [], nextCursor: null });
  },
);

t.test('statistics of an unknown community are 404; of a known one, 200 even when empty', async (t) => {
  const w = await startWorld(t);
  const statistics = async (community: string, key: string) =>
    w.get(`/v1/communities/${community}/statistics?minPosition=${await head(w)}`, key);

  await w.registerVolunteer(4);
  for (const key of [w.admin, w.auditor]) {
    const unknown = await statistics('c9', key);
    t.equal(unknown.statusCode, 404, unknown.body);
    const problem = problemOf(t, unknown);
    t.equal(problem.code, 'COMMUNITY_NOT_REGISTERED');
    t.equal(problem.detail, 'no community c9');
    const known = await statistics('c1', key);
    t.equal(known.statusCode, 200, 'a community with a registered volunteer, before the hierarchy');
    t.equal(known.json<{ registeredVolunteers: number }>().registeredVolunteers, 1);
  }
  t.equal((await statistics('c2', w.admin)).statusCode, 404, 'nothing in c2 before the hierarchy');
  const own = await statistics('c2', w.otherDesk);
  t.equal(own.statusCode, 200, "a desk's own community, empty: its key was issued for it");
  t.equal(own.json<{ registeredVolunteers: number }>().registeredVolunteers, 0);

  await w.registerHierarchy();
  const empty = await statistics('c2', w.auditor);
  t.equal(empty.statusCode, 200, 'a community the hierarchy holds, with no volunteers');
  t.match(empty.json(), { registeredVolunteers: 0, activeVolunteers: 0 });
  t.equal((await statistics('c9', w.auditor)).statusCode, 404, 'still unknown');
});
