/**
 * A full disk under the embedded SQLite store, on a real file system that fills up: a tmpfs of
 * 48 MiB mounted over the data directory (this needs root, as CI and the development machine run;
 * elsewhere that test skips and says why). While it is full, `/readyz` answers 503 and names the
 * disk, a write answers `503 STORE_UNAVAILABLE` saying the disk is full and writes nothing, and
 * reads still answer. Once space is freed, the same request with the same idempotency key is
 * written once, and the server never restarted. A server started on the full disk says so in one
 * line. The second test checks the readiness bound alone, on whatever disk the temp dir is on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fillDisk, smallDisk } from '@timebank/event-store/testing';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';
import { allEvents, seedWorld } from './scheduler-support.js';

const TMPFS_SIZE = '48m';

async function record(
  server: ServerProcess,
  admin: string,
  volunteerId: string,
  idempotencyKey: string,
  endMs: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/v1/volunteers/${volunteerId}/service-records`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${admin}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify({
      activity: 'Reading to elders',
      organisationId: 'org1',
      startAt: new Date(endMs - 60_000).toISOString(),
      endAt: new Date(endMs).toISOString(),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function readiness(server: ServerProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Readiness, asked every 100 ms until it answers 200 or 10 s pass; the last answer. */
async function readyWithin(
  server: ServerProcess,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await readiness(server);
    if (answer.status === 200 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const disk = smallDisk('timebank-disk-full-', TMPFS_SIZE);
const { small: mount } = disk;
t.teardown(() => disk.cleanup());

t.test(
  'a full disk: not ready, writes refused with nothing written, and the same request succeeds once space is freed',
  { skip: disk.skip },
  async (t) => {
    const running: ServerProcess[] = [];
    t.teardown(async () => {
      for (const server of running) await stopServer(server.child);
    });
    const dataDir = join(mount, 'data');
    const server = await startServer({
      LEDGER_DATA_DIR: dataDir,
      LEDGER_DISK_FREE_MIN_MB: '4',
      RATE_LIMIT_REQUESTS_MAX: '1000000',
    });
    running.push(server);
    const admin = bootstrapAdminKey(dataDir);
    const [volunteerId] = await seedWorld(server, admin, 1);
    // On a whole minute, a day back: service times with seconds are refused.
    const endMs = Math.floor((Date.now() - 24 * 3600_000) / 60_000) * 60_000;
    t.equal((await record(server, admin, volunteerId!, 'before', endMs)).status, 201, 'a write with room');
    t.equal((await readyWithin(server)).status, 200, 'ready with room');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const free = /^ledger_data_dir_free_bytes (\d+)$/m.exec(metrics);
    t.ok(free !== null && Number(free[1]) > 4 * 1024 * 1024, `the free-space gauge reads ${free?.[1]} bytes`);

    const filler = join(mount, 'filler');
    fillDisk(filler);
    const full = await readiness(server);
    t.equal(full.status, 503, 'not ready on a full disk');
    t.match(
      full.body.reason,
      /^data directory's disk nearly full: 0 MiB free, below LEDGER_DISK_FREE_MIN_MB \(4\)$/,
    );

    const refused = await record(server, admin, volunteerId!, 'while-full', endMs - 120_000);
    t.equal(refused.status, 503, 'a write on a full disk is refused');
    t.equal(refused.body.code, 'STORE_UNAVAILABLE');
    t.equal(
      refused.body.detail,
      "the event store's disk is full: nothing was written; retry once space is freed",
    );
    const summary = await fetch(`${server.url}/v1/volunteers/${volunteerId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    t.equal(summary.status, 200, 'reads still answer');

    rmSync(filler);
    t.match(
      await readyWithin(server),
      { status: 200, body: { status: 'ready' } },
      'ready again once space is freed',
    );
    const retried = await record(server, admin, volunteerId!, 'while-full', endMs - 120_000);
    t.equal(retried.status, 201, 'the refused request, retried with its idempotency key, is written');
    t.equal(server.child.exitCode, null, 'the server never stopped');
    await stopServer(server.child);
    running.length = 0;

    const store = createSqliteEventStore({ path: join(dataDir, EVENT_STORE_FILE) });
    const recordIds = (await allEvents(store))
      .filter((event) => event.type === 'ServiceHoursRecorded')
      .map((event) => event.data.recordId as string);
    await store.close();
    // One seeded record, the one before the disk filled, and the retried one: nothing from the refusal.
    t.equal(recordIds.length, 3, 'three records in the store');
    t.ok(recordIds.includes(retried.body.recordId as string), 'the retried record among them');

    // A restart on the full disk: one line saying so, exit 1, not a stack trace.
    fillDisk(filler);
    const refusal = await startServer({ LEDGER_DATA_DIR: dataDir }).then(
      () => undefined,
      (error: unknown) => String(error),
    );
    t.equal(
      refusal,
      'Error: server exited with 1: ledger-api: failed to start: no space left on the disk of the data directory (database or disk is full); free space and start again\n',
    );
    rmSync(filler);
  },
);

t.test(
  'readiness answers 503 while the data directory has less free space than LEDGER_DISK_FREE_MIN_MB',
  async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'timebank-disk-bound-'));
    const running: ServerProcess[] = [];
    t.teardown(async () => {
      for (const server of running) await stopServer(server.child);
      rmSync(directory, { recursive: true, force: true });
    });
    // 100,000,000 MiB (95 TiB): more than any disk this runs on has free.
    const bounded = await startServer({
      LEDGER_DATA_DIR: join(directory, 'bounded'),
      LEDGER_DISK_FREE_MIN_MB: '100000000',
    });
    running.push(bounded);
    const answer = await readiness(bounded);
    t.equal(answer.status, 503);
    t.match(
      answer.body.reason,
      /^data directory's disk nearly full: \d+ MiB free, below LEDGER_DISK_FREE_MIN_MB \(100000000\)$/,
    );
    const unbounded = await startServer({
      LEDGER_DATA_DIR: join(directory, 'unbounded'),
      LEDGER_DISK_FREE_MIN_MB: '0',
    });
    running.push(unbounded);
    t.equal((await readyWithin(unbounded)).status, 200, '0 turns the check off');
  },
);
