/**
 * SIGKILL the server while it sweeps many due holds; after a restart every hold is expired exactly
 * once and the balances of all accounts still sum to zero. SQLite: the single writer sweeps.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { startServer, stopServer, type ServerProcess } from './server-process.js';
import {
  allEvents,
  call,
  heldTotal,
  holdOutcomes,
  placeHolds,
  seedWorld,
  waitFor,
} from './scheduler-support.js';

/** Modest for a shared 2-core machine; the benchmark expires 100,000. */
const HOLDS = 1000;

t.test('a sweep killed midway is finished after the restart, each hold expired once', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-sigkill-sweep-'));
  const environment = { LEDGER_DATA_DIR: join(directory, 'data'), RATE_LIMIT_REQUESTS_MAX: '1000000' };
  const running: ServerProcess[] = [];
  t.teardown(async () => {
    for (const server of running) await stopServer(server.child);
    rmSync(directory, { recursive: true, force: true });
  });

  // Placed with the clock off, so that all of them are due together when the sweeping server starts.
  const placing = await startServer({ ...environment, LEDGER_SWEEP_INTERVAL_MS: '0' });
  running.push(placing);
  const admin = readFileSync(join(environment.LEDGER_DATA_DIR, 'bootstrap-admin.key'), 'utf8').trim();
  const volunteerIds = await seedWorld(placing, admin, 10);
  const partner = (
    await call(placing, admin, '/v1/admin/api-keys', {
      role: 'partner',
      scope: { kind: 'partner', id: 'p1' },
      label: 'canteen',
    })
  ).body.key as string;
  const started = Date.now();
  await placeHolds([placing], partner, volunteerIds, HOLDS);
  t.comment(`placed in ${Date.now() - started} ms`);
  t.equal(await stopServer(placing.child), 0);
  running.length = 0;
  await new Promise((resolve) => setTimeout(resolve, 1100)); // every hold is now due

  const sweeping = await startServer({ ...environment, LEDGER_SWEEP_INTERVAL_MS: '50' });
  running.push(sweeping);
  let heldAtKill = HOLDS;
  const midway = await waitFor(async () => {
    heldAtKill = await heldTotal(sweeping, admin, volunteerIds);
    return heldAtKill < HOLDS;
  }, 30_000);
  t.ok(midway, 'the sweep has begun');
  t.comment(`killing at ${Date.now() - started} ms with ${heldAtKill} of ${HOLDS} holds still held`);
  sweeping.child.kill('SIGKILL');
  await new Promise((resolve) => sweeping.child.once('exit', resolve));
  running.length = 0;

  const restarted = await startServer({ ...environment, LEDGER_SWEEP_INTERVAL_MS: '50' });
  running.push(restarted);
  t.ok(
    await waitFor(async () => (await heldTotal(restarted, admin, volunteerIds)) === 0, 60_000),
    'after the restart every hold is settled',
  );
  t.comment(`settled at ${Date.now() - started} ms`);
  t.equal(await stopServer(restarted.child), 0);
  running.length = 0;

  const store = createSqliteEventStore({ path: join(environment.LEDGER_DATA_DIR, EVENT_STORE_FILE) });
  const outcomes = holdOutcomes(await allEvents(store));
  await store.close();
  t.equal(outcomes.placed, HOLDS);
  t.equal(outcomes.expiries.size, HOLDS, 'every hold expired');
  t.ok(
    [...outcomes.expiries.values()].every((count) => count === 1),
    'each exactly once',
  );
  t.equal(outcomes.balanceSum, 0, 'Σ balances = 0');
});
