/**
 * A JSON body that gives one member name twice in an object is refused (400 MALFORMED_JSON naming
 * the field) and changes nothing. Found feeding the API garbage over HTTP: JSON.parse kept the
 * last value, so `{"priceCentipoints":100,"priceCentipoints":999}` published an offer at 999
 * while a proxy, a log or the partner's own reading of the same bytes could see 100.
 * A `__proto__` key was refused as "not valid JSON", which it is; the message now says why.
 */
import t from 'tap';
import { findDuplicateKey } from '../src/http/json-duplicate-keys.js';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a repeated member name is refused and nothing is written', async (t) => {
  const w = await startWorld(t);
  const before = await w.store.headPosition();
  const send = (payload: string, idempotencyKey: string) =>
    w.app.inject({
      method: 'POST',
      url: '/v1/partners/p1/offers',
      headers: { ...w.headers(w.partner, idempotencyKey), 'content-type': 'application/json' },
      payload,
    });
  const twice = await send(
    '{"offerId":"dup","title":"Haircut","priceCentipoints":100,"priceCentipoints":999}',
    'd1',
  );
  t.equal(twice.statusCode, 400, twice.body);
  t.equal(problemOf(t, twice).code, 'MALFORMED_JSON');
  t.match(problemOf(t, twice).detail, /body\.priceCentipoints twice/);
  const escaped = await send(
    '{"offerId":"dup","title":"Haircut","\\u0074itle":"Shave","priceCentipoints":100}',
    'd2',
  );
  t.equal(escaped.statusCode, 400, 'an escaped spelling of the same name too');
  t.match(problemOf(t, escaped).detail, /body\.title twice/);
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
  const offers = await w.get('/v1/partners/p1/offers', w.partner);
  t.notOk(offers.body.includes('"dup"'), 'no offer was published');

  const once = await send('{"offerId":"ok","title":"a \\"title\\": [1, {}]","priceCentipoints":100}', 'd3');
  t.equal(once.statusCode, 201, `names inside strings are not names: ${once.body}`);
});

t.test('a prototype key is refused with a message that says so (it is valid JSON)', async (t) => {
  const w = await startWorld(t);
  const before = await w.store.headPosition();
  for (const [index, payload] of [
    '{"__proto__":{"x":1},"offerId":"p","title":"t","priceCentipoints":1}',
    '{"constructor":{"prototype":{"x":1}},"offerId":"p","title":"t","priceCentipoints":1}',
  ].entries()) {
    const response = await w.app.inject({
      method: 'POST',
      url: '/v1/partners/p1/offers',
      headers: { ...w.headers(w.partner, `proto-${index}`), 'content-type': 'application/json' },
      payload,
    });
    t.equal(response.statusCode, 400, response.body);
    t.equal(problemOf(t, response).code, 'MALFORMED_JSON');
    t.match(problemOf(t, response).detail, /__proto__ or constructor\.prototype/);
  }
  t.equal(await w.store.headPosition(), before, 'nothing was appended');
});

t.test('findDuplicateKey reads nesting, arrays and strings', async (t) => {
  t.equal(findDuplicateKey('{"a":1,"b":2}'), undefined);
  t.equal(findDuplicateKey('{"a":1,"a":2}'), 'body.a');
  t.equal(findDuplicateKey('{"a":{"b":1},"c":{"b":2}}'), undefined, 'the same name in two objects');
  t.equal(findDuplicateKey('{"s":{"kind":"x","kind":"y"}}'), 'body.s.kind');
  t.equal(findDuplicateKey('{"l":[{"x":1},{"x":2}]}'), undefined, 'array elements are separate objects');
  t.equal(findDuplicateKey('{"l":[{"x":1,"x":2}]}'), 'body.l[].x');
  t.equal(findDuplicateKey('{"a":"\\"a\\":1,","b":"x"}'), undefined, 'escaped quotes inside a value');
  t.equal(findDuplicateKey('{"a\\\\":1,"a":2}'), undefined, 'a name ending in a backslash');
  t.equal(findDuplicateKey('{"a":1,"b":[1,2],"a":3}'), 'body.a', 'after an array');
  t.equal(findDuplicateKey('[{"a":1,"a":1}]'), 'body[].a');
});
