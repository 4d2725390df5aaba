/**
 * SIGKILL the server while it sweeps many due holds; after a restart every hold is expired exactly
 * once and the balances of all accounts still sum to zero. SQLite: the single writer sweeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createLedger } from '@timebank/application';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE, openPersonalKeys } from '@timebank/ledger-opener';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';
import { allEvents, heldTotal, holdOutcomes, seedWorld, waitFor } from './scheduler-support.js';

/** The 10,000; the benchmark expires 100,000. */
const HOLDS = 10_000;
/** One-centipoint holds per volunteer; each volunteer has 1,200 centipoints. */
const VOLUNTEERS = 10;
const PARTNER_USER = { id: 'partner-user-1', role: 'partner', partnerId: 'p1' } as const;

/**
 * Places `HOLDS` one-centipoint holds with a 1 s timeout by in-process ledger writes into the
 * stopped server's store: the same commands the HTTP route sends, without an HTTP round trip each,
 * so that seeding 10,000 takes seconds rather than minutes on a shared machine.
 */
async function placeHoldsInProcess(dataDirectory: string, volunteerIds: readonly string[]): Promise<void> {
  const store = createSqliteEventStore({ path: join(dataDirectory, EVENT_STORE_FILE) });
  // The server's own key store: the volunteers' streams hold sealed personal data.
  const personal = await openPersonalKeys({ engine: 'sqlite', dataDir: dataDirectory }, { masterKey: null });
  const ledger = createLedger({
    store,
    clock: () => Date.now(),
    // Used only to hash national ID numbers at registration, which this seeding does not do.
    nationalIdKey: 'sigkill-seeding-key-0123456789abcdef',
    personalKeys: personal.keys,
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOLDS) {
      const index = next;
      next += 1;
      await ledger.execute({
        type: 'HoldPoints',
        idempotencyKey: `sigkill-hold-${index}`,
        actor: PARTNER_USER,
        volunteerId: volunteerIds[index % volunteerIds.length]!,
        partnerId: 'p1',
        offerId: 'tea',
        centipoints: 1,
        holdTimeoutSeconds: 1,
      });
    }
  };
  try {
    // As many callers as volunteers, so that appends share group commits without racing on a stream.
    await Promise.all(Array.from({ length: volunteerIds.length }, worker));
  } finally {
    await personal.close();
    await store.close();
  }
}

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
  const admin = bootstrapAdminKey(environment.LEDGER_DATA_DIR);
  const volunteerIds = await seedWorld(placing, admin, VOLUNTEERS);
  t.equal(await stopServer(placing.child), 0);
  running.length = 0;
  const started = Date.now();
  await placeHoldsInProcess(environment.LEDGER_DATA_DIR, volunteerIds);
  t.comment(`placed in ${Date.now() - started} ms`);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // every hold is now due

  const sweeping = await startServer({ ...environment, LEDGER_SWEEP_INTERVAL_MS: '50' });
  running.push(sweeping);
  let heldAtKill = HOLDS;
  const midway = await waitFor(async () => {
    heldAtKill = await heldTotal(sweeping, admin, volunteerIds);
    return heldAtKill < HOLDS;
  }, 60_000);
  t.ok(midway, 'the sweep has begun');
  t.comment(`killing at ${Date.now() - started} ms with ${heldAtKill} of ${HOLDS} holds still held`);
  sweeping.child.kill('SIGKILL');
  await new Promise((resolve) => sweeping.child.once('exit', resolve));
  running.length = 0;

  const restarted = await startServer({ ...environment, LEDGER_SWEEP_INTERVAL_MS: '50' });
  running.push(restarted);
  t.ok(
    await waitFor(async () => (await heldTotal(restarted, admin, volunteerIds)) === 0, 180_000),
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
