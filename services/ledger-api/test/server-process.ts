/**
 * `server.ts` as a child process, for tests of what only a real process shows: what it prints,
 * the files it writes, and several processes sharing one store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'server.ts');
/** Started as `pnpm start` starts it: through the launcher that bundles it (no tsx loader thread). */
export const launcher = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'scripts',
  'launch.mjs',
);

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything written to stdout and stderr so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Starts the server with only PATH and `environment` (PORT 0: a free port); resolves once it listens. */
export function startServer(environment: Record<string, string>, cwd?: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [launcher, serverPath], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+) /.exec(stdout);
      if (match !== null) resolve({ child, url: match[1]!, stdout: () => stdout, stderr: () => stderr });
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

/** SIGTERM, then the exit code. */
export function stopServer(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** The bootstrap administrator key the server wrote into its data directory on its first start. */
export function bootstrapAdminKey(dataDir: string): string {
  return readFileSync(join(dataDir, 'bootstrap-admin.key'), 'utf8').trim();
}
