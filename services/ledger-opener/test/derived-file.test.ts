/**
 * Files of derived data that SQLite cannot open as a database (the read models, the snapshots)
 * are moved aside, never deleted, and started afresh, with one notice naming both paths; a
 * healthy file is opened as it is, and any other failure is the caller's, with nothing moved. The
 * event store and the personal keys, which nothing can rebuild, are refused instead, untouched.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { LIVE_PREFIX } from '@timebank/projections';
import { openDerivedSqliteFile } from '../src/derived-file.js';
import {
  EVENT_STORE_FILE,
  isLedgerOpenError,
  openEventStore,
  openPersonalKeyStore,
  openReadModels,
  openSnapshotStore,
  PERSONAL_KEYS_FILE,
  READ_MODELS_FILE,
  SNAPSHOTS_FILE,
} from '../src/index.js';

const GARBAGE = 'this was never a SQLite database, but a stray file under its name\n'.repeat(100);

function temporaryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-derived-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

t.test('read models that are not a database are moved aside and the file started afresh', async (t) => {
  const directory = temporaryDirectory(t);
  writeFileSync(join(directory, READ_MODELS_FILE), GARBAGE);
  const notices: string[] = [];
  const db = await openReadModels({ engine: 'sqlite', dataDir: directory }, undefined, (message) =>
    notices.push(message),
  );
  t.teardown(() => db.close());
  await db.ensureTableSet(LIVE_PREFIX);
  t.equal(await db.readCheckpoint(LIVE_PREFIX), 0n, 'a fresh, working read-model database');
  const aside = readdirSync(directory).filter((name) => name.includes('.corrupt-'));
  t.equal(aside.length, 1, 'the file is kept beside the new one');
  const kept = aside.find((name) => !name.endsWith('-wal')) ?? '';
  t.equal(readFileSync(join(directory, kept), 'utf8'), GARBAGE, 'byte for byte');
  t.equal(notices.length, 1);
  t.match(notices[0], /is not a SQLite database/);
  t.ok(notices[0]?.includes(join(directory, kept)), 'the notice says where it went');
});

t.test('snapshots that are not a database are moved aside and the store works', async (t) => {
  const directory = temporaryDirectory(t);
  writeFileSync(join(directory, SNAPSHOTS_FILE), GARBAGE);
  const notices: string[] = [];
  const snapshots = await openSnapshotStore({ engine: 'sqlite', dataDir: directory }, (message) =>
    notices.push(message),
  );
  t.ok(snapshots);
  t.teardown(() => snapshots?.close());
  t.equal(await snapshots?.readSnapshot('volunteer-x'), undefined, 'an empty, working snapshot store');
  t.equal(notices.length, 1);
  t.equal(readdirSync(directory).filter((name) => name.startsWith(`${SNAPSHOTS_FILE}.corrupt-`)).length, 1);
});

// Found by a tester: a read-model or snapshot file cut short (SQLite: "database disk image is
// malformed") stopped the server at start-up and every `pnpm ledger` command, `rebuild` included.
t.test('read models and snapshots cut short are moved aside and started afresh', async (t) => {
  const directory = temporaryDirectory(t);
  const first = await openReadModels({ engine: 'sqlite', dataDir: directory });
  await first.ensureTableSet(LIVE_PREFIX);
  await first.close();
  const snapshots = await openSnapshotStore({ engine: 'sqlite', dataDir: directory });
  await snapshots?.close();
  for (const file of [READ_MODELS_FILE, SNAPSHOTS_FILE]) {
    const path = join(directory, file);
    // The first pages and a piece of the next: the schema is read from a page that is not there.
    writeFileSync(path, readFileSync(path).subarray(0, 6000));
  }
  const notices: string[] = [];
  const readModels = await openReadModels({ engine: 'sqlite', dataDir: directory }, undefined, (message) =>
    notices.push(message),
  );
  t.teardown(() => readModels.close());
  await readModels.ensureTableSet(LIVE_PREFIX);
  t.equal(await readModels.readCheckpoint(LIVE_PREFIX), 0n, 'a fresh, working read-model database');
  const reopened = await openSnapshotStore({ engine: 'sqlite', dataDir: directory }, (message) =>
    notices.push(message),
  );
  t.teardown(() => reopened?.close());
  t.equal(await reopened?.readSnapshot('volunteer-x'), undefined, 'an empty, working snapshot store');
  t.equal(notices.length, 2, notices.join('\n'));
  for (const notice of notices) t.match(notice, /is damaged \(database disk image is malformed\)/);
  const aside = readdirSync(directory).filter(
    (name) => name.includes('.corrupt-') && !/-(wal|shm)$/.test(name),
  );
  t.equal(aside.length, 2, 'both files are kept beside the new ones');
});

t.test('a healthy file is opened as it is, with no notice', async (t) => {
  const directory = temporaryDirectory(t);
  const notices: string[] = [];
  const first = await openReadModels({ engine: 'sqlite', dataDir: directory }, undefined, (message) =>
    notices.push(message),
  );
  await first.ensureTableSet(LIVE_PREFIX);
  await first.close();
  const again = await openReadModels({ engine: 'sqlite', dataDir: directory }, undefined, (message) =>
    notices.push(message),
  );
  t.teardown(() => again.close());
  t.equal(await again.readCheckpoint(LIVE_PREFIX), 0n, 'the same tables');
  t.same(notices, []);
  t.same(
    readdirSync(directory).filter((name) => name.includes('.corrupt-')),
    [],
  );
});

t.test('any other failure is thrown, and nothing is moved', async (t) => {
  const directory = temporaryDirectory(t);
  const path = join(directory, 'a-directory');
  mkdirSync(path);
  const notices: string[] = [];
  t.throws(() =>
    openDerivedSqliteFile(
      path,
      () => {
        throw Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
      },
      (message) => notices.push(message),
    ),
  );
  t.same(readdirSync(directory), ['a-directory']);
  t.same(notices, []);
});

t.test(
  'an event store or key store that is not a database is refused with one line, untouched',
  async (t) => {
    const directory = temporaryDirectory(t);
    for (const file of [EVENT_STORE_FILE, PERSONAL_KEYS_FILE]) writeFileSync(join(directory, file), GARBAGE);
    const config = { engine: 'sqlite', dataDir: directory } as const;
    for (const [what, open, file] of [
      ['the event store', () => openEventStore(config), EVENT_STORE_FILE],
      ['the personal-data keys', () => openPersonalKeyStore(config), PERSONAL_KEYS_FILE],
    ] as const) {
      const error = await open().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      t.ok(isLedgerOpenError(error), `${what}: a LedgerOpenError, printed without a stack`);
      t.match(error, {
        reason: 'damaged',
        message: new RegExp(
          `^${what} at .*${file} is not a SQLite database .*restore the data directory from a backup`,
        ),
      });
      t.equal(readFileSync(join(directory, file), 'utf8'), GARBAGE, `${file} is left as it was`);
    }
    t.same(
      readdirSync(directory).filter((name) => name.includes('.corrupt-')),
      [],
      'nothing is moved aside',
    );
  },
);
