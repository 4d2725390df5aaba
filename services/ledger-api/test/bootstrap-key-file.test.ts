/**
 * The first-run administrator key goes to a file only its owner can read, never to stdout or
 * stderr: wherever a process's output is collected, the key is not.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { freshPostgresSchema } from './fixtures.js';
import { startServer, stopServer } from './server-process.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');

t.test('first run writes the admin key to a 0600 file and prints only its path and id', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-bootstrap-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  // INFO logs included: the key must not reach the log either.
  const server = await startServer({ LEDGER_DATA_DIR: directory, LOG_LEVEL: 'info' });
  t.teardown(() => stopServer(server.child));

  const path = join(directory, 'bootstrap-admin.key');
  t.ok(existsSync(path), 'the key file exists');
  t.equal(statSync(path).mode & 0o777, 0o600, 'readable and writable only by its owner');
  const key = readFileSync(path, 'utf8').trim();
  t.match(key, /^tbk_[A-Za-z0-9_-]{43}$/, 'the file holds the key');

  const output = server.stdout() + server.stderr();
  t.notOk(output.includes(key), 'the key is not in stdout or stderr');
  t.notMatch(output, /tbk_/, 'nothing key-shaped is printed');
  t.ok(server.stdout().includes(path), 'stdout names the file');

  const listed = await fetch(`${server.url}/v1/admin/api-keys`, {
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(listed.status, 200, 'the key in the file is an administrator key');
  const { keys } = (await listed.json()) as { keys: { keyId: string; label: string }[] };
  t.equal(keys.length, 1);
  t.ok(server.stdout().includes(keys[0]!.keyId), 'stdout names the key id');
  t.same(
    // The key's staged copies only: the reactor's checkpoint has a .tmp of its own while it is written.
    readdirSync(directory).filter((name) => name.startsWith('bootstrap-admin.key') && name.endsWith('.tmp')),
    [],
    'no staged copy of the key is left behind',
  );
});

t.test('LEDGER_ADMIN_KEY_FILE names another place for the key', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-bootstrap-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'secrets', 'admin.key');
  const server = await startServer({ LEDGER_DATA_DIR: join(directory, 'data'), LEDGER_ADMIN_KEY_FILE: path });
  t.teardown(() => stopServer(server.child));
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.notOk(existsSync(join(directory, 'data', 'bootstrap-admin.key')), 'not in the data directory');
  const key = readFileSync(path, 'utf8').trim();
  const listed = await fetch(`${server.url}/v1/admin/api-keys`, {
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(listed.status, 200);
});

// Found by the PostgreSQL operator pass: a first start killed (kill -9) after the store had the
// bootstrap key's ApiKeyIssued but before the file's rename left the only administrator key in
// bootstrap-admin.key.<keyId>.tmp; every later start issued none and said nothing, so the
// operator of a fresh install had no key and no word of where it was. Reproduced by killing
// first starts on PostgreSQL a few milliseconds after the staged file appeared (1 run in 8);
// here the state such a kill leaves is made directly.
t.test(
  'a key staged by a first start killed after its append is put in place and named at the next start',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'timebank-bootstrap-'));
    const schema = freshPostgresSchema(t, postgresUrl!, 'bootstrap_killed', async () =>
      rmSync(directory, { recursive: true, force: true }),
    );
    const environment = {
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: postgresUrl!,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
      LEDGER_DATA_DIR: directory,
    };
    const first = await startServer(environment);
    t.equal(await stopServer(first.child), 0);
    const keyId = /key id: +(\S+)/.exec(first.stdout())![1]!;
    const path = join(directory, 'bootstrap-admin.key');
    const key = readFileSync(path, 'utf8').trim();
    // What the kill leaves: the key staged, not renamed; and a staged key the store never got.
    renameSync(path, `${path}.${keyId}.tmp`);
    const neverIssued = `${path}.${randomUUID()}.tmp`;
    writeFileSync(neverIssued, 'tbk_not-a-key-of-this-ledger\n', { mode: 0o600 });

    const next = await startServer(environment);
    t.teardown(() => stopServer(next.child));
    t.equal(readFileSync(path, 'utf8').trim(), key, 'the staged key is in bootstrap-admin.key again');
    t.equal(statSync(path).mode & 0o777, 0o600, 'still readable only by its owner');
    t.match(next.stdout(), /interrupted first run had issued the bootstrap administrator API key/);
    t.ok(next.stdout().includes(`key id:   ${keyId}`), 'stdout names the key id');
    t.ok(next.stdout().includes(path), 'and the file');
    t.notMatch(next.stdout() + next.stderr(), /tbk_/, 'never the key');
    t.ok(existsSync(neverIssued), 'a staged key the ledger does not know is left alone');
    const listed = await fetch(`${next.url}/v1/admin/api-keys`, {
      headers: { authorization: `Bearer ${key}` },
    });
    t.equal(listed.status, 200, 'the key works');
    const { keys } = (await listed.json()) as { keys: unknown[] };
    t.equal(keys.length, 1, 'no second key was issued');
  },
);
