/**
 * The auditor's as-of queries answer the past only: an `at` after now by the ledger's clock is
 * `400 VALIDATION_FAILED` naming `query.at`, by id and by volunteer number, instead of figures
 * projected into a future the ledger cannot know. A caller whose clock runs up to
 * AS_OF_CLOCK_SKEW_MS ahead is answered as of now, as the statistics routes allow for `asOf`.
 */
import t from 'tap';
import { formatInstant } from '@timebank/domain';
import { AS_OF_CLOCK_SKEW_MS } from '../src/routes/as-of-day.js';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

const DAY_MS = 86_400_000;

t.test('an as-of instant after now is refused; now and the past are answered', async (t) => {
  // The ledger's clock is the wall clock, as the store's recording time is.
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(7);
  const number = (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<{ volunteerNumber: string }>()
    .volunteerNumber;
  const paths = [
    `/v1/audit/volunteers/${volunteerId}/as-of`,
    `/v1/audit/volunteers/by-number/${number}/as-of`,
  ];

  for (const path of paths) {
    const now = Date.now();
    for (const future of [now + DAY_MS, now + AS_OF_CLOCK_SKEW_MS + 1000, Date.UTC(2999, 0, 1)]) {
      const at = formatInstant(future);
      const response = await w.get(`${path}?at=${at}`, w.auditor);
      t.equal(response.statusCode, 400, `${path} at ${at}: ${response.body}`);
      const problem = problemOf(t, response);
      t.equal(problem.code, 'VALIDATION_FAILED');
      t.match(problem.detail, new RegExp(`^at ${at} is after now \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`));
      t.same(
        problem.errors?.map((error) => error.field),
        ['query.at'],
        'the parameter is named',
      );
    }
    const asked = await w.get(`${path}?at=${formatInstant(Date.now())}`, w.auditor);
    t.equal(asked.statusCode, 200, `${path} now: ${asked.body}`);
    t.equal(asked.json<{ eventsApplied: number }>().eventsApplied, 1, 'the registration');
    const skewed = await w.get(`${path}?at=${formatInstant(Date.now() + 60_000)}`, w.auditor);
    t.equal(skewed.statusCode, 200, `${path} a minute ahead (a fast clock): ${skewed.body}`);
    t.same(skewed.json(), asked.json(), 'answered as of now');
    const past = await w.get(`${path}?at=${formatInstant(now - DAY_MS)}`, w.auditor);
    t.equal(past.statusCode, 404, 'a day ago the volunteer was not registered: asked, not refused');
  }
});
