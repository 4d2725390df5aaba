/**
 * The first-run administrator key goes to a file only its owner can read, never to stdout or
 * stderr: wherever a process's output is collected, the key is not.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startServer, stopServer } from './server-process.js';

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
    readdirSync(directory).filter((name) => name.endsWith('.tmp')),
    [],
    'no staged copy is left behind',
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
