/**
 * The read-model projector in its own worker thread (the default for SQLite): reads with
 * `minPosition` still see the caller's own writes while other writes keep coming, close() ends the
 * thread, and a worker that cannot start fails start-up instead of hanging it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/http/logging.js';
import { ProjectorThread } from '../src/projector-thread.js';
import { wireLedgerApi } from '../src/wiring.js';
import { startWorld } from './fixtures.js';

t.test('read-your-writes through the projector thread while 20 writers keep writing', async (t) => {
  const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '10000' });
  t.equal(w.projector.threaded, true, 'SQLite runs the projector in a worker thread by default');
  const volunteerIds = await Promise.all(
    Array.from({ length: 20 }, (_, index) => w.registerVolunteer(7301 + index)),
  );
  const acknowledged: bigint[] = [];
  let failures = 0;
  const writer = async (volunteerId: string): Promise<void> => {
    for (let round = 0; round < 5; round += 1) {
      // On a whole minute: service times with seconds are refused.
      const endMs = Math.floor((Date.now() - (round * 2 + 1) * 3600_000) / 60_000) * 60_000;
      const recorded = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.organiser, {
        activity: 'Tutoring',
        organisationId: 'org1',
        startAt: new Date(endMs - 3600_000).toISOString(),
        endAt: new Date(endMs).toISOString(),
      });
      if (recorded.statusCode !== 201) {
        t.comment(recorded.body);
        failures += 1;
        continue;
      }
      const { recordId, position } = recorded.json<{ recordId: string; position: string }>();
      acknowledged.push(BigInt(position));
      const pending = await w.get(
        `/v1/organisations/org1/service-records?status=pending&minPosition=${position}`,
        w.organiser,
      );
      const records = pending.json<{ records?: { recordId: string }[] }>().records ?? [];
      if (pending.statusCode !== 200 || !records.some((record) => record.recordId === recordId)) {
        t.comment(`record ${recordId} at ${position} not read back: ${pending.statusCode}`);
        failures += 1;
      }
    }
  };
  await Promise.all(volunteerIds.map(writer));
  t.equal(failures, 0, 'every write answered 201 and every read at its position saw it');
  t.equal(acknowledged.length, 100);
  t.ok(w.projector.checkpoint() >= acknowledged.reduce((a, b) => (a > b ? a : b)), 'checkpoint reported');
});

t.test('close() ends the projector thread; later waits are refused, not hung', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-projector-thread-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  const wired = await wireLedgerApi({
    config: loadConfig({ LEDGER_DATA_DIR: directory, LEDGER_SWEEP_INTERVAL_MS: '0' }),
    store,
    logger: createLogger({ level: 'silent' }),
  });
  t.equal(wired.projector.threaded, true);
  const issued = await wired.context.keys.issue({
    role: 'admin',
    scope: { kind: 'all' },
    label: 'admin',
    issuedBy: 'test',
    idempotencyKey: 'admin-key',
  });
  t.ok(issued.key.length > 0);
  const head = await store.headPosition();
  t.ok(await wired.projector.waitFor(head, 10_000), 'the thread applied the key issue');
  await wired.close();
  await t.rejects(
    wired.projector.waitForPosition(head + 1n),
    { code: 'PROJECTION_STOPPED' },
    'a wait after close is refused at once',
  );
  await store.close();
});

t.test('a projector thread that cannot open its store fails start, with the cause', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-projector-thread-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  // A directory where the store's file should be: SQLite cannot open it.
  mkdirSync(join(directory, EVENT_STORE_FILE));
  const errors: Error[] = [];
  await t.rejects(
    ProjectorThread.start({
      dataDir: directory,
      rules: DEFAULT_LEDGER_RULES,
      onError: (error) => errors.push(error),
    }),
    { message: /projector thread: / },
  );
  t.ok(errors.length > 0, 'the error was reported');
});
