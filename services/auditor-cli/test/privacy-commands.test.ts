/**
 * `pnpm ledger erase-due` erases a volunteer deactivated longer ago than the retention period and
 * leaves the others; `pnpm ledger rebuild` and `verify` still pass afterwards; `pnpm ledger
 * rotate-master-key` re-wraps the data keys so that personal fields open under the new key only.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createLedger, PersonalKeys } from '@timebank/application';
import { ERASED_TEXT, nationalIdCheckCharacter } from '@timebank/domain';
import {
  MASTER_KEY_FILE,
  NATIONAL_ID_KEY_FILE,
  openEventStore,
  openPersonalKeys,
  openPersonalKeyStore,
} from '@timebank/ledger-opener';

const NATIONAL_ID_KEY = randomBytes(32).toString('hex');
const ADMIN = { id: 'admin-1', role: 'administrator' as const };

function ledgerCommand(dataDir: string, args: string[], environment: Record<string, string> = {}) {
  return spawnSync('pnpm', ['--silent', 'ledger', ...args, '--quiet', '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, LEDGER_STORE: '', LEDGER_MASTER_KEY: '', ...environment },
    timeout: 120_000,
  });
}

async function openAt(dataDir: string, clockMs: number) {
  const store = await openEventStore({ engine: 'sqlite', dataDir });
  const keys = await openPersonalKeys({ engine: 'sqlite', dataDir }, { masterKey: null });
  const ledger = createLedger({
    store,
    clock: () => clockMs,
    nationalIdKey: NATIONAL_ID_KEY,
    personalKeys: keys.keys,
  });
  return { store, keys, ledger, close: async () => (await keys.close(), await store.close()) };
}

t.test('erase-due erases after the retention period; rotation re-wraps the keys', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timebank-privacy-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  writeFileSync(join(dataDir, NATIONAL_ID_KEY_FILE), `${NATIONAL_ID_KEY}\n`, { mode: 0o600 });
  const longAgo = Date.parse('2022-03-01T08:00:00.000Z');
  const past = await openAt(dataDir, longAgo);
  const register = (seed: string, name: string) =>
    past.ledger.execute({
      type: 'RegisterVolunteer',
      idempotencyKey: `register-${seed}`,
      actor: ADMIN,
      name,
      nationalIdNumber: `13010219800101${seed}` + nationalIdCheckCharacter(`13010219800101${seed}`),
      phone: '13800000000',
      community: 'c1',
    });
  const leaving = (await register('001', 'Leaving Person')).streamName.slice('volunteer-'.length);
  const staying = (await register('002', 'Staying Person')).streamName.slice('volunteer-'.length);
  await past.ledger.execute({
    type: 'DeactivateVolunteer',
    idempotencyKey: 'deactivate-1',
    actor: ADMIN,
    volunteerId: leaving,
    reason: 'moved away',
  });
  await past.close();

  const erased = ledgerCommand(dataDir, ['erase-due', '--json'], { LEDGER_RETENTION_DAYS: '365' });
  t.equal(erased.status, 0, erased.stderr);
  t.same(JSON.parse(erased.stdout), { erased: [leaving] }, 'only the volunteer deactivated over a year ago');
  const again = ledgerCommand(dataDir, ['erase-due', '--json'], { LEDGER_RETENTION_DAYS: '365' });
  t.same(JSON.parse(again.stdout), { erased: [] }, 'a second run finds nothing due');

  const keyStore = await openPersonalKeyStore({ engine: 'sqlite', dataDir });
  t.match(await keyStore.dataKey(leaving), { state: 'erased' });
  t.match(await keyStore.dataKey(staying), { state: 'active' });
  await keyStore.close();

  t.equal(ledgerCommand(dataDir, ['rebuild']).status, 0, 'rebuild passes after erasure');
  const verified = ledgerCommand(dataDir, ['verify']);
  t.equal(verified.status, 0, `verify passes after erasure: ${verified.stdout}${verified.stderr}`);

  const oldMaster = readFileSync(join(dataDir, MASTER_KEY_FILE), 'utf8').trim();
  const newMaster = randomBytes(32).toString('hex');
  const rotated = ledgerCommand(dataDir, ['rotate-master-key', '--json'], {
    LEDGER_NEW_MASTER_KEY: newMaster,
  });
  t.equal(rotated.status, 0, rotated.stderr);
  t.match(JSON.parse(rotated.stdout), { rewrapped: 1 }, 'the one active key (the erased one stays erased)');
  t.equal(
    readFileSync(join(dataDir, MASTER_KEY_FILE), 'utf8').trim(),
    newMaster,
    'master.key holds the new key',
  );
  t.not(oldMaster, newMaster);

  // Rotating again with the replaced key as the current one: refused in words, before anything is
  // written (it failed with Node's "unable to authenticate data", exit 3, and left master.key.new).
  const wrongCurrent = ledgerCommand(dataDir, ['rotate-master-key'], {
    LEDGER_MASTER_KEY: oldMaster,
    LEDGER_NEW_MASTER_KEY: randomBytes(32).toString('hex'),
  });
  t.equal(wrongCurrent.status, 2, wrongCurrent.stderr);
  t.match(
    wrongCurrent.stderr,
    /^ledger rotate-master-key: the master key in LEDGER_MASTER_KEY is not the one the personal-data keys were wrapped under/,
  );
  t.notOk(existsSync(join(dataDir, `${MASTER_KEY_FILE}.new`)), 'no master.key.new left behind');
  t.equal(readFileSync(join(dataDir, MASTER_KEY_FILE), 'utf8').trim(), newMaster, 'master.key unchanged');

  const now = await openAt(dataDir, Date.now());
  t.teardown(() => now.close());
  t.equal(
    (await now.ledger.load('volunteer', staying)).state.name,
    'Staying Person',
    'opens under the new key',
  );
  t.equal(
    (await now.ledger.load('volunteer', leaving)).state.name,
    ERASED_TEXT,
    'the erased one stays erased',
  );
  const withOldKey = new PersonalKeys(now.keys.store, Buffer.from(oldMaster, 'hex'));
  await t.rejects(withOldKey.forOpening(staying), 'the old master key unwraps nothing any more');
});

t.test('rotate-master-key refuses a malformed LEDGER_NEW_MASTER_KEY as a usage error (exit 2)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timebank-rotate-usage-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const missing = ledgerCommand(dataDir, ['rotate-master-key']);
  t.equal(missing.status, 2, missing.stderr);
  const oneDigitShort = 'ab'.repeat(31) + 'a';
  const malformed = ledgerCommand(dataDir, ['rotate-master-key'], { LEDGER_NEW_MASTER_KEY: oneDigitShort });
  t.equal(malformed.status, 2, 'like a missing one, not "the command failed" (3)');
  t.match(malformed.stderr, 'LEDGER_NEW_MASTER_KEY must be 64 hex digits');
  t.notMatch(malformed.stderr, oneDigitShort, 'the key is not repeated');
});

// Found by the PostgreSQL operator pass: a mistyped --data-dir (or --postgres-schema) made a new,
// empty key store there and answered "re-wrapped 0 data keys", exit 0, as if it had rotated.
t.test('rotate-master-key where there is no ledger: refused (exit 2), nothing created', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'timebank-rotate-nowhere-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const typo = join(parent, 'dta');
  const run = ledgerCommand(typo, ['rotate-master-key'], {
    LEDGER_MASTER_KEY: 'ab'.repeat(32),
    LEDGER_NEW_MASTER_KEY: 'cd'.repeat(32),
  });
  t.equal(run.status, 2, run.stderr);
  t.match(
    run.stderr,
    /^ledger rotate-master-key: no event store at .*dta\/ledger\.sqlite \(check the data directory\)\n$/,
  );
  t.notOk(existsSync(typo), 'no directory, no key store made');
});

t.test('a malformed LEDGER_MASTER_KEY is bad configuration (exit 2), as a wrong one is', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timebank-master-key-usage-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const store = await openEventStore({ engine: 'sqlite', dataDir });
  await store.close();
  const oneDigitShort = 'ab'.repeat(31) + 'a';
  for (const args of [
    ['erase-due'],
    ['export-records', '--period', '2026-11', '--out', join(dataDir, 'out')],
  ]) {
    const run = ledgerCommand(dataDir, args, { LEDGER_MASTER_KEY: oneDigitShort });
    t.equal(run.status, 2, `${args[0]!}: not "the command failed" (3): ${run.stderr}`);
    t.match(run.stderr, `ledger ${args[0]!}: LEDGER_MASTER_KEY must be 64 hex digits`);
    t.notMatch(run.stderr, oneDigitShort, 'the key is not repeated');
  }
});
