/**
 * One server per SQLite data directory, as real processes: a second server on the same directory
 * is refused at once (exit 2, naming the directory and the holder's pid), read-only `pnpm ledger`
 * commands still work beside the running server, a command that must not run beside it is
 * refused, and after a kill -9 of the server the kernel has dropped its lock so a new one starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startServer, stopServer, type ServerProcess } from './server-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const serverPath = join(here, '..', 'src', 'server.ts');
const cliPath = join(here, '..', '..', 'auditor-cli', 'src', 'main.ts');
const tsxLoader = import.meta.resolve('tsx');
const directory = mkdtempSync(join(tmpdir(), 'timebank-dir-lock-server-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

/** A server that is expected not to start: its exit code and what it printed. */
function refusedServer(dataDir: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, serverPath], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', LEDGER_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const ledger = (args: readonly string[], environment: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', tsxLoader, cliPath, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...environment },
  });

t.test('a second server on the same directory is refused; after a kill -9 a new one starts', async (t) => {
  const dataDir = join(directory, 'data');
  const running: ServerProcess[] = [];
  t.teardown(async () => {
    for (const server of running) await stopServer(server.child);
  });
  const first = await startServer({ LEDGER_DATA_DIR: dataDir, LEDGER_SWEEP_INTERVAL_MS: '0' });
  running.push(first);

  const second = await refusedServer(dataDir);
  t.equal(second.code, 2, 'the second server exits 2');
  t.match(
    second.stderr,
    `ledger-api: failed to start: the data directory ${dataDir} is in use by another ledger process (pid ${first.child.pid}`,
    'naming the directory and the pid of the server that holds it',
  );
  t.notMatch(second.stdout, /listening/, 'it never listened');
  t.equal((await fetch(`${first.url}/healthz`)).status, 200, 'the first server is unaffected');

  const verify = ledger(['verify', '--quiet', '--data-dir', dataDir]);
  t.equal(verify.status, 0, `pnpm ledger verify works beside the server\n${verify.stdout}${verify.stderr}`);
  const exported = ledger(['export', '--quiet', '--out', join(directory, 'export'), '--data-dir', dataDir]);
  t.equal(exported.status, 0, `so does export\n${exported.stderr}`);
  const rotate = ledger(['rotate-master-key', '--data-dir', dataDir], {
    LEDGER_NEW_MASTER_KEY: 'ab'.repeat(32),
  });
  t.equal(rotate.status, 2, 'rotate-master-key, which must not run beside a server, is refused');
  t.match(
    rotate.stderr,
    `the data directory ${dataDir} is in use by another ledger process (pid ${first.child.pid}`,
  );

  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  running.length = 0;
  const third = await startServer({ LEDGER_DATA_DIR: dataDir, LEDGER_SWEEP_INTERVAL_MS: '0' });
  running.push(third);
  t.pass('no stale lock after the kill: a new server starts on the directory');
  t.equal(await stopServer(third.child), 0, 'and stops cleanly');
  running.length = 0;
  const rotated = ledger(['rotate-master-key', '--data-dir', dataDir], {
    LEDGER_NEW_MASTER_KEY: 'ab'.repeat(32),
  });
  t.equal(rotated.status, 0, `with the server stopped, rotate-master-key runs\n${rotated.stderr}`);
});
