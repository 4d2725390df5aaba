/**
 * For the backup tests: `pnpm ledger …` as a process (awaitable, so that the test can keep
 * writing to a server while it runs), and a small HTTP client for the server's API.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIONAL_ID_KEY_FILE, openLedger } from '@timebank/ledger-opener';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const mainPath = join(repositoryRoot, 'services', 'auditor-cli', 'src', 'main.ts');
/** The launcher `pnpm ledger` runs main.ts through (it bundles it: no tsx loader thread). */
export const launcher = join(repositoryRoot, 'scripts', 'launch.mjs');

export interface LedgerRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs what `pnpm ledger <args>` runs (main.ts through scripts/launch.mjs; without pnpm's own start-up, which
 * these tests would pay a dozen times) from the repository root with only PATH in its environment,
 * and `environment` (pnpm's own variables, say).
 */
export function runLedger(
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<LedgerRun> {
  const child = spawn(process.execPath, [launcher, mainPath, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface Interrupted {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** Whether the signal was sent (the trigger line appeared before the process ended). */
  readonly sent: boolean;
}

/**
 * Runs `pnpm ledger <args>` as `runLedger` does and, as soon as stderr matches `trigger`, sends
 * `signal` or calls it (to do something else while the command runs).
 */
export function runAndSignal(
  args: readonly string[],
  trigger: RegExp,
  signal: NodeJS.Signals | (() => void),
): Promise<Interrupted> {
  const child = spawn(process.execPath, [launcher, mainPath, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && trigger.test(stderr)) {
      sent = true;
      if (typeof signal === 'function') signal();
      else child.kill(signal);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, exitSignal) => resolve({ status, signal: exitSignal, stderr, sent }));
  });
}

/** The first-run administrator key, from the 0600 file the server writes into the data directory. */
export function bootstrapKey(dataDir: string): string {
  const found = /tbk_[A-Za-z0-9_-]{20,}/.exec(readFileSync(join(dataDir, 'bootstrap-admin.key'), 'utf8'));
  if (found === null) throw new Error(`no key in ${dataDir}/bootstrap-admin.key`);
  return found[0];
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A valid resident ID number of someone born 1985-06-15 (an adult); never a real person's. */
export function nationalIdNumber(sequence: number): string {
  const body = `13010219850615${String(sequence).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index]!, 0);
  return body + CHECK[sum % 11]!;
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One API call with the given key; POSTs carry the idempotency key they need. */
export async function call(
  url: string,
  key: string,
  request: { method: 'GET' | 'POST'; path: string; body?: unknown; idempotencyKey?: string },
): Promise<Reply> {
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(request.idempotencyKey === undefined ? {} : { 'idempotency-key': request.idempotencyKey }),
    },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * An empty SQLite ledger in `root`/data (with a national-ID key, as the server writes one) and a
 * backup of it in `root`/backup, made by `pnpm ledger backup`: what the refusal tests start from.
 */
export async function ledgerWithBackup(
  root: string,
): Promise<{ dataDir: string; backupDir: string; made: LedgerRun }> {
  const dataDir = join(root, 'data');
  const opened = await openLedger({ engine: 'sqlite', dataDir });
  await opened.close();
  writeFileSync(join(dataDir, NATIONAL_ID_KEY_FILE), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const backupDir = join(root, 'backup');
  const made = await runLedger(['backup', '--quiet', '--data-dir', dataDir, '--out', backupDir]);
  return { dataDir, backupDir, made };
}
