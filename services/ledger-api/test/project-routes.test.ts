/**
 * Social-work projects, teams and group points through HTTP: an organiser registers its
 * organisation's projects and teams, enrols volunteers, records activities and service that
 * name a project (checked: the project must exist and be the organisation's, else a coded 4xx
 * and nothing written), reads statistics per project and organisation as of a date; a team's
 * group points are earned by confirmed group activities and leave only as donations to the pool.
 */
import t from 'tap';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

async function registerProject(w: World, projectId = 'pr1', organisationId = 'org1', key = w.organiser) {
  return w.post('/v1/projects', key, {
    projectId,
    organisationId,
    name: 'Elder care companions',
    leaderId: 'sw-1',
    leaderName: 'Zhang Min',
    leaderContact: '0311-5550123',
  });
}

async function eventCount(w: World): Promise<bigint> {
  return w.store.headPosition();
}

t.test('organisers register projects and teams of their own organisation only', async (t) => {
  const w = await startWorld(t);
  t.equal((await registerProject(w)).statusCode, 201);
  const again = await registerProject(w);
  t.equal(again.statusCode, 409);
  t.equal(problemOf(t, again).code, 'PROJECT_ALREADY_REGISTERED');
  t.equal((await registerProject(w, 'pr2', 'org1', w.otherOrganiser)).statusCode, 403, "not another's");
  const unknownOrganisation = await registerProject(w, 'pr3', 'org-none', w.admin);
  t.equal(unknownOrganisation.statusCode, 404);
  t.equal(problemOf(t, unknownOrganisation).code, 'ORGANISATION_NOT_FOUND');

  const [registered] = await w.store.readStream('project-pr1');
  t.match(registered?.data, { leaderName: /^sealed:v1:/, leaderContact: /^sealed:v1:/ });
  t.notMatch(
    JSON.stringify(registered?.data),
    /Zhang Min|5550123/,
    'the social worker is stored only sealed',
  );

  t.equal(
    (await w.post('/v1/projects/pr1/teams', w.organiser, { teamId: 't1', name: 'Team one' })).statusCode,
    201,
  );
  const twice = await w.post('/v1/projects/pr1/teams', w.organiser, { teamId: 't1', name: 'Team one' });
  t.equal(problemOf(t, twice).code, 'TEAM_ALREADY_REGISTERED');
  t.equal(
    (await w.post('/v1/projects/pr1/teams', w.otherOrganiser, { teamId: 't2', name: 'x' })).statusCode,
    403,
  );
  const noProject = await w.post('/v1/projects/nope/teams', w.organiser, { teamId: 't1', name: 'x' });
  t.equal(noProject.statusCode, 404);
  t.equal(problemOf(t, noProject).code, 'PROJECT_NOT_FOUND');

  const volunteerId = await w.registerVolunteer(1001);
  const joined = await w.post('/v1/projects/pr1/teams/t1/members', w.organiser, { volunteerId });
  t.equal(joined.statusCode, 201);
  const rejoined = await w.post('/v1/projects/pr1/teams/t1/members', w.organiser, { volunteerId });
  t.equal(problemOf(t, rejoined).code, 'TEAM_MEMBER_ALREADY_JOINED');
  const ghost = await w.post('/v1/projects/pr1/teams/t1/members', w.organiser, { volunteerId: 'v-ghost' });
  t.equal(problemOf(t, ghost).code, 'VOLUNTEER_NOT_FOUND');
  const noTeam = await w.post('/v1/projects/pr1/teams/t9/members', w.organiser, { volunteerId });
  t.equal(problemOf(t, noTeam).code, 'TEAM_NOT_FOUND');

  const project = await w.get('/v1/projects/pr1', w.organiser);
  t.equal(project.statusCode, 200);
  t.match(project.json(), {
    projectId: 'pr1',
    organisationId: 'org1',
    leader: { leaderId: 'sw-1', name: 'Zhang Min', contact: '0311-5550123' },
    teams: [{ teamId: 't1', memberVolunteerIds: [volunteerId], groupCentipoints: 0 }],
  });
  t.equal((await w.get('/v1/projects/pr1', w.otherOrganiser)).statusCode, 403);
  t.equal((await w.get('/v1/projects/pr1', w.auditor)).statusCode, 200);
  t.equal((await w.get('/v1/projects/pr1', w.partner)).statusCode, 403);
});

