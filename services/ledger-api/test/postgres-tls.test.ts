/**
 * POSTGRES_URL's `sslmode` means what it means to psql (libpq): `require` encrypts and accepts the
 * server's own certificate (self-signed, or from a private CA), `verify-full` checks it against
 * the system's CAs and the host name. The PostgreSQL here is the real one behind a proxy that
 * speaks TLS with a self-signed certificate (`test/tls/`), as a city's database server may.
 *
 * Found by the PostgreSQL operator pass: the pg driver took `require` for `verify-full`, so a
 * server that `psql "…?sslmode=require"` reached stopped the ledger with `self-signed
 * certificate` (exit 1), after a nine-line SECURITY WARNING on stderr.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { tlsPostgresProxy, type ProxiedTls } from '@timebank/event-store-postgres/testing';
import { freshPostgresSchema } from './fixtures.js';
import { registerVolunteer } from './scheduler-support.js';
import {
  bootstrapAdminKey,
  launcher,
  type ServerProcess,
  startServer,
  stopServer,
} from './server-process.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');
const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const certificate = {
  key: readFileSync(join(here, 'tls', 'self-signed.key'), 'utf8'),
  cert: readFileSync(join(here, 'tls', 'self-signed.crt'), 'utf8'),
};

/** POSTGRES_URL with the proxy's port and `query`. */
function throughProxy(port: number, query: string): string {
  const url = new URL(postgresUrl!);
  url.port = String(port);
  url.search = query;
  return url.toString();
}

function environmentFor(url: string, schema: string, dataDir: string): Record<string, string> {
  return {
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: url,
    POSTGRES_SCHEMA: schema,
    LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
    LEDGER_DATA_DIR: dataDir,
  };
}

/** `pnpm ledger …` with only PATH and `environment`; its exit status and output. */
function ledgerCommand(
  args: string[],
  environment: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('pnpm', ['--silent', 'ledger', ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
}

t.test(
  'sslmode=require reaches a PostgreSQL with a self-signed certificate, encrypted, without a warning',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const proxy = await tlsPostgresProxy(t, new URL(postgresUrl!), certificate);
    const directory = mkdtempSync(join(tmpdir(), 'timebank-postgres-tls-'));
    let server: ServerProcess | undefined;
    const schema = freshPostgresSchema(t, postgresUrl!, 'tls_require', async () => {
      if (server !== undefined) await stopServer(server.child);
      rmSync(directory, { recursive: true, force: true });
    });
    const environment = environmentFor(throughProxy(proxy.port, '?sslmode=require'), schema, directory);

    server = await startServer(environment);
    const admin = bootstrapAdminKey(directory);
    const registered = await registerVolunteer(server, admin, 5151, 'Volunteer over TLS');
    t.equal(registered.status, 201, `registered: ${JSON.stringify(registered.body)}`);
    t.equal(await stopServer(server.child), 0, 'the server stops cleanly');
    t.notMatch(server.stderr(), /SECURITY WARNING/, 'no driver warning on stderr');
    server = undefined;

    // Not spawnSync: the proxy runs in this process.
    const verify = await ledgerCommand(['verify', '--quiet'], environment);
    t.equal(verify.status, 0, `pnpm ledger verify exits 0\n${verify.stdout}${verify.stderr}`);
    t.notMatch(verify.stderr, /SECURITY WARNING/, 'nor on the command’s');
    const sessions = proxy.sessions();
    t.ok(sessions.tls > 0, `every connection was encrypted (${JSON.stringify(sessions)})`);
    t.equal(sessions.plain, 0, 'none went in the clear');
  },
);

t.test(
  'sslmode=verify-full still refuses that certificate: one line, exit 1',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const proxy = await tlsPostgresProxy(t, new URL(postgresUrl!), certificate);
    const directory = mkdtempSync(join(tmpdir(), 'timebank-postgres-tls-'));
    const schema = freshPostgresSchema(t, postgresUrl!, 'tls_full', async () =>
      rmSync(directory, { recursive: true, force: true }),
    );
    const environment = environmentFor(throughProxy(proxy.port, '?sslmode=verify-full'), schema, directory);
    const child = spawn(process.execPath, [launcher, join(here, '..', 'src', 'server.ts')], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...environment },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    t.equal(code, 1);
    t.equal(
      stderr,
      `ledger-api: failed to start: cannot reach the event store (postgres schema ${schema} at 127.0.0.1:${proxy.port}): self-signed certificate (check POSTGRES_URL)\n`,
    );
    t.equal(proxy.sessions().tls, 0, 'no session was established');
  },
);

/**
 * The server with `query` through a proxy of kind `tls`: registers a volunteer, stops, then runs
 * `pnpm ledger verify`; the proxy's count of sessions of each kind.
 */
async function registerAndVerify(
  t: Test,
  tls: ProxiedTls,
  query: string,
): Promise<ReturnType<Awaited<ReturnType<typeof tlsPostgresProxy>>['sessions']>> {
  const proxy = await tlsPostgresProxy(t, new URL(postgresUrl!), certificate, tls);
  const directory = mkdtempSync(join(tmpdir(), 'timebank-postgres-tls-'));
  let server: ServerProcess | undefined;
  const schema = freshPostgresSchema(t, postgresUrl!, `tls_${tls.replace('-', '_')}`, async () => {
    if (server !== undefined) await stopServer(server.child);
    rmSync(directory, { recursive: true, force: true });
  });
  const environment = environmentFor(throughProxy(proxy.port, query), schema, directory);
  server = await startServer(environment);
  const admin = bootstrapAdminKey(directory);
  const registered = await registerVolunteer(server, admin, 5252, 'Volunteer');
  t.equal(registered.status, 201, `registered: ${JSON.stringify(registered.body)}`);
  t.equal(await stopServer(server.child), 0, 'the server stops cleanly');
  server = undefined;
  const verify = await ledgerCommand(['verify', '--quiet'], environment);
  t.equal(verify.status, 0, `pnpm ledger verify exits 0\n${verify.stdout}${verify.stderr}`);
  return proxy.sessions();
}

t.test(
  'sslmode=prefer reaches a PostgreSQL without TLS in the clear, as psql does: server and pnpm ledger',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const sessions = await registerAndVerify(t, 'no-tls', '?sslmode=prefer');
    t.equal(sessions.tls, 0, 'nothing was encrypted: the server has no TLS');
    t.ok(sessions.plain > 0, `connections in the clear (${JSON.stringify(sessions)})`);
    t.equal(sessions.declined, sessions.plain, 'each of them asked for TLS first');
  },
);

t.test(
  'sslmode=allow reaches a PostgreSQL that accepts only TLS, encrypted: server and pnpm ledger',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const sessions = await registerAndVerify(t, 'tls-only', '?sslmode=allow');
    t.ok(sessions.tls > 0, `encrypted connections (${JSON.stringify(sessions)})`);
    t.equal(sessions.refusedPlain, sessions.tls, 'each of them was tried in the clear first');
    t.equal(sessions.plain, 0);
  },
);
