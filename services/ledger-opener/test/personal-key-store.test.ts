/**
 * The personal-data key store, one suite run against both adapters (SQLite file, PostgreSQL
 * tables): keys are minted once, an erased key stays erased (a tombstone, never a fresh key),
 * claims are atomic, rotation re-wraps keys so that sealed fields still open; and the sealer
 * binds a field to its event type and stream.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import t, { type Test } from 'tap';
import {
  fieldContext,
  openField,
  PersonalKeys,
  rotateMasterKey,
  sealField,
  type PersonalKeyStore,
} from '@timebank/application';
import { EventStoreError } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import {
  MASTER_KEY_FILE,
  openPersonalKeys,
  openPersonalKeyStore,
  PERSONAL_KEYS_FILE,
  resolveMasterKey,
  type StoreConfig,
} from '../src/index.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');

function temporaryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-keys-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

async function keyStoreContract(t: Test, store: PersonalKeyStore): Promise<void> {
  const master = randomBytes(32);
  const keys = new PersonalKeys(store, master);
  t.equal(await store.anyActiveDataKey(), null, 'an empty store has no key to check a master key on');
  const first = await keys.forSealing('v1');
  t.match(await store.anyActiveDataKey(), { volunteerId: 'v1', wrappedKey: Buffer }, 'one stored key');
  t.same(
    await new PersonalKeys(store, master).forSealing('v1'),
    first,
    'minted once, found again by another process',
  );
  const sealed = sealField(first, 'Li Hua', fieldContext('VolunteerRegistered', 'volunteer-v1'));
  t.equal(openField(first, sealed, fieldContext('VolunteerRegistered', 'volunteer-v1')), 'Li Hua');
  t.throws(
    () => openField(first, sealed, fieldContext('VolunteerRegistered', 'volunteer-v2')),
    'a sealed field copied to another stream does not open',
  );

  const claims = await Promise.all(
    Array.from({ length: 10 }, (_, index) => keys.claimRegistration('ab'.repeat(32), `candidate${index}`)),
  );
  t.equal(new Set(claims).size, 1, 'ten concurrent claims agree on one volunteer');
  t.equal(await store.findRegistration('ab'.repeat(32)), claims[0]);
  t.match(
    await store.dataKey(claims[0]!),
    { state: 'active' },
    'the claim minted the key in its transaction',
  );
  t.equal(await store.dataKey('candidate-never'), null);
  const newMaster = randomBytes(32);
  const rotated = await rotateMasterKey(store, master, newMaster);
  t.equal(rotated, 2, 'every active key re-wrapped');
  const afterRotation = new PersonalKeys(store, newMaster);
  t.same(await afterRotation.forOpening('v1'), first, 'the same data key opens under the new master key');
  await t.rejects(
    new PersonalKeys(store, master).forOpening('v1'),
    'the old master key no longer unwraps it',
  );

  await afterRotation.erase(claims[0]!, '2026-01-01T00:00:00.000Z');
  t.match(await store.dataKey(claims[0]!), { state: 'erased' }, 'a tombstone, not a missing row');
  t.equal(await store.findRegistration('ab'.repeat(32)), null, 'the index entry is gone with it');
  t.equal(await afterRotation.forOpening(claims[0]!), null, 'an erased key opens nothing');
  await t.rejects(
    afterRotation.forSealing(claims[0]!),
    { code: 'VOLUNTEER_PERSONAL_DATA_ERASED' },
    'an append for an erased volunteer never mints a new key',
  );
  t.match(
    await store.insertDataKey(claims[0]!, randomBytes(60)),
    { state: 'erased' },
    'the store itself refuses to revive an erased key',
  );
  t.same(
    (await store.activeDataKeys()).map((key) => key.volunteerId),
    ['v1'],
    'rotation will not see erased keys',
  );
}

t.test('SQLite key store (personal-keys.sqlite)', async (t) => {
  const dataDir = temporaryDirectory(t);
  const store = await openPersonalKeyStore({ engine: 'sqlite', dataDir });
  t.teardown(() => store.close());
  await keyStoreContract(t, store);
  t.ok(statSync(join(dataDir, PERSONAL_KEYS_FILE)).isFile(), 'a file of its own beside the event store');
});

t.test(
  'PostgreSQL key store (tables of its own)',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `ledger_keys_${randomBytes(6).toString('hex')}`;
    const store = await openPersonalKeyStore({ engine: 'postgres', url: postgresUrl!, schema });
    t.teardown(async () => {
      await store.close();
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      await client.end();
    });
    await keyStoreContract(t, store);
  },
);

t.test(
  'PostgreSQL key store: a pooled connection whose backend dies does not crash the process',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `ledger_keys_${randomBytes(6).toString('hex')}`;
    const store = await openPersonalKeyStore({ engine: 'postgres', url: postgresUrl!, schema });
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    t.teardown(async () => {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(schema)} CASCADE`);
      await admin.end();
    });
    t.equal(await store.dataKey('v1'), null, 'a look-up leaves an idle connection in the pool');
    // The pool's idle connections, found by the (quoted) schema in their last statement (ours alone), and
    // ended as PostgreSQL going away (a restart, a failover, a network cut) would end them.
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND query LIKE $1`,
      [`%"${schema}".%`],
    );
    t.ok((killed.rowCount ?? 0) >= 1, 'the idle connection was terminated');
    // Without an 'error' listener on the pool, the idle client's error is an uncaught exception here.
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.equal(await store.dataKey('v1'), null, 'the next look-up connects afresh');
  },
);

t.test('the master key is generated once into a 0600 file, or taken from configuration', async (t) => {
  const directory = temporaryDirectory(t);
  const generated = resolveMasterKey(null, directory);
  t.equal(generated.length, 32);
  t.same(resolveMasterKey(null, directory), generated, 'the second run reads the same key');
  t.equal(statSync(join(directory, MASTER_KEY_FILE)).mode & 0o777, 0o600);
  const configured = randomBytes(32).toString('hex');
  t.same(resolveMasterKey(configured, directory), Buffer.from(configured, 'hex'));
  t.throws(() => resolveMasterKey('not-hex', directory), /LEDGER_MASTER_KEY must be 64 hex digits/);
});

/**
 * Start-up refuses a master key that cannot open the stored data keys, instead of starting and
 * failing every personal read: a master.key missing while keys are stored (a new one would have
 * been generated), and a key that is not the one they were wrapped under.
 */
