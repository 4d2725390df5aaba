/**
 * A private copy of a read-only data directory (verify, export, due, export-records) holds the
 * ledger and, for export-records, its master key: it must not outlive the command. Between the
 * command's interruptible steps (copy made, replay not started; replay ended, copy not removed)
 * Node's default would end the process on Ctrl-C without removing it; the copy's own guard ends it
 * through `process.exit` instead, so the copy goes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { EVENT_STORE_FILE, MASTER_KEY_FILE, READ_MODELS_FILE } from '@timebank/ledger-opener';

const readOnlyCopy = fileURLToPath(new URL('../src/read-only-copy.ts', import.meta.url));

/** A process that makes a private copy of DATA_DIR, prints where, and then waits between steps. */
const CHILD = `
import { privateCopyOf } from ${JSON.stringify(readOnlyCopy)};
const copy = await privateCopyOf(process.env.DATA_DIR, 'export-records');
process.stdout.write(copy.dataDir + '\\n');
setInterval(() => undefined, 1000);
`;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} between two steps removes the private copy and exits 128 + n`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timebank-copy-signals-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    for (const name of [EVENT_STORE_FILE, READ_MODELS_FILE, MASTER_KEY_FILE])
      writeFileSync(join(dataDir, name), `${name}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const copyDir = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.on('exit', () => reject(new Error(`the child ended before copying: ${stderr}`)));
    });
    t.ok(existsSync(join(copyDir, MASTER_KEY_FILE)), 'the copy holds the master key');
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, killed) => resolve({ code, signal: killed })),
    );
    child.kill(signal);
    const { code, signal: killedBy } = await ended;
    t.equal(killedBy, null, 'not killed by the signal’s default');
    t.equal(code, signal === 'SIGINT' ? 130 : 143, stderr);
    t.match(stderr, `ledger export-records: ${signal}: stopping`);
    t.notOk(existsSync(copyDir), 'the private copy is removed');
  });
}
