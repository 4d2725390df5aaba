/**
 * The server as a process with LEDGER_STORE=esdb and no KurrentDB to reach: start-up stops with
 * one line that names the store and a non-zero exit, not a stack trace. Port 1 on the loopback
 * interface refuses at once, so only the adapter's bounded retries take time. Both URL schemes
 * the configuration accepts get as far as connecting (the client itself parses only esdb://).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const serverPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'server.ts');
const tsxLoader = import.meta.resolve('tsx');

function runServer(environment: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, serverPath], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

for (const scheme of ['esdb', 'kurrentdb']) {
  t.test(`an unreachable ${scheme}:// store stops start-up with a clear error`, async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'timebank-esdb-start-'));
    t.teardown(() => rmSync(directory, { recursive: true, force: true }));
    const url = `${scheme}://127.0.0.1:1?tls=false`;
    const { code, stderr } = await runServer({
      LEDGER_STORE: 'esdb',
      ESDB_URL: url,
      LEDGER_DATA_DIR: directory,
      LEDGER_NATIONAL_ID_KEY: 'k'.repeat(64),
    });
    t.equal(code, 1, 'a non-zero exit');
    t.match(stderr, `ledger-api: failed to start: cannot reach the event store (esdb at ${url})`);
    t.match(stderr, /UNAVAILABLE/, 'the cause is named');
    t.match(stderr, /\(check ESDB_URL\)\n$/, 'and the variable to check');
    t.notMatch(stderr, /\n\s+at /, 'no stack trace');
  });
}