async function masterKeyChecks(
  t: Test,
  config: StoreConfig,
  dataDir: string,
  otherDir: string,
): Promise<void> {
  const first = await openPersonalKeys(config, { masterKey: null, readModelDataDir: dataDir });
  await first.keys.forSealing('v1');
  await first.close();
  const again = await openPersonalKeys(config, { masterKey: null, readModelDataDir: dataDir });
  t.ok(await again.keys.forOpening('v1'), 'the generated master.key opens its keys');
  await again.close();

  await t.rejects(
    openPersonalKeys(config, { masterKey: randomBytes(32).toString('hex'), readModelDataDir: dataDir }),
    { name: 'LedgerOpenError', reason: 'wrong-key', message: /LEDGER_MASTER_KEY is not the one/ },
    'a configured key that is not theirs',
  );
  const path = join(dataDir, MASTER_KEY_FILE);
  renameSync(path, `${path}.aside`);
  await t.rejects(
    openPersonalKeys(config, { masterKey: null, readModelDataDir: dataDir }),
    { name: 'LedgerOpenError', reason: 'missing', message: /no master key: .*master\.key does not exist/ },
    'master.key gone while keys are stored',
  );
  t.throws(() => statSync(path), 'and no new master key was generated');
  renameSync(`${path}.aside`, path);
  if (config.engine === 'postgres')
    await t.rejects(
      openPersonalKeys(config, { masterKey: null, readModelDataDir: otherDir }),
      { name: 'LedgerOpenError', reason: 'missing', message: /no master key/ },
      'another local directory without the master key',
    );
  const restored = await openPersonalKeys(config, { masterKey: null, readModelDataDir: dataDir });
  t.ok(await restored.keys.forOpening('v1'), 'the restored master.key opens them again');
  await restored.close();
}

/** Two processes opening a new store with master keys of their own: the second is refused at once. */
async function firstOpens(t: Test, config: StoreConfig, dataDir: string): Promise<void> {
  const mine = randomBytes(32).toString('hex');
  const first = await openPersonalKeys(config, { masterKey: mine, readModelDataDir: dataDir });
  await first.close();
  await t.rejects(
    openPersonalKeys(config, { masterKey: randomBytes(32).toString('hex'), readModelDataDir: dataDir }),
    { name: 'LedgerOpenError', reason: 'wrong-key', message: /need the same master key/ },
    'another master key is refused before any volunteer has a key',
  );
  const again = await openPersonalKeys(config, { masterKey: mine, readModelDataDir: dataDir });
  await again.close();
  t.pass('the first master key opens it again');
}

t.test('SQLite: start-up checks the master key against the stored keys', async (t) => {
  const dataDir = temporaryDirectory(t);
  await masterKeyChecks(t, { engine: 'sqlite', dataDir }, dataDir, temporaryDirectory(t));
  const fresh = temporaryDirectory(t);
  await firstOpens(t, { engine: 'sqlite', dataDir: fresh }, fresh);
});

t.test(
  'PostgreSQL: start-up checks the master key against the stored keys',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `ledger_keys_${randomBytes(6).toString('hex')}`;
    t.teardown(async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      await client.end();
    });
    const config: StoreConfig = { engine: 'postgres', url: postgresUrl!, schema };
    await masterKeyChecks(t, config, temporaryDirectory(t), temporaryDirectory(t));
    const fresh: StoreConfig = { engine: 'postgres', url: postgresUrl!, schema: `${schema}_fresh` };
    t.teardown(async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(`${schema}_fresh`)} CASCADE`);
      await client.end();
    });
    await firstOpens(t, fresh, temporaryDirectory(t));
  },
);

t.test(
  'SQLite key store: a file it cannot use now (locked past the busy timeout, a full disk) is STORE_UNAVAILABLE',
  async (t) => {
    const dataDir = temporaryDirectory(t);
    const store = await openPersonalKeyStore({ engine: 'sqlite', dataDir });
    t.teardown(() => store.close());
    // Another process holding the write lock past the 5 s busy timeout. Before, the driver's
    // SqliteError reached the API as 500 INTERNAL_ERROR, as did SQLITE_FULL on a full disk (seen
    // by hand on a 12 MiB tmpfs), while the event store beside it answered 503.
    const other = new Database(join(dataDir, PERSONAL_KEYS_FILE));
    t.teardown(() => other.close());
    other.exec('BEGIN IMMEDIATE');
    const refused = await store.claimRegistration('hash-1', 'v1', randomBytes(40)).then(
      () => undefined,
      (error: unknown) => error,
    );
    t.ok(refused instanceof EventStoreError, 'the port error, which the API answers 503');
    t.equal((refused as EventStoreError).code, 'STORE_UNAVAILABLE');
    t.match((refused as Error).message, /personal-data key store is unavailable: database is locked/);
    other.exec('ROLLBACK');
    t.equal(
      await store.claimRegistration('hash-1', 'v1', randomBytes(40)),
      'v1',
      'and works once it is free',
    );
  },
);
