/**
 * Logs are asserted through the pino destination: request ids are there, personal data is not —
 * not on success, not on a rejected registration, not on a validation failure.
 */
import t from 'tap';
import { nationalIdNumber, startWorld } from './fixtures.js';

t.test('no ID number, phone, name or API key reaches the log', async (t) => {
  const w = await startWorld(t);
  const idNumber = nationalIdNumber(4242);
  const phone = '13912345678';
  const name = 'Zhang Sanfeng';
  const body = { name, nationalIdNumber: idNumber, phone, community: 'c1' };
  t.equal((await w.post('/v1/volunteers', w.desk, body)).statusCode, 201);
  t.equal((await w.post('/v1/volunteers', w.desk, body)).statusCode, 409, 'a duplicate is rejected');
  t.equal(
    (await w.post('/v1/volunteers', w.desk, { ...body, extra: idNumber })).statusCode,
    400,
    'an invalid body',
  );
  await w.app.inject({
    method: 'POST',
    url: '/v1/volunteers/lookup',
    headers: { authorization: w.desk },
    payload: { nationalIdNumber: idNumber },
  });
  w.app.log.info({ nationalIdNumber: idNumber, phone, name }, 'a careless handler log line');

  t.ok(w.logs.length > 5, `${w.logs.length} log lines captured`);
  const all = w.logs.join('\n');
  t.notOk(all.includes(idNumber), 'no ID number');
  t.notOk(all.includes(idNumber.slice(0, 17)), 'not even without its check character');
  t.notOk(all.includes(phone), 'no phone number');
  t.notOk(all.includes(name), 'no name');
  t.notOk(all.includes(w.desk.slice('Bearer '.length)), 'no API key');
  t.match(all, /"reqId":"[^"]+"/, 'request ids are logged');
  t.match(all, /"code":"VOLUNTEER_ALREADY_REGISTERED"/, 'rejections are logged by code');
});
