/**
 * `/metrics` stays bounded whatever clients send: request latency is
 * labelled by route pattern, method and status class, so many statuses, URLs and methods add no
 * series beyond the bound docs/api.md states: (route-and-method pairs + 1) × 4 status classes.
 */
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { startWorld } from './fixtures.js';

const SERIES =
  /^http_request_duration_seconds_count\{method="([^"]*)",route="([^"]*)",status="([^"]*)"\} \d+$/;

t.test('many requests with many statuses keep the latency series within the documented bound', async (t) => {
  const w = await startWorld(t, { RATE_LIMIT_REQUESTS_MAX: '400' });
  const statuses = new Set<number>();
  const send = async (request: InjectOptions) => {
    const response = await w.app.inject(request);
    statuses.add(response.statusCode);
  };
  for (let round = 0; round < 40; round += 1) {
    await send({ method: 'GET', url: '/v1/audit/events?limit=1', headers: { authorization: w.auditor } });
    await send({ method: 'GET', url: '/v1/audit/events' });
    await send({ method: 'GET', url: '/v1/audit/events', headers: { authorization: w.desk } });
    await send({ method: 'GET', url: '/v1/audit/events?limit=x', headers: { authorization: w.auditor } });
    await send({ method: 'GET', url: `/v1/volunteers/v${round}`, headers: { authorization: w.admin } });
    await send({
      method: 'POST',
      url: '/v1/volunteers',
      headers: { authorization: w.admin, 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    await send({
      method: 'POST',
      url: '/v1/volunteers',
      headers: {
        authorization: w.admin,
        'content-type': 'application/json',
        'idempotency-key': `m-${round}`,
      },
      payload: '{',
    });
    await send({
      method: 'POST',
      url: '/v1/volunteers',
      headers: {
        authorization: w.admin,
        'content-type': 'application/json',
        'idempotency-key': `big-${round}`,
      },
      payload: JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
    });
    // Every URL distinct, and every method a client may send: all one "unmatched" series per class.
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
      await send({ method, url: `/nowhere/${round}/${method}` });
    }
    await send({ method: 'GET', url: `/v1/volunteers/${'y'.repeat(101)}` });
  }
  // Exhaust one key's rate limit: 429s on a route already counted.
  for (let index = 0; index < 420; index += 1) {
    await send({ method: 'GET', url: '/v1/audit/events?limit=1', headers: { authorization: w.admin } });
  }
  t.ok(statuses.size >= 9, `requests answered with ${[...statuses].sort().join(', ')}`);

  const metrics = await w.app.inject({ method: 'GET', url: '/metrics' });
  const series = metrics.body
    .split('\n')
    .map((line) => SERIES.exec(line))
    .filter((match) => match !== null)
    .map(([, method, route, status]) => ({ method: method!, route: route!, status: status! }));
  t.ok(series.length > 0, `${series.length} label sets`);
  t.ok(
    series.every(({ status }) => /^[2-5]xx$/.test(status)),
    'the status label is a class',
  );
  const routes = new Set(w.routes.map((route) => route.url));
  for (const url of ['/healthz', '/readyz', '/metrics']) routes.add(url);
  t.ok(
    series.every(({ route }) => route === 'unmatched' || routes.has(route)),
    'the route label is a registered pattern',
  );
  const unmatched = series.filter(({ route }) => route === 'unmatched');
  t.ok(unmatched.length <= 4, `${unmatched.length} unmatched label sets for 240 URLs × 6 methods`);
  t.ok(
    unmatched.every(({ method }) => method === 'unmatched'),
    'the method of an unmatched request is not a label value',
  );
  const events = series.filter(({ route }) => route === '/v1/audit/events');
  t.same(
    events.map(({ status }) => status).sort(),
    ['2xx', '4xx'],
    'one route answered 200, 400, 401, 403 and 429: two label sets',
  );
  // The bound of docs/api.md: every route with its methods (HEAD with each GET), plus unmatched, × 4 classes.
  const pairs = w.routes.reduce((count, route) => count + (route.method === 'GET' ? 2 : 1), 0) + 3 * 2;
  t.ok(series.length <= (pairs + 1) * 4, `${series.length} ≤ (${pairs} + 1) × 4`);
  // Each label set is a fixed number of lines: 7 buckets, +Inf, sum and count.
  const lines = metrics.body.split('\n').filter((line) => line.startsWith('http_request_duration_seconds'));
  t.equal(lines.length, series.length * 10, 'ten lines per label set');
});
