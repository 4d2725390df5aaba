/**
 * `server.ts` as a real process: first run writes a bootstrap key file, a restart keeps everything,
 * SIGTERM shuts down cleanly, and bad configuration stops start-up naming the variable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { bootstrapAdminKey, launcher } from './server-process.js';

const serverPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'server.ts');

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
}

function start(environment: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [launcher, serverPath], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+) /.exec(stdout);
      if (match !== null) resolve({ child, url: match[1]!, stdout: () => stdout });
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

t.test('first run writes a bootstrap admin key; a restart keeps it and issues none', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-server-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const first = await start({ LEDGER_DATA_DIR: directory });
  const key = bootstrapAdminKey(directory);
  t.match(key, /^tbk_/, 'a bootstrap key was written');
  const listed = await fetch(`${first.url}/v1/admin/api-keys`, {
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(listed.status, 200, 'the bootstrap key is an administrator key');
  t.equal(await stop(first.child), 0, 'SIGTERM shuts down cleanly');

  const second = await start({ LEDGER_DATA_DIR: directory });
  t.notMatch(second.stdout(), /bootstrap/, 'no second bootstrap key');
  const again = await fetch(`${second.url}/v1/admin/api-keys`, {
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(again.status, 200, 'the key survived the restart');
  t.equal(await stop(second.child), 0);
});

t.test('bad configuration stops start-up with one line per variable, saying what is allowed', async (t) => {
  const child = spawn(process.execPath, [launcher, serverPath], {
    // A fraction of a process on SQLite: wrong on its own terms, and the rule that SQLite takes one
    // process must not add a second, contradicting line about a value that is not a number.
    env: { PATH: process.env.PATH ?? '', PORT: 'not-a-port', LEDGER_PROCESSES: '1.5' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 2);
  t.equal(
    stderr,
    'ledger-api: invalid configuration:\n' +
      '  PORT: must be a whole number from 0 to 65,535 (got "not-a-port")\n' +
      '  LEDGER_PROCESSES: must be a whole number of processes from 1 to 64 (got "1.5")\n',
    'the variables, what each allows, and no stack trace',
  );
});

// Found by the operator QA pass: a checkpoint path that is a directory (or a file that is not a
// checkpoint) let the server start and listen, and the relay died behind one error line.
t.test('a RELAY_CHECKPOINT_PATH that cannot be read stops start-up naming it', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-server-relay-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const child = spawn(process.execPath, [launcher, serverPath], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      LEDGER_DATA_DIR: join(directory, 'data'),
      // Nothing listens on port 9: the check must not need a broker.
      KAFKA_BROKERS: '127.0.0.1:9',
      RELAY_CHECKPOINT_PATH: directory,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(deadline);
  t.notMatch(stdout, /listening on/, 'it never listened');
  t.equal(code, 2);
  t.match(
    stderr,
    /^ledger-api: invalid configuration:\n {2}RELAY_CHECKPOINT_PATH: must name the Kafka relay's checkpoint file .*EISDIR/,
  );
  t.notMatch(stderr, /\n\s+at /, 'no stack trace');
});
