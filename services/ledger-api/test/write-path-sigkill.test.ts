/**
 * SIGKILL the server while 20 clients write service records (threaded mode: the projector in its
 * worker thread, as by default). After a restart every acknowledged write is in the store and in
 * the read models, no write is there twice, and `pnpm ledger verify` finds the ledger sound.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';
import { allEvents, call, seedWorld } from './scheduler-support.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLIENTS = 20;
/** Writes acknowledged before the kill: enough that many group commits are behind it and more in flight. */
const ACKNOWLEDGED_BEFORE_KILL = 300;

t.test('a server killed during writes keeps every acknowledged write, and verifies', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-sigkill-writes-'));
  const environment = { LEDGER_DATA_DIR: join(directory, 'data'), RATE_LIMIT_REQUESTS_MAX: '1000000' };
  const running: ServerProcess[] = [];
  t.teardown(async () => {
    for (const server of running) await stopServer(server.child);
    rmSync(directory, { recursive: true, force: true });
  });

  const server = await startServer(environment);
  running.push(server);
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  const admin = bootstrapAdminKey(environment.LEDGER_DATA_DIR);
  const volunteerIds = await seedWorld(server, admin, CLIENTS);

  const acknowledged = new Map<string, bigint>();
  let killed = false;
  let refused = 0;
  // On a whole minute: service times with seconds are refused.
  const latestEndMs = Math.floor((Date.now() - 24 * 3600_000) / 60_000) * 60_000;
  const client = async (volunteerId: string): Promise<void> => {
    // One-minute records two minutes apart, all in the past, none overlapping.
    for (let round = 0; !killed; round += 1) {
      const endMs = latestEndMs - round * 120_000;
      let answer: Awaited<ReturnType<typeof call>>;
      try {
        answer = await call(server, admin, `/v1/volunteers/${volunteerId}/service-records`, {
          activity: 'Reading to elders',
          organisationId: 'org1',
          startAt: new Date(endMs - 60_000).toISOString(),
          endAt: new Date(endMs).toISOString(),
        });
      } catch {
        return; // the connection died with the server: this write was never acknowledged
      }
      if (answer.status !== 201) {
        refused += 1;
        continue;
      }
      acknowledged.set(answer.body.recordId as string, BigInt(answer.body.position as string));
      if (acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL && !killed) {
        killed = true;
        server.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(volunteerIds.map(client));
  await exited;
  running.length = 0;
  t.equal(refused, 0, 'no write was refused before the kill');
  t.ok(acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL, `${acknowledged.size} writes acknowledged`);

  const store = createSqliteEventStore({ path: join(environment.LEDGER_DATA_DIR, EVENT_STORE_FILE) });
  const recorded = new Map<string, number>();
  for (const event of await allEvents(store)) {
    if (event.type !== 'ServiceHoursRecorded') continue;
    const recordId = event.data.recordId as string;
    recorded.set(recordId, (recorded.get(recordId) ?? 0) + 1);
  }
  await store.close();
  const missing = [...acknowledged.keys()].filter((recordId) => !recorded.has(recordId));
  t.same(missing, [], 'every acknowledged record is in the store');
  t.ok(
    [...recorded.values()].every((count) => count === 1),
    'no record is stored twice',
  );

  const restarted = await startServer(environment);
  running.push(restarted);
  const highest = [...acknowledged.values()].reduce((a, b) => (a > b ? a : b));
  const pending = await call(
    restarted,
    admin,
    `/v1/organisations/org1/service-records?status=pending&minPosition=${highest}`,
  );
  t.equal(pending.status, 200, 'the read models reach the last acknowledged position after the restart');
  const listed = new Set((pending.body.records as { recordId: string }[]).map((record) => record.recordId));
  t.same(
    [...acknowledged.keys()].filter((recordId) => !listed.has(recordId)),
    [],
    'every acknowledged record is in the read models',
  );
  t.equal(await stopServer(restarted.child), 0, 'the restarted server stops cleanly on SIGTERM');
  running.length = 0;

  const verify = spawnSync(
    'pnpm',
    ['--silent', 'ledger', 'verify', '--quiet', '--data-dir', environment.LEDGER_DATA_DIR],
    { cwd: repositoryRoot, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  t.equal(verify.status, 0, `pnpm ledger verify exits 0\n${verify.stdout}${verify.stderr}`);
  t.notMatch(verify.stdout, /FAIL/, 'no finding');
});