t.test('records and activities name a project of their organisation, or nothing is written', async (t) => {
  const w = await startWorld(t);
  await registerProject(w);
  await registerProject(w, 'pr-other', 'org2', w.otherOrganiser);
  const v1 = await w.registerVolunteer(2001);
  const v2 = await w.registerVolunteer(2002);
  const activity = (projectId: string) => ({
    activity: 'Visiting elders',
    organisationId: 'org1',
    projectId,
    startAt: hoursAgo(5),
    endAt: hoursAgo(3),
    volunteerIds: [v1, v2],
  });
  const before = await eventCount(w);
  const missing = await w.post('/v1/activities', w.organiser, activity('pr-none'));
  t.equal(missing.statusCode, 404);
  t.equal(problemOf(t, missing).code, 'PROJECT_NOT_FOUND');
  const foreign = await w.post('/v1/activities', w.organiser, activity('pr-other'));
  t.equal(foreign.statusCode, 422);
  t.equal(problemOf(t, foreign).code, 'PROJECT_ORGANISATION_MISMATCH');
  const single = await w.post(`/v1/volunteers/${v1}/service-records`, w.organiser, {
    activity: 'Visiting elders',
    organisationId: 'org1',
    projectId: 'pr-other',
    startAt: hoursAgo(5),
    endAt: hoursAgo(3),
  });
  t.equal(single.statusCode, 422);
  t.equal(problemOf(t, single).code, 'PROJECT_ORGANISATION_MISMATCH');
  t.equal(await eventCount(w), before, 'nothing was written');

  const recorded = await w.post('/v1/activities', w.organiser, activity('pr1'));
  t.equal(recorded.statusCode, 201);
  const records = recorded.json<{ records: { volunteerId: string; recordId: string }[] }>().records;
  const [stored] = (await w.store.readStream(`volunteer-${v1}`)).filter(
    (e) => e.type === 'ServiceHoursRecorded',
  );
  t.equal(stored?.data.projectId, 'pr1', 'the record names its project');
  for (const { volunteerId, recordId } of records) {
    const confirmed = await w.post(
      `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`,
      w.organiser,
      {},
    );
    t.equal(confirmed.statusCode, 200);
  }
  // Service of the organisation outside any project counts for the organisation only.
  await w.earn(v1, 1, 10);

  const head = await w.store.headPosition();
  const project = await w.get(`/v1/projects/pr1/statistics?asOf=${today()}&minPosition=${head}`, w.organiser);
  t.equal(project.statusCode, 200);
  t.match(project.json(), { projectId: 'pr1', confirmedMinutes: 240, confirmedRecords: 2, volunteers: 2 });
  const organisation = await w.get(
    `/v1/organisations/org1/statistics?asOf=${today()}&minPosition=${head}`,
    w.organiser,
  );
  t.match(organisation.json(), {
    organisationId: 'org1',
    confirmedMinutes: 300,
    confirmedRecords: 3,
    volunteers: 2,
  });
  const earlier = await w.get('/v1/projects/pr1/statistics?asOf=2020-01-01', w.auditor);
  t.match(earlier.json(), { confirmedMinutes: 0, confirmedRecords: 0, volunteers: 0 }, 'as of a date before');
  t.equal((await w.get(`/v1/projects/pr1/statistics`, w.otherOrganiser)).statusCode, 403);
  t.equal((await w.get(`/v1/organisations/org1/statistics`, w.otherOrganiser)).statusCode, 403);

  // A voided record stops counting from the day of the void on.
  const first = records[0]!;
  const voided = await w.post(
    `/v1/volunteers/${first.volunteerId}/service-records/${first.recordId}/void`,
    w.organiser,
    {
      reasonCode: 'duplicate_record',
    },
  );
  t.equal(voided.statusCode, 200);
  const after = await w.get(
    `/v1/projects/pr1/statistics?asOf=${today()}&minPosition=${await w.store.headPosition()}`,
    w.organiser,
  );
  t.match(after.json(), { confirmedMinutes: 120, confirmedRecords: 1, volunteers: 1 });
});

