/**
 * `pnpm ledger … | head`: the reader of stdout goes away before the command has written its
 * report. The command ends as it would have (its work done, its own exit status), with no EPIPE
 * stack trace; before, Node died of the unhandled EPIPE with exit 1 after a finished export.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openLedger } from '@timebank/ledger-opener';
import { EVENTS_FILE, MANIFEST_FILE } from '@timebank/projections';
import { generateLedger } from '@timebank/projections/testing';
import { repositoryRoot } from './ledger-process.js';

const mainPath = join(repositoryRoot, 'services', 'auditor-cli', 'src', 'main.ts');
const tsxLoader = import.meta.resolve('tsx');

/** Runs the CLI with its stdout a pipe whose reading end is closed at once. */
function runWithClosedStdout(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, mainPath, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

t.test('output to a closed pipe is dropped; the exit status is the command’s', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-closed-pipe-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  try {
    await generateLedger(opened.store, { volunteers: 200, eventsTarget: 2_000 });
  } finally {
    await opened.close();
  }

  const help = await runWithClosedStdout(['--help']);
  t.equal(help.status, 0, `help: exit 0 (${help.stderr})`);
  t.equal(help.stderr, '', 'help: no EPIPE on stderr');

  const out = join(root, 'bundle');
  const exported = await runWithClosedStdout(['export', '--json', '--data-dir', dataDir, '--out', out]);
  t.equal(exported.status, 0, `export: exit 0 (${exported.stderr})`);
  t.notMatch(exported.stderr, /EPIPE|\n\s+at /, 'export: no stack trace');
  t.ok(existsSync(join(out, EVENTS_FILE)) && existsSync(join(out, MANIFEST_FILE)), 'the bundle is complete');

  const verify = await runWithClosedStdout(['verify', '--json', '--data-dir', dataDir]);
  t.equal(verify.status, 0, `verify: exit 0 (${verify.stderr})`);
});
