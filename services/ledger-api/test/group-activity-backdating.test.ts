/**
 * A team's group activity is dated like a volunteer's record: within the back-dating window
 * (default 90 days) an organiser may confirm it; beyond it only an administrator, with a
 * `backdatingReason` the event keeps; never beyond the administrator's floor (default 1,826 days).
 * Until this release an organiser could confirm a group activity of any date (ten years back, or
 * 1970) and so mint group points, which go to the donation pool, for service nobody could check.
 * Refused confirmations write nothing and leave the team's group points as they were.
 */
import t from 'tap';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const DAY_HOURS = 24;
const ACTIVITIES = '/v1/projects/pr1/teams/t1/group-activities';

async function worldWithTeam(t: Parameters<typeof startWorld>[0]): Promise<World> {
  const w = await startWorld(t);
  const project = await w.post('/v1/projects', w.organiser, {
    projectId: 'pr1',
    organisationId: 'org1',
    name: 'Elder care companions',
    leaderId: 'sw-1',
    leaderName: 'Zhang Min',
    leaderContact: '0311-5550123',
  });
  t.equal(project.statusCode, 201);
  const team = await w.post('/v1/projects/pr1/teams', w.organiser, { teamId: 't1', name: 'Team one' });
  t.equal(team.statusCode, 201);
  return w;
}

const daysBack = (activityId: string, days: number, extra: Record<string, unknown> = {}) => ({
  activityId,
  activity: 'Cleaning the courtyard together',
  startAt: hoursAgo(days * DAY_HOURS),
  endAt: hoursAgo(days * DAY_HOURS - 2),
  ...extra,
});

async function groupPoints(w: World): Promise<number> {
  const project = await w.get('/v1/projects/pr1', w.organiser);
  return project.json<{ teams: { groupCentipoints: number }[] }>().teams[0]!.groupCentipoints;
}

t.test('an organiser cannot confirm a group activity older than the back-dating window', async (t) => {
  const w = await worldWithTeam(t);
  const head = await w.store.headPosition();
  for (const [activityId, days] of [
    ['old', 91],
    ['decade', 3650],
  ] as const) {
    const refused = await w.post(ACTIVITIES, w.organiser, daysBack(activityId, days));
    t.equal(refused.statusCode, 422, `${days} days back`);
    t.equal(problemOf(t, refused).code, 'SERVICE_TOO_OLD');
  }
  const epoch = await w.post(ACTIVITIES, w.organiser, {
    activityId: 'epoch',
    activity: 'Cleaning the courtyard together',
    startAt: '1970-01-01T00:00:00.000Z',
    endAt: '1970-01-01T12:00:00.000Z',
  });
  t.equal(problemOf(t, epoch).code, 'SERVICE_TOO_OLD');
  t.equal(await w.store.headPosition(), head, 'nothing was written');
  t.equal(await groupPoints(w), 0, 'no group points were earned');

  const recent = await w.post(ACTIVITIES, w.organiser, daysBack('recent', 89));
  t.equal(recent.statusCode, 201, 'inside the window an organiser confirms as before');
});

t.test('an administrator dates one further back, with a reason the event keeps', async (t) => {
  const w = await worldWithTeam(t);
  const head = await w.store.headPosition();
  const noReason = await w.post(ACTIVITIES, w.admin, daysBack('old', 120));
  t.equal(noReason.statusCode, 422);
  t.equal(problemOf(t, noReason).code, 'BACKDATING_REASON_REQUIRED');
  const floor = await w.post(
    ACTIVITIES,
    w.admin,
    daysBack('ancient', 1900, { backdatingReason: 'paper sign-in sheets found' }),
  );
  t.equal(floor.statusCode, 422);
  t.equal(problemOf(t, floor).code, 'SERVICE_BEFORE_BACKDATING_FLOOR');
  t.equal(await w.store.headPosition(), head, 'nothing was written');

  const reason = 'paper sign-in sheets found in the archive';
  const accepted = await w.post(ACTIVITIES, w.admin, daysBack('old', 120, { backdatingReason: reason }));
  t.equal(accepted.statusCode, 201);
  t.ok((await groupPoints(w)) > 0);
  const events = await w.store.readStream('project-pr1');
  const confirmed = events.find((event) => event.type === 'GroupActivityConfirmed');
  t.match(confirmed?.data, { activityId: 'old', backdatingReason: reason });

  const blank = await w.post(ACTIVITIES, w.admin, daysBack('blank', 130, { backdatingReason: '' }));
  t.equal(blank.statusCode, 400, 'an empty reason is no reason');
  t.equal(problemOf(t, blank).code, 'VALIDATION_FAILED');
});