t.test('group points: earned by group activities, donated to the pool, never spent otherwise', async (t) => {
  const w = await startWorld(t);
  await registerProject(w);
  await w.post('/v1/projects/pr1/teams', w.organiser, { teamId: 't1', name: 'Team one' });
  const groupActivity = (activityId: string, startHoursAgo: number, endHoursAgo: number) => ({
    activityId,
    activity: 'Cleaning the courtyard together',
    startAt: hoursAgo(startHoursAgo),
    endAt: hoursAgo(endHoursAgo),
  });
  const earned = await w.post(
    '/v1/projects/pr1/teams/t1/group-activities',
    w.organiser,
    groupActivity('a1', 5, 2),
  );
  t.equal(earned.statusCode, 201);
  t.match(earned.json(), { activityId: 'a1', durationMinutes: 180, groupCentipoints: 300 });
  const repeat = await w.post(
    '/v1/projects/pr1/teams/t1/group-activities',
    w.organiser,
    groupActivity('a1', 5, 2),
  );
  t.equal(problemOf(t, repeat).code, 'GROUP_ACTIVITY_ALREADY_CONFIRMED');
  const overlap = await w.post(
    '/v1/projects/pr1/teams/t1/group-activities',
    w.organiser,
    groupActivity('a2', 4, 1),
  );
  t.equal(problemOf(t, overlap).code, 'GROUP_ACTIVITY_OVERLAP');
  t.equal(
    (await w.post('/v1/projects/pr1/teams/t1/group-activities', w.otherOrganiser, groupActivity('a3', 9, 8)))
      .statusCode,
    403,
  );

  for (const use of ['hold', 'redeem', 'transfer']) {
    for (const key of [w.partner, w.organiser, w.admin]) {
      const refused = await w.post('/v1/projects/pr1/teams/t1/group-points/uses', key, {
        use,
        centipoints: 100,
      });
      t.equal(refused.statusCode, 409, `${use} is refused`);
      t.equal(problemOf(t, refused).code, 'GROUP_POINTS_DONATION_ONLY');
    }
  }
  t.equal(
    (await w.post('/v1/projects/pr1/teams/t1/group-points/uses', w.auditor, { use: 'hold', centipoints: 1 }))
      .statusCode,
    403,
  );

  const tooMuch = await w.post('/v1/projects/pr1/teams/t1/group-points/donations', w.organiser, {
    donationId: 'd1',
    centipoints: 301,
  });
  t.equal(tooMuch.statusCode, 409);
  t.equal(problemOf(t, tooMuch).code, 'INSUFFICIENT_GROUP_POINTS');
  const donated = await w.post('/v1/projects/pr1/teams/t1/group-points/donations', w.organiser, {
    donationId: 'd1',
    centipoints: 200,
  });
  t.equal(donated.statusCode, 201);
  const pool = await w.store.readStream('donation-pool');
  t.match(pool.at(-1), { type: 'GroupDonationReceived', data: { centipoints: 200, fromTeamId: 't1' } });

  const balances = await w.get(`/v1/audit/balances?minPosition=${await w.store.headPosition()}`, w.auditor);
  t.equal(balances.statusCode, 200);
  const body = balances.json<{
    accounts: { account: string; balanceCentipoints: number }[];
    totalCentipoints: number;
  }>();
  t.equal(body.totalCentipoints, 0, 'Σ balances = 0');
  const balanceOf = (account: string) =>
    body.accounts.find((row) => row.account === account)?.balanceCentipoints;
  t.equal(balanceOf('group:pr1:t1'), 100);
  t.equal(balanceOf('donation-pool'), 200);
  t.equal(balanceOf('in-transit') ?? 0, 0);
  const project = await w.get('/v1/projects/pr1', w.organiser);
  t.match(project.json(), { teams: [{ teamId: 't1', groupCentipoints: 100 }] });

  // The same donation id again, under a new Idempotency-Key: a new donation, refused in words
  // (it answered 409 COMMAND_ALREADY_APPLIED, the code of a lost response, and moved nothing).
  const reused = await w.post('/v1/projects/pr1/teams/t1/group-points/donations', w.organiser, {
    donationId: 'd1',
    centipoints: 50,
  });
  t.equal(reused.statusCode, 409);
  t.equal(problemOf(t, reused).code, 'GROUP_DONATION_ALREADY_RECORDED');

  // Another team of the project may use the same donation id: its points reach the pool too
  // (they stayed in `in-transit`: the first team's credit answered for the second's).
  await w.post('/v1/projects/pr1/teams', w.organiser, { teamId: 't2', name: 'Team two' });
  const earnedByT2 = await w.post(
    '/v1/projects/pr1/teams/t2/group-activities',
    w.organiser,
    groupActivity('b1', 5, 2),
  );
  t.equal(earnedByT2.statusCode, 201, earnedByT2.body);
  const donatedByT2 = await w.post('/v1/projects/pr1/teams/t2/group-points/donations', w.organiser, {
    donationId: 'd1',
    centipoints: 150,
  });
  t.equal(donatedByT2.statusCode, 201, donatedByT2.body);
  const after = (
    await w.get(`/v1/audit/balances?minPosition=${await w.store.headPosition()}`, w.auditor)
  ).json<{ accounts: { account: string; balanceCentipoints: number }[]; totalCentipoints: number }>();
  const afterOf = (account: string) =>
    after.accounts.find((row) => row.account === account)?.balanceCentipoints;
  t.equal(afterOf('donation-pool'), 350, "both teams' donations reached the pool");
  t.equal(afterOf('in-transit') ?? 0, 0, 'nothing is left in transit');
  t.equal(after.totalCentipoints, 0);
});
