/**
 * The acceptance test for backups on SQLite: the real server takes writes over HTTP (volunteers
 * registered, service recorded and confirmed, so points are earned) while `pnpm ledger backup`
 * runs as a process. The backup is restored into a fresh data directory with `pnpm ledger
 * restore`, which verifies it; a server started on the restored directory has every volunteer
 * whose writes were acknowledged before the backup began, with the same hours and points.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  BACKUP_MANIFEST_FILE,
  ERASURE_LIST_FILE,
  EVENT_STORE_FILE,
  NATIONAL_ID_KEY_FILE,
} from '@timebank/ledger-opener';
import { startServer, stopServer } from '../../ledger-api/test/server-process.js';
import { bootstrapKey, call, nationalIdNumber, runLedger } from './ledger-process.js';

const HOUR_MS = 3_600_000;

/** Registers volunteer `sequence`, records two hours of service and confirms them; returns the id. */
async function volunteerWithService(url: string, key: string, sequence: number): Promise<string> {
  const registered = await call(url, key, {
    method: 'POST',
    path: '/v1/volunteers',
    body: {
      name: `Volunteer ${sequence}`,
      nationalIdNumber: nationalIdNumber(sequence),
      phone: '+86-311-5550000',
      community: 'c1',
    },
    idempotencyKey: `register-${sequence}`,
  });
  if (registered.status !== 201)
    throw new Error(`registration ${sequence}: ${JSON.stringify(registered.body)}`);
  const volunteerId = String(registered.body.volunteerId);
  const start = Math.floor((Date.now() - 30 * HOUR_MS) / 60_000) * 60_000;
  const recorded = await call(url, key, {
    method: 'POST',
    path: `/v1/volunteers/${volunteerId}/service-records`,
    body: {
      activity: 'Reading to elders',
      organisationId: 'org1',
      startAt: new Date(start).toISOString(),
      endAt: new Date(start + 2 * HOUR_MS).toISOString(),
    },
    idempotencyKey: `record-${sequence}`,
  });
  if (recorded.status !== 201)
    throw new Error(`service record ${sequence}: ${JSON.stringify(recorded.body)}`);
  const confirmed = await call(url, key, {
    method: 'POST',
    path: `/v1/volunteers/${volunteerId}/service-records/${String(recorded.body.recordId)}/confirm`,
    body: {},
    idempotencyKey: `confirm-${sequence}`,
  });
  if (confirmed.status !== 200)
    throw new Error(`confirmation ${sequence}: ${JSON.stringify(confirmed.body)}`);
  return volunteerId;
}

const summary = async (url: string, key: string, volunteerId: string) =>
  call(url, key, { method: 'GET', path: `/v1/volunteers/${volunteerId}` });

