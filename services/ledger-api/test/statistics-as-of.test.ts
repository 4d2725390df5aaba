/**
 * The statistics routes refuse an `asOf` after today (local date) with `400 VALIDATION_FAILED`
 * naming `query.asOf`, instead of answering today's figures under a future date. A caller whose
 * clock runs a few minutes ahead may name tomorrow in the last AS_OF_CLOCK_SKEW_MS before local
 * midnight (docs/api.md).
 */
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

const HOUR_MS = 3_600_000;
/** The local date (UTC+8, the default offset) `days` after the one of `atMs`. */
const localDay = (atMs: number, days = 0): string =>
  new Date(atMs + 8 * HOUR_MS + days * 24 * HOUR_MS).toISOString().slice(0, 10);

t.test('statistics as of a future date are refused; today and the past are answered', async (t) => {
  // 20:00 local time today, movable.
  const evening = Date.UTC(2026, 5, 10, 12, 0);
  let now = evening;
  const w = await startWorld(t, {}, { clock: () => now });
  await w.registerHierarchy();
  const project = await w.post('/v1/projects', w.organiser, {
    projectId: 'pr1',
    organisationId: 'org1',
    name: 'Elder care companions',
    leaderId: 'sw-1',
    leaderName: 'Zhang Min',
    leaderContact: '0311-5550123',
  });
  t.equal(project.statusCode, 201, project.body);
  const head = await w.store.headPosition();
  const routes = [
    ['/v1/units/sjz/statistics', w.auditor],
    ['/v1/projects/pr1/statistics', w.organiser],
    ['/v1/organisations/org1/statistics', w.organiser],
  ] as const;

  for (const [path, key] of routes) {
    now = evening;
    const today = localDay(now);
    const tomorrow = localDay(now, 1);
    const future = await w.get(`${path}?asOf=${tomorrow}&minPosition=${head}`, key);
    t.equal(future.statusCode, 400, `${path} as of tomorrow`);
    const problem = problemOf(t, future);
    t.equal(problem.code, 'VALIDATION_FAILED');
    t.equal(problem.detail, `asOf ${tomorrow} is after today (${today}, local date)`);
    t.same(
      problem.errors?.map((error) => error.field),
      ['query.asOf'],
      'the field is named',
    );
    t.equal((await w.get(`${path}?asOf=2999-01-01`, key)).statusCode, 400, `${path} as of 2999`);

    const asked = await w.get(`${path}?asOf=${today}&minPosition=${head}`, key);
    t.equal(asked.statusCode, 200, `${path} as of today: ${asked.body}`);
    t.equal(asked.json<{ asOf: string }>().asOf, today);
    const defaulted = await w.get(`${path}?minPosition=${head}`, key);
    t.equal(defaulted.json<{ asOf: string }>().asOf, today, 'no asOf is today');
    // A unit did not exist in 2020 (404); the past is still asked, not refused as the future is.
    const past = await w.get(`${path}?asOf=2020-01-01&minPosition=${head}`, key);
    t.not(past.statusCode, 400, `${path} as of the past is not refused`);

    // 23:57 local: a caller a few minutes fast already names tomorrow; the day after is refused.
    now = Date.UTC(2026, 5, 10, 15, 57);
    t.equal((await w.get(`${path}?asOf=${tomorrow}&minPosition=${head}`, key)).statusCode, 200, 'skew');
    const dayAfter = await w.get(`${path}?asOf=${localDay(now, 2)}&minPosition=${head}`, key);
    t.equal(dayAfter.statusCode, 400, `${path} as of the day after tomorrow`);
  }
});
