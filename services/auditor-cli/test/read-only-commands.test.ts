/**
 * The reading commands of `pnpm ledger` leave an auditor's data directory as it was, on a data
 * directory a real server wrote and then stopped:
 *
 * - `due` and `export-records` of a read-only one (a read-only bind mount as root, as these tests
 *   run; without root, a copy without write permission) work on a private copy under TMPDIR, as
 *   `verify` and `export` do. Before, both failed: exit 3, `cannot open the event store`.
 * - `export-records` never creates key material: without `master.key` (and LEDGER_MASTER_KEY) or
 *   `personal-keys.sqlite` it is refused, exit 2, and creates neither. Before, with both missing, it
 *   generated a new master key and key store and exported the records.
 * - `verify` of a writable one leaves every file byte for byte (hashed, -wal and -shm included).
 *   Before, it created and dropped its shadow tables in projections.sqlite and restamped the event
 *   store's schema version, changing both files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { MASTER_KEY_FILE, PERSONAL_KEYS_FILE } from '@timebank/ledger-opener';
import { startServer, stopServer } from '../../ledger-api/test/server-process.js';
import { bootstrapKey, call, runLedger } from './ledger-process.js';

const HOUR_MS = 3_600_000;
const asRoot = process.getuid?.() === 0;

/** Every file of `directory` with the sha-256 of its bytes: what a reading command must not change. */
function fingerprint(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .map(
      (name) =>
        `${name} ${createHash('sha256')
          .update(readFileSync(join(directory, name)))
          .digest('hex')}`,
    );
}

/** Copies of the ledger verify, export, due or export-records left in TMPDIR. */
const privateCopies = (temporary: string): string[] =>
  readdirSync(temporary).filter((name) => name.startsWith('ledger-'));

