/**
 * The operational routes (/healthz, /readyz, /metrics) while the event store does not answer
 * (PostgreSQL restarting, a network cut), asked with an Authorization header as some probes and
 * proxies send one: liveness stays 200 and readiness says why it is not ready. They never
 * resolved a key they do not need; resolving it read the `access-keys` stream, so a store outage
 * made liveness answer 503 (a supervisor would restart a healthy process) and readiness a 500.
 */
import t from 'tap';
import { EventStoreError } from '@timebank/event-store';
import { startHarness } from './harness.js';

t.test('probes with a bearer header answer without the store', async (t) => {
  // 0: every authenticated request reads the access-keys stream's tail first.
  const h = await startHarness(t, { environment: { API_KEY_REFRESH_MS: '0' } });
  const admin = await h.keyFor('admin', { kind: 'all' });
  const down = () => Promise.reject(new EventStoreError('STORE_UNAVAILABLE', 'connect ECONNREFUSED'));
  h.store.readStream = down;
  h.store.headPosition = down;

  for (const authorization of [admin, 'Bearer tbk_not-a-key']) {
    const health = await h.app.inject({ method: 'GET', url: '/healthz', headers: { authorization } });
    t.equal(health.statusCode, 200, 'liveness does not depend on the store');
    t.same(health.json(), { status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz', headers: { authorization } });
    t.equal(ready.statusCode, 503, 'not ready');
    t.same(ready.json(), { status: 'not-ready', reason: 'event store unreachable' });
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
    t.equal(metrics.statusCode, 200, 'metrics are served from memory');
  }
  // A /v1 route still needs its key checked against the store, and says the store is down.
  const read = await h.app.inject({
    method: 'GET',
    url: '/v1/admin/api-keys',
    headers: { authorization: admin },
  });
  t.equal(read.statusCode, 503);
  t.equal(read.json<{ code: string }>().code, 'STORE_UNAVAILABLE');
});

t.test('requests refused because the store is down are one warning a minute, with the reason', async (t) => {
  const h = await startHarness(t, { environment: { API_KEY_REFRESH_MS: '0' } });
  const admin = await h.keyFor('admin', { kind: 'all' });
  h.store.readStream = () =>
    Promise.reject(new EventStoreError('STORE_UNAVAILABLE', 'database or disk is full'));
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const read = await h.app.inject({
      method: 'GET',
      url: '/v1/admin/api-keys',
      headers: { authorization: admin },
    });
    t.equal(read.statusCode, 503);
  }
  const warnings = h.logs
    .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string; refused?: number })
    .filter((entry) => entry.msg === 'requests refused: the store is unavailable');
  t.equal(warnings.length, 1, 'the first refusal warns; the next two are counted for the next warning');
  t.equal(warnings[0]?.level, 40);
  t.match(warnings[0]?.reason, /database or disk is full/);
  t.equal(warnings[0]?.refused, 1);
});
