/**
 * `GET /v1/volunteers/by-number/:volunteerNumber` takes a volunteer number as the other routes
 * that name one do (the auditor's as-of by number, bulk activities, sign-in): `TB` and 12
 * characters, upper case, else `400 VALIDATION_FAILED` naming `params.volunteerNumber`. Until this
 * release a desk that typed the number in lower case (or with a stray character) was told
 * `404 VOLUNTEER_NOT_FOUND`, as if the person had never been registered.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a malformed volunteer number is a 400 naming the parameter, not a 404', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(1);
  const summary = await w.get(`/v1/volunteers/${volunteerId}`, w.desk);
  const { volunteerNumber } = summary.json<{ volunteerNumber: string }>();
  const minPosition = await w.store.headPosition();
  const byNumber = (number: string) =>
    w.get(`/v1/volunteers/by-number/${number}?minPosition=${minPosition}`, w.desk);

  const found = await byNumber(volunteerNumber);
  t.equal(found.statusCode, 200);
  t.match(found.json(), { volunteerId, volunteerNumber });

  for (const typo of [
    volunteerNumber.toLowerCase(),
    `${volunteerNumber}X`,
    volunteerNumber.slice(1),
    'v-ghost',
  ]) {
    const refused = await byNumber(typo);
    t.equal(refused.statusCode, 400, typo);
    const problem = problemOf(t, refused);
    t.equal(problem.code, 'VALIDATION_FAILED');
    t.match(problem.errors, [{ field: 'params.volunteerNumber', message: /upper case/ }]);
  }

  const nobody = await byNumber('TB0000000000ZZ');
  t.equal(nobody.statusCode, 404, 'a well-formed number nobody holds is still not found');
  t.equal(problemOf(t, nobody).code, 'VOLUNTEER_NOT_FOUND');
});