/** Registers a volunteer, records two hours of service and confirms them, over the real API. */
async function volunteerWithService(url: string, key: string): Promise<void> {
  const organisation = await call(url, key, {
    method: 'POST',
    path: '/v1/admin/organisations',
    body: { organisationId: 'org1', name: 'Qiaoxi Social Work Station', community: 'c1' },
    idempotencyKey: 'organisation',
  });
  if (organisation.status !== 201) throw new Error(`organisation: ${JSON.stringify(organisation.body)}`);
  const registered = await call(url, key, {
    method: 'POST',
    path: '/v1/volunteers',
    body: {
      name: 'Zhang San',
      nationalIdNumber: '110101199003074514',
      phone: '+86-311-5550000',
      community: 'c1',
    },
    idempotencyKey: 'register',
  });
  if (registered.status !== 201) throw new Error(`registration: ${JSON.stringify(registered.body)}`);
  const volunteerId = String(registered.body.volunteerId);
  const start = Math.floor((Date.now() - 30 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const recorded = await call(url, key, {
    method: 'POST',
    path: `/v1/volunteers/${volunteerId}/service-records`,
    body: {
      activity: 'Reading to elders',
      organisationId: 'org1',
      startAt: new Date(start).toISOString(),
      endAt: new Date(start + 2 * HOUR_MS).toISOString(),
    },
    idempotencyKey: 'record',
  });
  if (recorded.status !== 201) throw new Error(`service record: ${JSON.stringify(recorded.body)}`);
  const confirmed = await call(url, key, {
    method: 'POST',
    path: `/v1/volunteers/${volunteerId}/service-records/${String(recorded.body.recordId)}/confirm`,
    body: {},
    idempotencyKey: 'confirm',
  });
  if (confirmed.status !== 200) throw new Error(`confirmation: ${JSON.stringify(confirmed.body)}`);
}

/**
 * The data directory a real server wrote (a volunteer with confirmed service) and left when it
 * stopped, in a directory removed at teardown, with a TMPDIR of its own for the runs.
 */
async function stoppedServersLedger(t: Test): Promise<{ root: string; dataDir: string; temporary: string }> {
  const root = mkdtempSync(join(tmpdir(), 'timebank-read-only-commands-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const server = await startServer({ LEDGER_DATA_DIR: dataDir }, root);
  try {
    await volunteerWithService(server.url, bootstrapKey(dataDir));
  } finally {
    await stopServer(server.child);
  }
  const temporary = join(root, 'tmp');
  mkdirSync(temporary);
  return { root, dataDir, temporary };
}

function isReadOnly(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/** Binds `source` read-only at `target`; whether it took (an older mount(8) ignores `ro` on a bind). */
function bindReadOnly(source: string, target: string): boolean {
  if (spawnSync('mount', ['--bind', '-o', 'ro', source, target]).status !== 0) return false;
  if (!isReadOnly(target)) spawnSync('mount', ['-o', 'remount,bind,ro', target]);
  if (isReadOnly(target)) return true;
  spawnSync('umount', [target]);
  return false;
}

/** As root, whether a read-only bind mount can be made here (a container may refuse `mount`). */
function bindMountsWork(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'timebank-bind-probe-'));
  try {
    mkdirSync(join(probe, 'source'));
    mkdirSync(join(probe, 'target'));
    if (!bindReadOnly(join(probe, 'source'), join(probe, 'target'))) return false;
    spawnSync('umount', [join(probe, 'target')]);
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const skipReadOnly =
  asRoot && !bindMountsWork()
    ? 'as root only a read-only bind mount keeps this process from writing, and `mount --bind -o ro` is refused here'
    : false;

/**
 * `source` seen read-only at `target`: as root a read-only bind mount (root writes anywhere the
 * modes forbid), unmounted at teardown; otherwise a copy without write permission.
 */
function readOnlyView(t: Test, source: string, target: string): string {
  mkdirSync(target);
  if (!asRoot) {
    cpSync(source, target, { recursive: true });
    for (const name of readdirSync(target)) chmodSync(join(target, name), 0o444);
    chmodSync(target, 0o555);
    t.teardown(() => chmodSync(target, 0o755));
    return target;
  }
  if (!bindReadOnly(source, target)) throw new Error(`cannot bind ${source} read-only at ${target}`);
  // Before the directory is removed: registered later, tap runs it first.
  t.teardown(() => void spawnSync('umount', [target]));
  return target;
}

t.test(
  'due and export-records work on a read-only data directory and leave it as it was',
  { skip: skipReadOnly },
  async (t) => {
    const { root, dataDir, temporary } = await stoppedServersLedger(t);
    const view = readOnlyView(t, dataDir, join(root, 'auditor-view'));
    const before = fingerprint(view);
    const environment = { TMPDIR: temporary };

    const due = await runLedger(['due', '--data-dir', view], environment);
    t.equal(due.status, 0, `due exits 0: ${due.stderr}`);
    t.match(
      due.stderr,
      `ledger due: ${view} is read-only: copying it into a private directory under ${temporary} to list what is due there (removed afterwards)`,
    );
    t.match(due.stdout, /^\d+ overdue, \d+ upcoming/m);
    t.same(privateCopies(temporary), [], 'the private copy is removed');

    const out = join(root, 'platform');
    const period = new Date(Date.now() - 30 * HOUR_MS).toISOString().slice(0, 7);
    const exported = await runLedger(
      ['export-records', '--period', period, '--data-dir', view, '--out', out],
      environment,
    );
    t.equal(exported.status, 0, `export-records exits 0: ${exported.stderr}`);
    t.match(
      exported.stderr,
      `ledger export-records: ${view} is read-only: copying it into a private directory`,
    );
    t.match(exported.stdout, `exported 1 volunteers, 1 service records`);
    // The sealed name opens: the copy took the key store and the master key along.
    t.match(readFileSync(join(out, `records-${period}.csv`), 'utf8'), 'Zhang San');
    t.same(privateCopies(temporary), [], 'the private copy is removed');
    t.same(fingerprint(view), before, 'every file is byte for byte as it was');
  },
);

t.test('export-records never creates a master key or key store', async (t) => {
  const { root, dataDir } = await stoppedServersLedger(t);
  const out = join(root, 'platform');
  const args = ['export-records', '--period', '2026-12', '--data-dir', dataDir, '--out', out];

  rmSync(join(dataDir, MASTER_KEY_FILE));
  const before = fingerprint(dataDir);
  const withoutKey = await runLedger(args);
  t.equal(withoutKey.status, 2, `exit 2: ${withoutKey.stderr}`);
  t.equal(
    withoutKey.stderr,
    `ledger export-records: no master key: ${join(dataDir, MASTER_KEY_FILE)} does not exist and LEDGER_MASTER_KEY is not set; a command that reads personal data never creates one (nothing was written): restore master.key from your backup, or set LEDGER_MASTER_KEY\n`,
  );
  t.same(fingerprint(dataDir), before, 'nothing created or changed');

  // Neither key nor key store: a first open would make both (and did, exporting unreadable records).
  rmSync(join(dataDir, PERSONAL_KEYS_FILE));
  const bare = fingerprint(dataDir);
  const neither = await runLedger(args);
  t.equal(neither.status, 2, `exit 2: ${neither.stderr}`);
  t.match(neither.stderr, /^ledger export-records: no master key: /);
  t.same(fingerprint(dataDir), bare, 'no master.key, no personal-keys.sqlite');
  t.notOk(existsSync(out), 'nothing exported');

  // A master key given but no key store: refused alike, the store not created.
  const keyGiven = await runLedger(args, { LEDGER_MASTER_KEY: 'ab'.repeat(32) });
  t.equal(keyGiven.status, 2, `exit 2: ${keyGiven.stderr}`);
  t.match(keyGiven.stderr, `no personal-data key store: ${join(dataDir, PERSONAL_KEYS_FILE)} does not exist`);
  t.same(fingerprint(dataDir), bare, 'no personal-keys.sqlite');
});

t.test('verify of a writable data directory leaves every file byte for byte', async (t) => {
  const { dataDir, temporary } = await stoppedServersLedger(t);
  const before = fingerprint(dataDir);
  const verified = await runLedger(['verify', '--data-dir', dataDir], { TMPDIR: temporary });
  t.equal(verified.status, 0, `exit 0: ${verified.stdout}${verified.stderr}`);
  t.match(verified.stdout, /^OK: \d+ events/m);
  t.notMatch(verified.stderr, 'copying it', 'the ledger itself is verified, not a copy');
  t.same(fingerprint(dataDir), before, 'every file (-wal and -shm included) is as it was');
});
