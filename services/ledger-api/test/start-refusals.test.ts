/**
 * A server the operating system will not let start as configured (its port taken, a HOST that
 * does not resolve, a data directory that is a file, a PostgreSQL nobody listens for) stops with
 * one line naming what to check and a non-zero exit code, never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { acceptingPort, silentPort } from '@timebank/event-store-postgres/testing';
import { MASTER_KEY_FILE, openEventStore, openLedger, openPersonalKeys } from '@timebank/ledger-opener';
import { freshPostgresSchema } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const serverPath = join(here, '..', 'src', 'server.ts');
const tsxLoader = import.meta.resolve('tsx');
const directory = mkdtempSync(join(tmpdir(), 'timebank-start-refusals-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

function refusedServer(
  environment: Record<string, string>,
  cwd?: string,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, serverPath], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', LEDGER_SWEEP_INTERVAL_MS: '0', ...environment },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

const STACK_FRAME = /^\s+at /m;

t.test('a PORT another process listens on: one line, exit 2', async (t) => {
  const port = await silentPort(t);
  const result = await refusedServer({ PORT: String(port), LEDGER_DATA_DIR: join(directory, 'port') });
  t.equal(result.code, 2);
  t.equal(
    result.stderr,
    `ledger-api: failed to start: cannot listen (check PORT and HOST): listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
  );
});

t.test('a HOST that does not resolve: one line, exit 2', async (t) => {
  const result = await refusedServer({
    PORT: '0',
    HOST: 'no-such-host.invalid',
    LEDGER_DATA_DIR: join(directory, 'host'),
  });
  t.equal(result.code, 2);
  t.match(
    result.stderr,
    /^ledger-api: failed to start: cannot listen \(check PORT and HOST\): .*no-such-host\.invalid\n$/,
  );
  t.notMatch(result.stderr, STACK_FRAME);
});

// It failed as a bare "EEXIST: file already exists, mkdir …" (exit 1) that named no variable.
t.test('a LEDGER_DATA_DIR that is a file: a configuration error naming it, exit 2', async (t) => {
  const file = join(directory, 'not-a-directory');
  writeFileSync(file, 'x');
  const result = await refusedServer({ PORT: '0', LEDGER_DATA_DIR: file });
  t.equal(result.code, 2);
  t.equal(
    result.stderr,
    `ledger-api: invalid configuration:\n  LEDGER_DATA_DIR: ${file} is not a directory\n`,
  );
});

// Node's recursive mkdir looped for ever on /proc/self/foo (ENOENT though /proc/self exists): the
// server hung before listening, printing nothing.
t.test(
  'a LEDGER_DATA_DIR that cannot be created (under /proc): one line naming it, exit 2, at once',
  async (t) => {
    const started = Date.now();
    const result = await refusedServer(
      { PORT: '0', LEDGER_DATA_DIR: '/proc/self/timebank/data' },
      undefined,
      20_000,
    );
    t.equal(result.code, 2, 'exit 2, not killed after 20 s');
    t.equal(
      result.stderr,
      "ledger-api: invalid configuration:\n  LEDGER_DATA_DIR: cannot create /proc/self/timebank: ENOENT: no such file or directory, mkdir '/proc/self/timebank'\n",
    );
    t.ok(Date.now() - started < 15_000, 'refused quickly');
  },
);

t.test('a LEDGER_DATA_DIR the server cannot write into: one line naming it, exit 2', async (t) => {
  // /proc/sys refuses writes even to root (a chmod 0555 directory would not stop root).
  const result = await refusedServer({ PORT: '0', LEDGER_DATA_DIR: '/proc/sys' });
  t.equal(result.code, 2);
  t.match(
    result.stderr,
    /^ledger-api: invalid configuration:\n {2}LEDGER_DATA_DIR: cannot write into \/proc\/sys: EACCES[^\n]*\n$/,
  );
});

t.test('a file on the way to LEDGER_DATA_DIR: a configuration error naming it, exit 2', async (t) => {
  const file = join(directory, 'a-file-on-the-path');
  writeFileSync(file, 'x');
  const result = await refusedServer({ PORT: '0', LEDGER_DATA_DIR: join(file, 'data') });
  t.equal(result.code, 2);
  t.equal(
    result.stderr,
    `ledger-api: invalid configuration:\n  LEDGER_DATA_DIR: ${file}, on its path, is not a directory\n`,
  );
});

t.test('a master key that is not the data keys’ own: one line, exit 2, nothing served', async (t) => {
  const dataDir = join(directory, 'wrong-key');
  const keys = await openPersonalKeys({ engine: 'sqlite', dataDir }, { masterKey: null });
  await keys.keys.forSealing('v1');
  await keys.close();
  const result = await refusedServer({
    PORT: '0',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
  });
  t.equal(result.code, 2);
  t.match(
    result.stderr,
    /^ledger-api: failed to start: the master key in LEDGER_MASTER_KEY is not the one the personal-data keys were wrapped under .*\n$/,
  );
  t.notMatch(result.stderr, STACK_FRAME);

  rmSync(join(dataDir, MASTER_KEY_FILE));
  const missing = await refusedServer({ PORT: '0', LEDGER_DATA_DIR: dataDir });
  t.equal(missing.code, 2, 'master.key gone while keys are stored');
  t.match(missing.stderr, /^ledger-api: failed to start: no master key: .*master\.key does not exist.*\n$/);
  t.notOk(existsSync(join(dataDir, MASTER_KEY_FILE)), 'and no new one was generated');
});

t.test(
  'a PostgreSQL that nothing listens for: one line naming POSTGRES_URL, never its password, exit 1',
  async (t) => {
    // Port 1 on the loopback interface refuses at once; no PostgreSQL server is needed.
    const result = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: 'postgres://ledger:s3cret-pw@127.0.0.1:1/ledger',
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'postgres-closed'),
    });
    t.equal(result.code, 1, 'exit 1: the configuration is well formed, the server is not there (yet)');
    t.equal(
      result.stderr,
      'ledger-api: failed to start: cannot reach the event store (postgres schema ledger at 127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1 (check POSTGRES_URL)\n',
    );
    t.notMatch(result.stderr, /s3cret-pw/, 'the password in the URL is not repeated');
  },
);

t.test(
  'a PostgreSQL port that accepts but never answers (a hung server, another service): one line, exit 1, no hang',
  async (t) => {
    const port = await silentPort(t);
    const started = Date.now();
    const result = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: `postgres://ledger:s3cret-pw@127.0.0.1:${port}/ledger`,
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'postgres-silent'),
    });
    t.equal(result.code, 1, 'it gives up instead of waiting for ever');
    t.match(
      result.stderr,
      new RegExp(
        `^ledger-api: failed to start: cannot reach the event store \\(postgres schema ledger at 127\\.0\\.0\\.1:${port}\\): .*timeout.* \\(check POSTGRES_URL\\)\\n$`,
      ),
    );
    t.ok(Date.now() - started < 45_000, 'within the connection timeout, not the test’s kill');
  },
);

t.test('a PostgreSQL port that closes the connection at once: one line, exit 1, no stack', async (t) => {
  const port = await acceptingPort(t, (socket) => socket.end());
  const result = await refusedServer({
    PORT: '0',
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: `postgres://ledger:s3cret-pw@127.0.0.1:${port}/ledger`,
    LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
    LEDGER_DATA_DIR: join(directory, 'postgres-closing'),
  });
  t.equal(result.code, 1);
  t.match(
    result.stderr,
    /^ledger-api: failed to start: cannot reach the event store \(postgres schema ledger at 127\.0\.0\.1:\d+\): (Connection terminated unexpectedly|read ECONNRESET) \(check POSTGRES_URL\)\n$/,
  );
  t.notMatch(result.stderr, STACK_FRAME);
});

// Found by the PostgreSQL operator pass: PostgreSQL refuses to create a schema named pg_…, and
// such a POSTGRES_SCHEMA stopped the server with "error: unacceptable schema name" and a stack,
// exit 1 (as if the store were down, for a supervisor to retry for ever).
t.test('a POSTGRES_SCHEMA starting with pg_: a configuration error naming it, exit 2', async (t) => {
  const result = await refusedServer({
    PORT: '0',
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: 'postgres://ledger@127.0.0.1:1/ledger',
    POSTGRES_SCHEMA: 'pg_ledger',
    LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
    LEDGER_DATA_DIR: join(directory, 'postgres-pg-schema'),
  });
  t.equal(result.code, 2);
  t.equal(
    result.stderr,
    'ledger-api: invalid configuration:\n  POSTGRES_SCHEMA: may not start with pg_ (PostgreSQL keeps those names for itself) (got "pg_ledger")\n',
  );
});

// Found by the PostgreSQL operator pass: a URL asking for TLS of a server that offers none stopped
// the server with "Error: The server does not support SSL connections" and a stack; a Unix-socket
// URL (postgres://user@/db?host=/run/postgresql) with no server there with "TypeError: Invalid URL"
// and a stack, thrown while describing the store for the error line.
t.test(
  'PostgreSQL without the TLS the URL asks for, or no server at its socket: one line, exit 1',
  async (t) => {
    // Answers PostgreSQL's SSLRequest with 'N', as a server without ssl=on does.
    const port = await acceptingPort(t, (socket) => socket.once('data', () => socket.write('N')));
    const noTls = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: `postgres://ledger:s3cret-pw@127.0.0.1:${port}/ledger?sslmode=verify-full`,
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'postgres-no-tls'),
    });
    t.equal(noTls.code, 1);
    t.equal(
      noTls.stderr,
      `ledger-api: failed to start: cannot reach the event store (postgres schema ledger at 127.0.0.1:${port}): The server does not support SSL connections (check POSTGRES_URL)\n`,
    );
    const socketDirectory = join(directory, 'no-socket-here');
    mkdirSync(socketDirectory);
    const noSocket = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: `postgres://ledger@/ledger?host=${encodeURIComponent(socketDirectory)}`,
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'postgres-no-socket'),
    });
    t.equal(noSocket.code, 1);
    t.equal(
      noSocket.stderr,
      `ledger-api: failed to start: cannot reach the event store (postgres schema ledger at ${socketDirectory}): connect ENOENT ${socketDirectory}/.s.PGSQL.5432 (check POSTGRES_URL)\n`,
    );
  },
);

// Found by the PostgreSQL operator pass: with LEDGER_PROCESSES=2, a first server process that
// could not start printed its line, then the primary added "Error: a all server process exited
// with 1 before listening" and a 7-line stack, and exited 1 whatever the process's own code.
t.test(
  'LEDGER_PROCESSES=2 over a PostgreSQL nothing listens for: the worker’s line, one line more, its exit code',
  async (t) => {
    const result = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      LEDGER_PROCESSES: '2',
      POSTGRES_URL: 'postgres://ledger:s3cret-pw@127.0.0.1:1/ledger',
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'processes-closed'),
    });
    t.equal(result.code, 1);
    t.equal(
      result.stderr,
      'ledger-api: failed to start: cannot reach the event store (postgres schema ledger at 127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1 (check POSTGRES_URL)\n' +
        'ledger-api: failed to start: the first server process exited with code 1 before listening\n',
    );
  },
);

// Found by the PostgreSQL operator pass: a server started on an existing ledger with another
// LEDGER_NATIONAL_ID_KEY (a typo on one host) started, and registered a person already on the
// ledger a second time under a new volunteer id (201, where the right key answers 409).
t.test('a national-ID key that is not the ledger’s own: one line, exit 2, nothing served', async (t) => {
  const dataDir = join(directory, 'other-national-id-key');
  const first = await openPersonalKeys(
    { engine: 'sqlite', dataDir },
    { masterKey: null, nationalIdKey: 'k'.repeat(40) },
  );
  await first.close();
  const result = await refusedServer({
    PORT: '0',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_NATIONAL_ID_KEY: 'j'.repeat(40),
  });
  t.equal(result.code, 2);
  t.match(
    result.stderr,
    /^ledger-api: failed to start: the national-ID key \(LEDGER_NATIONAL_ID_KEY, or national-id\.key\) is not the one this ledger registers volunteers under: .*\n$/,
  );
  t.notMatch(result.stderr, STACK_FRAME);
  const same = await openPersonalKeys(
    { engine: 'sqlite', dataDir },
    { masterKey: null, nationalIdKey: 'k'.repeat(40) },
  );
  await same.close();
  t.pass('the key it was first opened with still opens it');
});

const postgresUrl = requireServerUrl('POSTGRES_URL');

t.test(
  'PostgreSQL: a process given another national-ID key than the ledger’s is refused, exit 2',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = freshPostgresSchema(t, postgresUrl!, 'start_national_id');
    const config = { engine: 'postgres', url: postgresUrl!, schema } as const;
    const masterKey = randomBytes(32).toString('hex');
    const first = await openPersonalKeys(config, {
      masterKey,
      readModelDataDir: join(directory, 'national-id-first'),
      nationalIdKey: 'ab'.repeat(32),
    });
    await first.close();
    const result = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: postgresUrl!,
      POSTGRES_SCHEMA: schema,
      LEDGER_MASTER_KEY: masterKey,
      LEDGER_NATIONAL_ID_KEY: 'cd'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'national-id-second'),
    });
    t.equal(result.code, 2);
    t.match(result.stderr, /^ledger-api: failed to start: the national-ID key .* never change it\n$/);
  },
);

t.test(
  'LEDGER_PROCESSES=2 with a master key that is not the data keys’ own: exit 2, as one process',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = freshPostgresSchema(t, postgresUrl!, 'start_processes_key');
    const config = { engine: 'postgres', url: postgresUrl!, schema } as const;
    const keys = await openPersonalKeys(config, {
      masterKey: null,
      readModelDataDir: join(directory, 'processes-key-first'),
    });
    await keys.keys.forSealing('v1');
    await keys.close();
    const result = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      LEDGER_PROCESSES: '2',
      POSTGRES_URL: postgresUrl!,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      LEDGER_DATA_DIR: join(directory, 'processes-key'),
    });
    t.equal(result.code, 2);
    t.match(
      result.stderr,
      /^ledger-api: failed to start: the master key in LEDGER_MASTER_KEY is not the one .*\nledger-api: failed to start: the first server process exited with code 2 before listening\n$/,
    );
    t.notMatch(result.stderr, STACK_FRAME);
  },
);

t.test(
  'PostgreSQL: master.key and the other local files live in LEDGER_DATA_DIR, not ./data of the working directory',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = freshPostgresSchema(t, postgresUrl!, 'start_dir');
    const dataDir = join(directory, 'pg-data');
    const workingDirectory = join(directory, 'pg-cwd');
    mkdirSync(workingDirectory);
    const environment = {
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: postgresUrl!,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: dataDir,
    };
    const child = spawn(process.execPath, ['--import', tsxLoader, serverPath], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', LEDGER_SWEEP_INTERVAL_MS: '0', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: workingDirectory,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      child.stdout.on('data', () => {
        if (/listening on/.test(output)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on('exit', () => resolve(false));
    });
    t.ok(listening, output);
    t.ok(existsSync(join(dataDir, MASTER_KEY_FILE)), 'master.key in LEDGER_DATA_DIR');
    t.notOk(existsSync(join(workingDirectory, 'data')), 'nothing in ./data of the working directory');
    await new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
  },
);

// Found by hand: with a lock held on the events table past the statement timeout, the projector's
// first read at start-up failed and the server died with a 10-line stack trace.
t.test(
  'PostgreSQL that stops answering during start-up (a lock past the statement timeout): one line, exit 1, no stack',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = freshPostgresSchema(t, postgresUrl!, 'start_lock');
    const store = await openEventStore({ engine: 'postgres', url: postgresUrl!, schema });
    await store.close();
    const locker = new pg.Client({ connectionString: postgresUrl });
    await locker.connect();
    t.teardown(() => locker.end());
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${locker.escapeIdentifier(schema)}.events IN ACCESS EXCLUSIVE MODE`);
    const result = await refusedServer({
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: postgresUrl!,
      POSTGRES_SCHEMA: schema,
      POSTGRES_STATEMENT_TIMEOUT_MS: '1000',
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'pg-locked'),
    });
    await locker.query('ROLLBACK');
    t.equal(result.code, 1);
    t.match(
      result.stderr,
      /^ledger-api: failed to start: the event store stopped answering during start-up: .*statement timeout\n$/,
    );
    t.notMatch(result.stderr, STACK_FRAME);
  },
);

// Found by the PostgreSQL operator pass: a role that may connect but not create the schema (or
// that does not own the tables another role made) stopped the server with the driver's error and
// an 8-line stack trace, naming no variable.
t.test(
  'PostgreSQL: a role without the rights the ledger needs: one line naming POSTGRES_URL, exit 1, no stack',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = freshPostgresSchema(t, postgresUrl!, 'start_role');
    const role = `ledger_no_rights_${randomBytes(6).toString('hex')}`;
    const owner = new pg.Client({ connectionString: postgresUrl });
    await owner.connect();
    t.teardown(async () => {
      // DROP OWNED also revokes what was granted to the role in this database.
      await owner.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await owner.query(`DROP ROLE IF EXISTS ${role}`);
      await owner.end();
    });
    await owner.query(`CREATE ROLE ${role} LOGIN`);
    const url = new URL(postgresUrl!);
    url.username = role;
    url.password = '';
    const environment = {
      PORT: '0',
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: url.toString(),
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: 'ab'.repeat(32),
      LEDGER_DATA_DIR: join(directory, 'pg-role'),
    };
    const where = `\\(postgres schema ${schema} at ${url.host.replace(/\./g, '\\.')}\\)`;

    // The schema does not exist, and the role may not create one in the database.
    const noSchema = await refusedServer(environment);
    t.equal(noSchema.code, 1);
    t.match(
      noSchema.stderr,
      new RegExp(
        `^ledger-api: failed to start: the PostgreSQL role may not use the ledger's schema ${where}: permission denied for database [^ ]+; .* \\(check POSTGRES_URL\\)\\n$`,
      ),
    );
    t.notMatch(noSchema.stderr, STACK_FRAME);

    // The schema and its tables exist, made by another role; this one may use them but owns none.
    const store = await openEventStore({ engine: 'postgres', url: postgresUrl!, schema });
    await store.close();
    const keys = await openPersonalKeys(
      { engine: 'postgres', url: postgresUrl!, schema },
      { masterKey: null, readModelDataDir: join(directory, 'pg-role-owner') },
    );
    await keys.close();
    await owner.query(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role}`);
    await owner.query(`GRANT ALL ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    const notOwner = await refusedServer(environment);
    t.equal(notOwner.code, 1);
    t.match(
      notOwner.stderr,
      new RegExp(
        `^ledger-api: failed to start: the PostgreSQL role may not use the ledger's schema ${where}: must be owner of .* \\(check POSTGRES_URL\\)\\n$`,
      ),
    );
    t.notMatch(notOwner.stderr, STACK_FRAME);

    // A role that owns its schema (CREATE SCHEMA … AUTHORIZATION, the least a DBA grants) needs no
    // CREATE on the database: until this pass every open ran CREATE SCHEMA IF NOT EXISTS, which
    // PostgreSQL refuses without it even when the schema exists, so such a role could not start.
    const owned = freshPostgresSchema(t, postgresUrl!, 'start_owned');
    await owner.query(`CREATE SCHEMA ${owned} AUTHORIZATION ${role}`);
    const config = { engine: 'postgres', url: url.toString(), schema: owned } as const;
    const ledger = await openLedger(config);
    t.equal(
      await ledger.store.headPosition(),
      0n,
      'the event store and read models open in the owned schema',
    );
    await ledger.close();
    const ownedKeys = await openPersonalKeys(config, {
      masterKey: null,
      readModelDataDir: join(directory, 'pg-role-owned'),
    });
    await ownedKeys.close();
    t.pass('the personal-data key store opens in the owned schema');
  },
);
