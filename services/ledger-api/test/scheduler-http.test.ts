/**
 * Through HTTP on a listening server with the scheduler running: a hold nobody captures gives its
 * points back shortly after its timeout, its expiry shows in the volunteer's history at the due
 * time, and a later capture fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startWorld } from './fixtures.js';
import { startServer, stopServer } from './server-process.js';

t.test('an uncaptured 2 s hold is expired by the clock and its points come back', async (t) => {
  const w = await startWorld(t, { LEDGER_SWEEP_INTERVAL_MS: '200' });
  const volunteerId = await w.registerVolunteer(7101);
  await w.earn(volunteerId, 2, 30);
  await w.grantMandate(volunteerId);
  const address = await w.app.listen({ host: '127.0.0.1', port: 0 });
  let requests = 0;
  const call = async (method: string, path: string, authorization: string, body?: unknown) => {
    const response = await fetch(`${address}${path}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined
          ? {}
          : { 'content-type': 'application/json', 'idempotency-key': `scheduler-http-${(requests += 1)}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const redeemable = async () =>
    (await call('GET', `/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`, w.partner)).body
      .redeemableCentipoints;
  t.equal(await redeemable(), 200);

  const held = await call('POST', '/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
    holdTimeoutSeconds: 2,
  });
  t.equal(held.status, 201, JSON.stringify(held.body));
  const { holdId, expiresAt } = held.body as { holdId: string; expiresAt: string };
  t.equal(await redeemable(), 100, 'the hold blocks its points');

  // Observed through the points query only; the bound is generous for a loaded machine.
  const deadline = Date.now() + 20_000;
  while ((await redeemable()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(await redeemable(), 200, 'the points are available again');
  t.ok(Date.now() >= Date.parse(expiresAt), 'not before the hold timed out');

  const history = await call('GET', `/v1/audit/streams/volunteer-${volunteerId}?limit=1000`, w.auditor);
  const expiries = (history.body.events as { type: string; data: Record<string, unknown> }[]).filter(
    (event) => event.type === 'PointsHoldExpired',
  );
  t.equal(expiries.length, 1, 'expired exactly once');
  t.match(expiries[0]?.data, { holdId, expiredAt: expiresAt, centipoints: 100 }, 'effective at the due time');

  const capture = await call('POST', `/v1/partners/p1/holds/${holdId}/capture`, w.partner, { volunteerId });
  t.equal(capture.status, 409);
  t.equal(capture.body.code, 'HOLD_ALREADY_RESOLVED');

  // The backlog is measured after each sweep, over the read models: it drops once both caught up.
  const scrape = () => fetch(`${address}/metrics`).then((response) => response.text());
  let metrics = await scrape();
  while (!/^ledger_due_backlog_items 0$/m.test(metrics) && Date.now() < deadline + 10_000) {
    await new Promise((r) => setTimeout(r, 100));
    metrics = await scrape();
  }
  t.match(metrics, /^ledger_due_backlog_items 0$/m, 'nothing left due');
  t.match(metrics, /^ledger_scheduler_sweeps_total [1-9]/m);
  t.equal((await fetch(`${address}/readyz`)).status, 200);
});

t.test('a process that does not sweep reports no due backlog rather than 0', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-no-sweep-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const server = await startServer({ LEDGER_DATA_DIR: directory, LEDGER_SWEEP_INTERVAL_MS: '0' });
  t.teardown(() => stopServer(server.child));
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  t.notMatch(
    metrics,
    /ledger_due_backlog_items|ledger_due_oldest_lag_seconds/,
    'measured by the sweeping process only',
  );
  t.equal((await fetch(`${server.url}/readyz`)).status, 200, 'and readiness does not judge by it');
});
