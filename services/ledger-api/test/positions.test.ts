/**
 * Positions and revisions a client sends are range-checked to what the engines store (signed
 * 64-bit), and a `minPosition` no write has reached yet is told apart from one the read models
 * have not applied yet.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

const INT64_MAX = '9223372036854775807';
const INT64_MAX_PLUS_ONE = '9223372036854775808';

t.test('positions and revisions beyond signed 64-bit are 400 naming the field, not 500', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(7101);
  const cases: [url: string, field: string][] = [
    [`/v1/audit/events?after=${INT64_MAX_PLUS_ONE}`, 'query.after'],
    ['/v1/audit/events?after=99999999999999999999', 'query.after'],
    ['/v1/audit/streams/access-keys?fromRevision=99999999999999999999', 'query.fromRevision'],
    [`/v1/audit/streams/access-keys?fromRevision=${INT64_MAX_PLUS_ONE}`, 'query.fromRevision'],
    ['/v1/audit/balances?minPosition=99999999999999999999999', 'query.minPosition'],
    [`/v1/volunteers/${volunteerId}?minPosition=${INT64_MAX_PLUS_ONE}`, 'query.minPosition'],
    [`/v1/audit/volunteers/${volunteerId}/as-of?position=${INT64_MAX_PLUS_ONE}`, 'query.position'],
    ['/v1/audit/events?after=-1', 'query.after'],
  ];
  for (const [url, field] of cases) {
    const response = await w.get(url, w.admin);
    t.equal(response.statusCode, 400, url);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'VALIDATION_FAILED', url);
    t.same(
      problem.errors?.map((issue) => issue.field),
      [field],
      `${url} names ${field}`,
    );
  }

  const lastEvents = await w.get(`/v1/audit/events?after=${INT64_MAX}`, w.auditor);
  t.equal(lastEvents.statusCode, 200, 'the largest stored position is a valid `after`');
  t.same(lastEvents.json<{ events: unknown[] }>().events, []);
  const lastRevisions = await w.get(`/v1/audit/streams/access-keys?fromRevision=${INT64_MAX}`, w.auditor);
  t.equal(lastRevisions.statusCode, 200, 'the largest stored revision is a valid `fromRevision`');
  t.same(lastRevisions.json<{ events: unknown[] }>().events, []);
});

t.test('a page size out of range is 400 saying the range, whatever its form', async (t) => {
  const w = await startWorld(t);
  for (const limit of ['0', '1001', '100000000', 'x', '-5', '2.5']) {
    const url = `/v1/audit/events?limit=${limit}`;
    const response = await w.get(url, w.auditor);
    t.equal(response.statusCode, 400, url);
    const problem = problemOf(t, response);
    t.same(
      problem.errors?.map((issue) => [issue.field, issue.message]),
      [['query.limit', 'must be a whole number from 1 to 1000']],
      `${url} names the field and the range`,
    );
  }
  t.equal(
    (await w.get('/v1/audit/events?limit=1000', w.auditor)).statusCode,
    200,
    '1000 is the largest page',
  );
});

t.test('a minPosition beyond the store head is 400 at once on every route that takes one', async (t) => {
  // A long wait makes a regression to "wait, then 503" plain in the elapsed time.
  const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '5000' });
  const volunteerId = await w.registerVolunteer(7102);
  const summary = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<{ volunteerNumber: string }>();
  const head = BigInt(
    (await w.get('/v1/audit/events?limit=1', w.auditor)).json<{ headPosition: string }>().headPosition,
  );
  const beyond = (head + 1n).toString();
  for (const route of [
    `/v1/audit/balances`,
    `/v1/volunteers/by-number/${summary.volunteerNumber}`,
    `/v1/partners/p1/statement`,
    `/v1/communities/c1/statistics`,
    `/v1/volunteers/${volunteerId}`,
    `/v1/volunteers/${volunteerId}/history`,
  ]) {
    const started = Date.now();
    const response = await w.get(`${route}?minPosition=${beyond}`, w.admin);
    const elapsedMs = Date.now() - started;
    t.equal(response.statusCode, 400, route);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'POSITION_BEYOND_HEAD', route);
    t.same(
      problem.errors?.map((issue) => issue.field),
      ['query.minPosition'],
    );
    t.ok(elapsedMs < 2500, `${route} answered without the read-your-writes wait (${elapsedMs} ms)`);
    const atHead = await w.get(`${route}?minPosition=${head}`, w.admin);
    t.equal(atHead.statusCode, 200, `${route} at the head position is served`);
  }
});

t.test(
  'a position that exists but the read models have not applied is still 503 READ_MODEL_BEHIND',
  async (t) => {
    const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '200' });
    // A stopped projector stands for one that is slow: the write below exists, the read models lack it.
    await w.projector.stop();
    await w.registerVolunteer(7103);
    const head = (await w.get('/v1/audit/events?limit=1', w.auditor)).json<{ headPosition: string }>()
      .headPosition;
    const behind = await w.get(`/v1/audit/balances?minPosition=${head}`, w.auditor);
    t.equal(behind.statusCode, 503);
    t.equal(problemOf(t, behind).code, 'READ_MODEL_BEHIND');
  },
);