t.test(
  'a backup taken under write load restores, verifies, and keeps every acknowledged write',
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'timebank-backup-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const dataDir = join(root, 'data');
    const backupDir = join(root, 'backup');
    const restoredDir = join(root, 'restored');

    const server = await startServer({ LEDGER_DATA_DIR: dataDir }, root);
    t.teardown(() => void server.child.kill('SIGKILL'));
    const key = bootstrapKey(dataDir);
    const organisation = await call(server.url, key, {
      method: 'POST',
      path: '/v1/admin/organisations',
      body: { organisationId: 'org1', name: 'Qiaoxi Social Work Station', community: 'c1' },
      idempotencyKey: 'org1',
    });
    t.equal(organisation.status, 201, 'organisation registered');

    // The load: one writer after another, as fast as the server acknowledges, until told to stop.
    const acknowledged: string[] = [];
    let sequence = 0;
    let stopping = false;
    const writer = (async () => {
      while (!stopping) acknowledged.push(await volunteerWithService(server.url, key, ++sequence));
    })();
    while (acknowledged.length < 10) await new Promise((resolve) => setTimeout(resolve, 20));

    const acknowledgedBeforeBackup = [...acknowledged];
    const backup = await runLedger(['backup', '--data-dir', dataDir, '--out', backupDir]);
    const acknowledgedDuringBackup = acknowledged.length - acknowledgedBeforeBackup.length;
    stopping = true;
    await writer;
    t.equal(backup.status, 0, `backup exits 0\n${backup.stdout}${backup.stderr}`);
    t.ok(
      acknowledgedDuringBackup > 0,
      `the server kept acknowledging writes during the backup (${acknowledgedDuringBackup})`,
    );
    t.match(backup.stderr, /ledger\.sqlite: \d+ pages copied online/, 'progress names the online copy');
    t.match(backup.stdout, /^backed up \d+ files/m);

    const manifest = JSON.parse(readFileSync(join(backupDir, BACKUP_MANIFEST_FILE), 'utf8')) as {
      files: { name: string; mode: string }[];
    };
    const names = manifest.files.map((file) => file.name);
    t.ok(
      names.includes(EVENT_STORE_FILE) && names.includes(NATIONAL_ID_KEY_FILE),
      `manifest lists ${names.join(', ')}`,
    );
    t.equal(
      manifest.files.find((file) => file.name === NATIONAL_ID_KEY_FILE)?.mode,
      '600',
      'key mode recorded',
    );
    t.equal(statSync(join(backupDir, NATIONAL_ID_KEY_FILE)).mode & 0o777, 0o600, 'key copied with its mode');
    t.notOk(
      readdirSync(backupDir).some((name) => name.endsWith('-wal') || name.endsWith('-shm')),
      'no -wal or -shm copied',
    );

    // What the original says about the volunteers acknowledged before the backup began.
    const expected = new Map<string, unknown>();
    for (const volunteerId of acknowledgedBeforeBackup) {
      expected.set(volunteerId, (await summary(server.url, key, volunteerId)).body);
    }
    t.equal(await stopServer(server.child), 0, 'the original server stops cleanly');

    const restore = await runLedger(['restore', '--from', backupDir, '--data-dir', restoredDir]);
    t.equal(restore.status, 0, `restore exits 0\n${restore.stdout}${restore.stderr}`);
    t.match(restore.stdout, /verify OK: \d+ events in \d+ streams/, 'verify passed on the restored ledger');
    t.match(restore.stderr, /sha256 matches the manifest/, 'the manifest was checked');

    const verify = await runLedger(['verify', '--quiet', '--data-dir', restoredDir]);
    t.equal(verify.status, 0, `pnpm ledger verify passes on the restored data dir\n${verify.stdout}`);

    const restored = await startServer({ LEDGER_DATA_DIR: restoredDir }, root);
    t.teardown(() => void restored.child.kill('SIGKILL'));
    for (const volunteerId of acknowledgedBeforeBackup) {
      const reply = await summary(restored.url, key, volunteerId);
      t.equal(reply.status, 200, `volunteer ${volunteerId} is in the restored ledger`);
      t.same(reply.body, expected.get(volunteerId), `volunteer ${volunteerId}: same hours and points`);
    }
    const first = expected.get(acknowledgedBeforeBackup[0]!) as Record<string, unknown>;
    t.comment(`a restored summary: ${JSON.stringify(first)}`);
    t.equal(await stopServer(restored.child), 0, 'the restored server stops cleanly');

    // An erasure recorded after the backup, in the live list kept outside it, is re-applied: the
    // restored key store erases the person again.
    const liveList = join(root, 'live-erasures.jsonl');
    const erased = acknowledgedBeforeBackup[0]!;
    writeFileSync(
      liveList,
      JSON.stringify({
        volunteerId: erased,
        erasedAt: new Date().toISOString(),
        reason: 'consent withdrawn',
      }) + '\n',
    );
    const again = await runLedger([
      'restore',
      '--from',
      backupDir,
      '--data-dir',
      join(root, 'restored-again'),
      '--erasure-list',
      liveList,
    ]);
    t.equal(again.status, 0, `restore with --erasure-list exits 0\n${again.stderr}`);
    t.match(
      again.stdout,
      /re-applied 1 erasures \(1 erased\); verify OK/,
      'the report counts the re-applied erasure',
    );
    t.match(again.stderr, new RegExp(`erasure of ${erased}: erased`), 'and names it');
    t.match(
      readFileSync(join(root, 'restored-again', ERASURE_LIST_FILE), 'utf8'),
      erased,
      'the restored list keeps it',
    );
  },
);
