/**
 * The rate limiter (src/http/rate-limit.ts) on its own, with a hand-driven clock: the window, the
 * headers every answer carries, the refusal, and the bound on the counters it keeps. The HTTP
 * behaviour (per key, per address, 429 RATE_LIMITED) is in platform.test.ts and certificates.test.ts.
 */
import t from 'tap';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter } from '../src/http/rate-limit.js';
import { ProblemError } from '../src/http/problem.js';
import { startHarness } from './harness.js';

function harness(max: number, timeWindow: number) {
  let nowMs = 1_000_000;
  const limiter = new RateLimiter({ max, timeWindow, now: () => nowMs }, (request) => String(request.id));
  const call = (key: string) => {
    const headers: Record<string, unknown> = {};
    const reply = {
      header(name: string, value: unknown) {
        headers[name] = value;
        return reply;
      },
    } as unknown as FastifyReply;
    let refused: unknown;
    try {
      limiter.check({ id: key } as FastifyRequest, reply);
    } catch (error) {
      refused = error;
    }
    return { headers, refused };
  };
  return { call, advance: (ms: number) => (nowMs += ms) };
}

t.test('a window counts requests per key and refuses past the budget until it ends', async (t) => {
  const { call, advance } = harness(2, 60_000);
  t.same(call('a').headers, { 'x-ratelimit-limit': 2, 'x-ratelimit-remaining': 1, 'x-ratelimit-reset': 60 });
  advance(30_500);
  t.same(call('a').headers, { 'x-ratelimit-limit': 2, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': 30 });
  const refused = call('a');
  t.ok(refused.refused instanceof ProblemError, 'the third is refused');
  t.equal((refused.refused as ProblemError).code, 'RATE_LIMITED');
  t.equal((refused.refused as ProblemError).status, 429);
  t.same(refused.headers, {
    'x-ratelimit-limit': 2,
    'x-ratelimit-remaining': 0,
    'x-ratelimit-reset': 30,
    'retry-after': 30,
  });
  t.equal(call('b').refused, undefined, 'another key has its own budget');
  advance(29_500);
  const next = call('a');
  t.equal(next.refused, undefined, 'a new window opens when the old one ends');
  t.same(next.headers, { 'x-ratelimit-limit': 2, 'x-ratelimit-remaining': 1, 'x-ratelimit-reset': 60 });
});

t.test('the reset is whole seconds as text, for short and long windows alike', async (t) => {
  for (const [timeWindow, advanceMs, reset] of [
    [60_000, 0, '60'],
    [60_000, 59_001, '1'],
    [60_000, 59_000, '1'],
    [1500, 0, '2'],
    [7_200_000, 0, '7200'],
    [7_200_000, 3_600_500, '3600'],
  ] as const) {
    const { call, advance } = harness(1000, timeWindow);
    call('a');
    advance(advanceMs);
    const { headers } = call('a');
    t.strictSame(
      headers,
      { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '998', 'x-ratelimit-reset': reset },
      `${timeWindow} ms window, ${advanceMs} ms in`,
    );
  }
});

t.test('a budget of zero refuses every request', async (t) => {
  const { call } = harness(0, 1000);
  t.ok(call('a').refused instanceof ProblemError);
});

t.test('the counters kept are bounded: ended windows go first, then the oldest open one', async (t) => {
  const { call, advance } = harness(1, 1000);
  call('hot');
  t.ok(call('hot').refused, 'hot is over its budget');
  for (let index = 0; index < 4999; index += 1) call(`key-${index}`);
  // 5,000 counters: one more forgets the oldest open window, hot's.
  call('one-more');
  t.equal(call('hot').refused, undefined, 'the oldest window was forgotten, so hot counts afresh');
  advance(1000);
  // Every window has ended: the next new key drops them all rather than one.
  call('after');
  t.equal(call('key-4998').refused, undefined, 'an ended window counts afresh');
});

t.test('limits must be whole and non-negative', async (t) => {
  t.throws(() => new RateLimiter({ max: -1, timeWindow: 1000 }, () => ''), RangeError);
  t.throws(() => new RateLimiter({ max: 1.5, timeWindow: 1000 }, () => ''), RangeError);
  t.throws(() => new RateLimiter({ max: 1, timeWindow: Number.NaN }, () => ''), RangeError);
});

t.test('through the app, each request counts once, a HEAD as much as a GET', async (t) => {
  const h = await startHarness(t, { environment: { RATE_LIMIT_REQUESTS_MAX: '4' } });
  const auditor = await h.keyFor('auditor', { kind: 'all' });
  const call = (method: 'GET' | 'HEAD') =>
    h.app.inject({ method, url: '/v1/audit/events', headers: { authorization: auditor } });
  const remaining: unknown[] = [];
  for (const method of ['GET', 'HEAD', 'GET', 'HEAD'] as const) {
    const response = await call(method);
    t.equal(response.statusCode, 200, method);
    t.equal(response.headers['x-ratelimit-limit'], '4');
    remaining.push(response.headers['x-ratelimit-remaining']);
  }
  t.same(remaining, ['3', '2', '1', '0'], 'one count per request');
  const limited = await call('GET');
  t.equal(limited.statusCode, 429);
  t.ok(Number(limited.headers['retry-after']) > 0, 'a refusal says when to retry');
  t.type(limited.headers['x-request-id'], 'string', 'and carries the request id');
});

// Found over HTTP: api.md says requests without a valid key are limited per client address, but
// a refused key (401) was never counted, so one address could try keys or session tokens without
// end; each volunteer token tried also reads that volunteer's credentials stream.
t.test('requests refused as unauthenticated count against their address', async (t) => {
  const h = await startHarness(t, { environment: { RATE_LIMIT_REQUESTS_MAX: '3' } });
  const guess = () =>
    h.app.inject({
      method: 'GET',
      url: '/v1/audit/events',
      headers: { authorization: 'Bearer tbk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
  const statuses: number[] = [];
  for (let index = 0; index < 3; index += 1) statuses.push((await guess()).statusCode);
  t.same(statuses, [401, 401, 401], 'within the budget a wrong key is 401');
  const limited = await guess();
  t.equal(limited.statusCode, 429, 'past it the address is limited');
  t.equal(limited.json<{ code: string }>().code, 'RATE_LIMITED');
  const noKey = await h.app.inject({ method: 'GET', url: '/v1/audit/events' });
  t.equal(noKey.statusCode, 429, 'also without any key');
  const auditor = await h.keyFor('auditor', { kind: 'all' });
  const valid = await h.app.inject({
    method: 'GET',
    url: '/v1/audit/events',
    headers: { authorization: auditor },
  });
  t.equal(valid.statusCode, 200, 'a valid key keeps its own budget');
});
