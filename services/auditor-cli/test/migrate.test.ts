/**
 * `pnpm ledger migrate`: a ledger written before sealing (plaintext personal fields, ids derived
 * from the ID hash) is copied into a new store where those fields are sealed; the new store
 * verifies, reads back decrypted, and still refuses a duplicate registration of a migrated person.
 * A missing source or a non-empty target is refused with nothing written.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createLedger, sealingStore } from '@timebank/application';
import { nationalIdCheckCharacter } from '@timebank/domain';
import { NATIONAL_ID_KEY_FILE, openEventStore, openPersonalKeys } from '@timebank/ledger-opener';
import { runLedger } from './ledger-process.js';

const NATIONAL_ID_KEY = randomBytes(32).toString('hex');
const ADMIN = { id: 'admin-1', role: 'administrator' as const };
const NAME = 'Plaintext Zhangsan';
const PHONE = '13912345678';

const idNumber = (seed: string) =>
  `13010219800101${seed}` + nationalIdCheckCharacter(`13010219800101${seed}`);

/** Every byte of every file in the directory, as latin1 text, to search for plaintext. */
function rawBytes(directory: string): string {
  return readdirSync(directory)
    .map((name) => readFileSync(join(directory, name)).toString('latin1'))
    .join('\n');
}

async function writeOldLedger(dataDir: string): Promise<string> {
  writeFileSync(join(dataDir, NATIONAL_ID_KEY_FILE), `${NATIONAL_ID_KEY}\n`, { mode: 0o600 });
  const store = await openEventStore({ engine: 'sqlite', dataDir });
  // No personalKeys: the ledger as it was before sealing, plaintext fields and derived ids.
  const ledger = createLedger({
    store,
    clock: () => Date.parse('2025-01-01T08:00:00Z'),
    nationalIdKey: NATIONAL_ID_KEY,
  });
  const registered = await ledger.execute({
    type: 'RegisterVolunteer',
    idempotencyKey: 'register-1',
    actor: ADMIN,
    name: NAME,
    nationalIdNumber: idNumber('001'),
    phone: PHONE,
    community: 'c1',
  });
  const volunteerId = registered.streamName.slice('volunteer-'.length);
  await ledger.execute({
    type: 'DeactivateVolunteer',
    idempotencyKey: 'deactivate-1',
    actor: ADMIN,
    volunteerId,
    reason: 'moved to Plaintextville',
  });
  await store.close();
  return volunteerId;
}

t.test('migrate seals an old plaintext ledger into a new verified store', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-migrate-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const oldDir = join(root, 'old');
  const newDir = join(root, 'new');
  mkdirSync(oldDir);
  const volunteerId = await writeOldLedger(oldDir);
  t.ok(rawBytes(oldDir).includes(NAME), 'the old store holds the name in plaintext (the premise)');
  // The reactor had handled the registration (position 1) but not the deactivation.
  writeFileSync(join(oldDir, 'reactor.checkpoint.json'), JSON.stringify({ position: '1', savedAt: 'then' }));

  const migrated = await runLedger(['migrate', '--from', oldDir, '--data-dir', newDir, '--json']);
  t.equal(migrated.status, 0, migrated.stderr);
  t.match(JSON.parse(migrated.stdout), {
    events: 2,
    streams: 1,
    registrationsClaimed: 1,
    nationalIdKeyCopied: true,
    checkpointsCarried: ['reactor.checkpoint.json'],
    verified: true,
  });
  t.match(JSON.parse(readFileSync(join(newDir, 'reactor.checkpoint.json'), 'utf8')), { position: '1' });

  const raw = rawBytes(newDir);
  for (const plain of [NAME, PHONE, 'Plaintextville']) t.notOk(raw.includes(plain), `no plaintext ${plain}`);
  t.equal(readFileSync(join(newDir, NATIONAL_ID_KEY_FILE), 'utf8').trim(), NATIONAL_ID_KEY);

  const verified = await runLedger(['verify', '--data-dir', newDir]);
  t.equal(verified.status, 0, verified.stdout + verified.stderr);

  const store = await openEventStore({ engine: 'sqlite', dataDir: newDir }, { mustExist: true });
  const keys = await openPersonalKeys({ engine: 'sqlite', dataDir: newDir }, { masterKey: null });
  t.teardown(async () => (await keys.close(), await store.close()));
  const [registration] = await sealingStore(store, keys.keys).readStream(`volunteer-${volunteerId}`);
  t.match(
    registration,
    { type: 'VolunteerRegistered', data: { name: NAME, phone: PHONE } },
    'read back decrypted',
  );
  const [stored] = await store.readStream(`volunteer-${volunteerId}`);
  t.match(stored?.data, { name: /^sealed:v1:/ }, 'stored sealed');

  const ledger = createLedger({
    store,
    clock: () => Date.now(),
    nationalIdKey: NATIONAL_ID_KEY,
    personalKeys: keys.keys,
  });
  await t.rejects(
    ledger.execute({
      type: 'RegisterVolunteer',
      idempotencyKey: 'register-again',
      actor: ADMIN,
      name: 'Same Person',
      nationalIdNumber: idNumber('001'),
      phone: '13800000000',
      community: 'c1',
    }),
    { code: 'VOLUNTEER_ALREADY_REGISTERED' },
    'a migrated person cannot register again',
  );
});

