/**
 * Disputes over HTTP: the desk files a volunteer's report, the organising
 * organisation sees it in its queue and resolves it by a correction (hours and points follow the
 * correction), a void, a dismissal, or by recording missing hours; the volunteer's history shows
 * the report and its outcome. Finally `pnpm ledger verify` passes on the ledger these wrote.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const UNLIMITED = { RATE_LIMIT_REQUESTS_MAX: '1000000' };

interface Summary {
  confirmedMinutes: number;
  pendingMinutes: number;
  availableCentipoints: number;
}

/** On a whole minute: service times with seconds are refused. */
const hoursAgo = (hours: number): string =>
  new Date(Math.floor((Date.now() - hours * 3_600_000) / 60_000) * 60_000).toISOString();

async function summary(w: World, volunteerId: string): Promise<Summary> {
  return (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<Summary>();
}

async function queue(w: World, position: string, status = 'open') {
  const response = await w.get(
    `/v1/organisations/org1/disputes?status=${status}&minPosition=${position}`,
    w.organiser,
  );
  return response.json<{
    disputes: { disputeId: string; volunteerNumber: string; text: string; outcome: string | null }[];
  }>().disputes;
}

async function file(
  w: World,
  volunteerId: string,
  body: object,
): Promise<{ disputeId: string; position: string }> {
  const filed = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, body);
  if (filed.statusCode !== 201) throw new Error(`filing failed: ${filed.body}`);
  return filed.json();
}

t.test('a dispute resolved by a correction changes hours and points as the correction says', async (t) => {
  const w = await startWorld(t, UNLIMITED);
  const volunteerId = await w.registerVolunteer(7101);
  const recordId = await w.earn(volunteerId, 3, 48);
  t.match(await summary(w, volunteerId), { confirmedMinutes: 180, availableCentipoints: 300 });

  const { disputeId, position } = await file(w, volunteerId, {
    kind: 'wrong_times',
    recordId,
    text: 'I stayed until the evening meal, five hours in all',
  });
  const open = await queue(w, position);
  t.match(open, [{ disputeId, text: 'I stayed until the evening meal, five hours in all', outcome: null }]);
  const { volunteerNumber } = (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<{
    volunteerNumber: string;
  }>();
  t.equal(
    open[0]?.volunteerNumber,
    volunteerNumber,
    'the queue names the volunteer by the number organisers know',
  );
  const elsewhere = await w.get('/v1/organisations/org2/disputes', w.organiser);
  t.equal(elsewhere.statusCode, 403, "another organisation's queue is not the organiser's");

  const refused = await w.post(
    `/v1/volunteers/${volunteerId}/disputes/${disputeId}/resolve`,
    w.otherOrganiser,
    {
      outcome: 'dismissed',
      reason: 'not ours',
    },
  );
  t.equal(refused.statusCode, 403, "another organisation cannot resolve org1's dispute");

  const resolved = await w.post(`/v1/volunteers/${volunteerId}/disputes/${disputeId}/resolve`, w.organiser, {
    outcome: 'corrected',
    reason: 'the sign-out sheet shows five hours',
    startAt: hoursAgo(53),
    endAt: hoursAgo(48),
  });
  t.equal(resolved.statusCode, 200, resolved.body);
  const { resultingRecordId } = resolved.json<{ resultingRecordId: string }>();
  t.ok(resultingRecordId, 'the correction names the replacement record');
  t.match(
    await summary(w, volunteerId),
    { confirmedMinutes: 300, availableCentipoints: 500 },
    'hours and points follow the correction: 5 h, 5 points',
  );

  const again = await w.post(`/v1/volunteers/${volunteerId}/disputes/${disputeId}/resolve`, w.organiser, {
    outcome: 'dismissed',
    reason: 'twice',
  });
  t.equal(problemOf(t, again).code, 'DISPUTE_ALREADY_RESOLVED');
  const { position: afterPosition } = resolved.json<{ position: string }>();
  t.same(await queue(w, afterPosition), [], 'the queue is empty once resolved');
  t.match(await queue(w, afterPosition, 'resolved'), [{ disputeId, outcome: 'corrected' }]);

  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk);
  const types = history.json<{ events: { type: string }[] }>().events.map((event) => event.type);
  const filedAt = types.indexOf('DisputeFiled');
  t.ok(filedAt > 0, 'the report is in the history');
  t.same(
    types.slice(filedAt, filedAt + 5),
    ['DisputeFiled', 'DisputeResolved', 'ServiceRecordCorrected', 'PointsReversed', 'PointsEarned'],
    'and its outcome with the correction it caused',
  );
});

t.test('void, dismissal and missing hours; refusals', async (t) => {
  const w = await startWorld(t, UNLIMITED);
  const volunteerId = await w.registerVolunteer(7102);
  const first = await w.earn(volunteerId, 2, 72);
  const second = await w.earn(volunteerId, 4, 48);

  const notMine = await file(w, volunteerId, {
    kind: 'not_mine',
    recordId: first,
    text: 'I was away that day',
  });
  const voided = await w.post(
    `/v1/volunteers/${volunteerId}/disputes/${notMine.disputeId}/resolve`,
    w.organiser,
    {
      outcome: 'voided',
      reason: 'recorded against the wrong volunteer',
    },
  );
  t.equal(voided.statusCode, 200, voided.body);
  t.match(
    await summary(w, volunteerId),
    { confirmedMinutes: 240, availableCentipoints: 400 },
    'voided: 2 h and 2 points gone',
  );

  const wrong = await file(w, volunteerId, { kind: 'wrong_times', recordId: second, text: 'it was longer' });
  const dismissed = await w.post(
    `/v1/volunteers/${volunteerId}/disputes/${wrong.disputeId}/resolve`,
    w.organiser,
    {
      outcome: 'dismissed',
      reason: 'the sheet shows four hours',
    },
  );
  t.equal(dismissed.statusCode, 200, dismissed.body);
  t.match(
    await summary(w, volunteerId),
    { confirmedMinutes: 240, availableCentipoints: 400 },
    'dismissed: unchanged',
  );

  const noRecord = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, {
    kind: 'wrong_times',
    text: 'x',
  });
  t.equal(problemOf(t, noRecord).code, 'DISPUTE_RECORD_REQUIRED');
  const otherDesk = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.otherDesk, {
    kind: 'not_mine',
    recordId: second,
    text: 'x',
  });
  t.equal(otherDesk.statusCode, 403, "another community's desk cannot file for the volunteer");

  const missing = await file(w, volunteerId, {
    kind: 'missing_hours',
    organisationId: 'org1',
    text: 'the Sunday clean-up was never recorded',
  });
  const voidMissing = await w.post(
    `/v1/volunteers/${volunteerId}/disputes/${missing.disputeId}/resolve`,
    w.organiser,
    {
      outcome: 'voided',
      reason: 'nothing to void',
    },
  );
  t.equal(problemOf(t, voidMissing).code, 'DISPUTE_OUTCOME_NOT_APPLICABLE');
  const recorded = await w.post(
    `/v1/volunteers/${volunteerId}/disputes/${missing.disputeId}/resolve`,
    w.organiser,
    {
      outcome: 'corrected',
      reason: 'found on the sign-in sheet',
      activity: 'Sunday clean-up',
      startAt: hoursAgo(27),
      endAt: hoursAgo(24),
    },
  );
  t.equal(recorded.statusCode, 200, recorded.body);
  t.match(
    await summary(w, volunteerId),
    { confirmedMinutes: 240, pendingMinutes: 180 },
    'recorded, pending confirmation',
  );

  const verified = spawnSync('pnpm', ['--silent', 'ledger', 'verify', '--quiet', '--data-dir', w.directory], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  t.equal(
    verified.status,
    0,
    `pnpm ledger verify passes with dispute events\n${verified.stdout}${verified.stderr}`,
  );
  t.match(verified.stdout, /^OK: \d+ events/m);
});

t.test(
  'erasing a volunteer closes their open disputes, which would otherwise stay in the queue',
  async (t) => {
    const w = await startWorld(t, UNLIMITED);
    const volunteerId = await w.registerVolunteer(7109);
    const recordId = await w.earn(volunteerId, 2, 30);
    const { disputeId, position } = await file(w, volunteerId, {
      kind: 'wrong_times',
      recordId,
      text: 'Ask my neighbour Situ Mingyue',
    });
    t.match(await queue(w, position), [{ disputeId }], 'the dispute is open');
    const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
      reason: 'consent_withdrawn',
    });
    t.equal(erased.statusCode, 200, erased.body);
    const after = erased.json<{ position: string }>().position;
    t.same(await queue(w, after), [], 'no open dispute is left for an answer no one can give');
    const resolved = await queue(w, after, 'resolved');
    t.match(resolved, [{ disputeId, outcome: 'dismissed' }], 'it is closed as dismissed');
    t.notMatch(JSON.stringify(resolved), 'Situ Mingyue', 'and shows no word of the volunteer');
    const answer = await w.post(`/v1/volunteers/${volunteerId}/disputes/${disputeId}/resolve`, w.organiser, {
      outcome: 'dismissed',
      reason: 'late answer',
    });
    t.equal(answer.statusCode, 410, 'a later answer is refused as for every erased volunteer');
  },
);