t.test(
  'a ledger that already ran with sealing keeps its key store: old sealed values still open',
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'timebank-migrate-mixed-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const oldDir = join(root, 'old');
    const newDir = join(root, 'new');
    mkdirSync(oldDir);
    const plainId = await writeOldLedger(oldDir);
    // Then the upgraded API ran on the same directory: a new registration, sealed, with a random id.
    const oldStore = await openEventStore({ engine: 'sqlite', dataDir: oldDir });
    const oldKeys = await openPersonalKeys({ engine: 'sqlite', dataDir: oldDir }, { masterKey: null });
    const upgraded = createLedger({
      store: oldStore,
      clock: () => Date.parse('2026-01-01T08:00:00Z'),
      nationalIdKey: NATIONAL_ID_KEY,
      personalKeys: oldKeys.keys,
    });
    const sealedId = (
      await upgraded.execute({
        type: 'RegisterVolunteer',
        idempotencyKey: 'register-2',
        actor: ADMIN,
        name: 'Sealed Lisi',
        nationalIdNumber: idNumber('002'),
        phone: '13700000000',
        community: 'c1',
      })
    ).streamName.slice('volunteer-'.length);
    await oldKeys.close();
    await oldStore.close();

    const migrated = await runLedger(['migrate', '--from', oldDir, '--data-dir', newDir, '--json']);
    t.equal(migrated.status, 0, migrated.stderr);
    t.match(JSON.parse(migrated.stdout), { events: 3, streams: 2, registrationsClaimed: 1, verified: true });
    t.notOk(rawBytes(newDir).includes(NAME), 'the plaintext name is sealed');

    const store = await openEventStore({ engine: 'sqlite', dataDir: newDir }, { mustExist: true });
    const keys = await openPersonalKeys({ engine: 'sqlite', dataDir: newDir }, { masterKey: null });
    t.teardown(async () => (await keys.close(), await store.close()));
    const sealing = sealingStore(store, keys.keys);
    t.match((await sealing.readStream(`volunteer-${plainId}`))[0]?.data, { name: NAME });
    t.match((await sealing.readStream(`volunteer-${sealedId}`))[0]?.data, { name: 'Sealed Lisi' });
    const ledger = createLedger({
      store,
      clock: () => Date.now(),
      nationalIdKey: NATIONAL_ID_KEY,
      personalKeys: keys.keys,
    });
    for (const [seed, who] of [
      ['001', 'migrated'],
      ['002', 'registered after the upgrade'],
    ] as const) {
      await t.rejects(
        ledger.execute({
          type: 'RegisterVolunteer',
          idempotencyKey: `again-${seed}`,
          actor: ADMIN,
          name: 'Again',
          nationalIdNumber: idNumber(seed),
          phone: '13800000000',
          community: 'c1',
        }),
        { code: 'VOLUNTEER_ALREADY_REGISTERED' },
        `the ${who} person cannot register again`,
      );
    }
  },
);

t.test('migrate refuses a missing source or a non-empty target and writes nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-migrate-refusals-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const oldDir = join(root, 'old');
  mkdirSync(oldDir);
  await writeOldLedger(oldDir);

  const missingTarget = join(root, 'from-missing');
  const missing = await runLedger(['migrate', '--from', join(root, 'nowhere'), '--data-dir', missingTarget]);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /no event store at/);
  t.notOk(existsSync(missingTarget), 'no target directory created');

  const busy = join(root, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'keep me');
  const nonEmpty = await runLedger(['migrate', '--from', oldDir, '--data-dir', busy]);
  t.equal(nonEmpty.status, 2);
  t.match(nonEmpty.stderr, /is not empty/);
  t.same(readdirSync(busy), ['notes.txt'], 'nothing written into the non-empty directory');

  const noTarget = await runLedger(['migrate', '--from', oldDir]);
  t.equal(noTarget.status, 2);
  t.match(noTarget.stderr, /needs --data-dir/);
});

// Found by a tester: import-records (which writes beside a running server, so the data directory's
// lock does not keep it out) ran while migrate copied the ledger. Its volunteers' data keys were
// made after migrate had copied the key store: in the new ledger their sealed fields opened under
// no key, the duplicate index lacked them, and migrate said "verify OK".
t.test('a write to the old ledger during migrate fails the migration instead of being lost', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-migrate-race-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const from = join(root, 'old');
  mkdirSync(from);
  await writeOldLedger(from);
  const { runMigrate } = await import('../src/migrate-command.js');
  await t.rejects(
    runMigrate({
      from,
      dataDir: join(root, 'new'),
      masterKey: null,
      // Another writer appends to the old ledger once migrate has copied the keys.
      afterKeysCopied: async () => {
        const store = await openEventStore({ engine: 'sqlite', dataDir: from });
        const ledger = createLedger({
          store,
          clock: () => Date.parse('2025-01-02T08:00:00Z'),
          nationalIdKey: NATIONAL_ID_KEY,
        });
        await ledger.execute({
          type: 'RegisterVolunteer',
          idempotencyKey: 'register-during-migrate',
          actor: ADMIN,
          name: 'Late Arrival',
          nationalIdNumber: idNumber('002'),
          phone: PHONE,
          community: 'c1',
        });
        await store.close();
      },
    }),
    /was written while it was being migrated \(1 events appended; import-records, erase-due or tick ran beside it\)/,
  );
});
