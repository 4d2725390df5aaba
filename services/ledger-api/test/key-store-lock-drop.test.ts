/**
 * On PostgreSQL an API server holds the personal-data key store's advisory lock (shared) on a
 * connection of its own, so that `pnpm ledger rotate-master-key` is refused beside it. When that
 * connection drops (a PostgreSQL restart, a terminated backend, a cut network) the server takes
 * the lock again at once, with a warning; if another process (a rotation) holds it by then, the
 * server stops with an error and exit 1, for its supervisor to restart it.
 *
 * Found by the PostgreSQL operator pass: the server kept running without the lock until its own
 * restart, so a rotation could run beside it and every volunteer it registered afterwards had a
 * data key wrapped under the replaced master key (500 INTERNAL_ERROR for good after a restart).
 * The drop is played with `pg_terminate_backend` on the lock's own backend, found by its key.
 * Until the lock is held again `/readyz` answers 503 with the reason (it answered 200 while every
 * registration was refused); the re-take is held up by a table lock on the key table, which its
 * master-key check reads.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import pg from 'pg';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import {
  KEY_STORE_LOCK_APPLICATION_NAME,
  keyStoreLockKey,
  openPersonalKeys,
  openPersonalKeyStore,
  type KeyStoreLockEvent,
  type OpenedPersonalKeys,
} from '@timebank/ledger-opener';
import { rotateMasterKey } from '@timebank/application';
import { cuttableProxy } from '@timebank/event-store-postgres/testing';
import { freshPostgresSchema } from './fixtures.js';
import { registerVolunteer, waitFor } from './scheduler-support.js';
import {
  bootstrapAdminKey,
  launcher,
  type ServerProcess,
  startServer,
  stopServer,
} from './server-process.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');
const skip = postgresUrl === undefined ? 'POSTGRES_URL is not set' : false;
const ledgerMain = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'auditor-cli', 'src', 'main.ts');

/** What `pnpm ledger <args>` runs, with only PATH and `environment`; its exit status and stderr. */
function runLedger(
  args: string[],
  environment: Record<string, string>,
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [launcher, ledgerMain, ...args], {
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

/** A server on a fresh schema, an admin key, and a client for the test's own statements. */
async function serverOnFreshSchema(t: Test, prefix: string) {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-key-lock-'));
  const admin = new pg.Client({ connectionString: postgresUrl! });
  await admin.connect();
  const running: { server?: ServerProcess } = {};
  const schema = freshPostgresSchema(t, postgresUrl!, prefix, async () => {
    if (running.server !== undefined) await stopServer(running.server.child);
    await admin.end();
    rmSync(directory, { recursive: true, force: true });
  });
  const environment = {
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: postgresUrl!,
    POSTGRES_SCHEMA: schema,
    LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
    LEDGER_DATA_DIR: directory,
  };
  running.server = await startServer(environment);
  const key = BigInt.asUintN(64, BigInt(keyStoreLockKey(schema)));
  /** The backends holding (or waiting for) the key store's lock of this schema. */
  const holders = async (granted: boolean): Promise<number[]> => {
    const result = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
         AND classid = $1 AND objid = $2 AND granted = $3 ORDER BY pid`,
      [String(key >> 32n), String(key & 0xffffffffn), granted],
    );
    return result.rows.map((row) => row.pid);
  };
  const bootstrap = bootstrapAdminKey(directory);
  let sequence = 0;
  const register = async (): Promise<number> => {
    sequence += 1;
    return (await registerVolunteer(running.server!, bootstrap, 7000 + sequence, `Volunteer ${sequence}`))
      .status;
  };
  return { server: running.server, admin, environment, holders, register, key: keyStoreLockKey(schema) };
}

t.test(
  'a dropped lock connection: the server takes the lock again at once, and a rotation stays refused',
  { skip },
  async (t) => {
    const { server, admin, environment, holders, register } = await serverOnFreshSchema(t, 'lock_regain');
    t.equal(await register(), 201);
    const [before, ...others] = await holders(true);
    t.ok(before !== undefined && others.length === 0, 'one backend holds the lock: the server’s');
    await admin.query('SELECT pg_terminate_backend($1)', [before]);

    const regained = await waitFor(async () => {
      const now = await holders(true);
      const logged = /key store lock is held again/.test(server.stderr() + server.stdout());
      return logged && now.length === 1 && now[0] !== before;
    }, 10_000);
    t.ok(regained, 'a new connection of the server holds the lock');
    t.match(
      server.stderr() + server.stdout(),
      /lock’s connection to PostgreSQL dropped; taking the lock again/,
    );
    t.match(server.stderr() + server.stdout(), /key store lock is held again/, 'with warnings in the log');
    t.equal(await register(), 201, 'the server registers volunteers as before');

    const rotation = await runLedger(['rotate-master-key'], {
      ...environment,
      LEDGER_NEW_MASTER_KEY: 'cd'.repeat(32),
    });
    t.equal(rotation.status, 2, `a rotation is still refused beside it: ${rotation.stderr}`);
    t.equal(await stopServer(server.child), 0, 'and it stops cleanly');
  },
);

/** `/readyz` of `server`: its status and body. */
async function readiness(server: ServerProcess): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}/readyz`, { headers: { connection: 'close' } });
  return { status: response.status, body: await response.json() };
}

t.test(
  'a dropped lock connection: /readyz answers 503 until the lock is held again, then 200',
  { skip },
  async (t) => {
    const { server, admin, environment, holders } = await serverOnFreshSchema(t, 'lock_ready');
    t.equal((await readiness(server)).status, 200, 'ready while the lock is held');
    // The re-take ends with a read of the key table (does the master key still open the check
    // key?): behind this table lock the server has a new lock connection but is not done re-taking.
    const blocker = new pg.Client({ connectionString: postgresUrl! });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(
        `LOCK TABLE "${environment.POSTGRES_SCHEMA}".personal_data_keys IN ACCESS EXCLUSIVE MODE`,
      );
      const [before] = await holders(true);
      await admin.query('SELECT pg_terminate_backend($1)', [before]);
      t.ok(
        await waitFor(async () => /taking the lock again/.test(server.stderr() + server.stdout()), 10_000),
        'the drop is seen',
      );
      const notReady = { status: 503, body: { status: 'not-ready', reason: /key store lock/ } };
      t.match(await readiness(server), notReady, 'not ready while the lock is being taken again');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      t.match(await readiness(server), notReady, 'and still not ready a second and a half later');
      t.notMatch(server.stderr() + server.stdout(), /held again/, 'the lock is not held again yet');
    } finally {
      await blocker.query('COMMIT').catch(() => undefined);
      await blocker.end();
    }
    t.ok(
      await waitFor(async () => (await readiness(server)).status === 200, 10_000),
      'ready again once the lock is held',
    );
    // The log line reaches the pipe a moment after /readyz turns: wait for it, do not race it.
    t.ok(
      await waitFor(
        async () => /key store lock is held again/.test(server.stderr() + server.stdout()),
        10_000,
      ),
      'the log says the lock is held again',
    );
    t.equal(await stopServer(server.child), 0, 'and it stops cleanly');
  },
);

t.test(
  'a dropped lock connection while a rotation waits for the lock: the server stops, exit 1',
  { skip },
  async (t) => {
    const { server, admin, holders, key } = await serverOnFreshSchema(t, 'lock_refused');
    const [serverHolder] = await holders(true);
    // A session waiting for the lock alone, as a rotation would take it: PostgreSQL grants it the
    // moment the server's backend ends, before the server can ask again on a new connection.
    const rotation = new pg.Client({ connectionString: postgresUrl! });
    await rotation.connect();
    t.teardown(() => rotation.end());
    const taken = rotation.query('SELECT pg_advisory_lock($1)', [key]);
    t.ok(await waitFor(async () => (await holders(false)).length === 1, 10_000), 'the rotation waits');
    const exited = new Promise<number | null>((resolve) => {
      server.child.removeAllListeners('exit');
      server.child.once('exit', resolve);
    });
    await admin.query('SELECT pg_terminate_backend($1)', [serverHolder]);
    await taken;

    const code = await Promise.race([
      exited,
      new Promise<string>((r) => setTimeout(() => r('running'), 20_000)),
    ]);
    t.equal(code, 1, 'the server stopped with exit 1');
    t.match(server.stderr() + server.stdout(), /key store lock against a master-key rotation is lost/);
    t.match(server.stderr() + server.stdout(), /a master-key rotation/);
  },
);

t.test(
  'a key store whose lock connection dropped and is not taken again (a pnpm ledger command) wraps no new data key',
  { skip },
  async (t) => {
    const admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
    const opened: { store?: Awaited<ReturnType<typeof openPersonalKeyStore>> } = {};
    const schema = freshPostgresSchema(t, postgresUrl!, 'lock_gate', async () => {
      await opened.store?.close();
      await admin.end();
    });
    opened.store = await openPersonalKeyStore({ engine: 'postgres', url: postgresUrl!, schema });
    const store = opened.store;
    t.equal((await store.insertDataKey('v-before', randomBytes(60))).state, 'active', 'minted while held');
    const pids = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $2)`,
      [
        KEY_STORE_LOCK_APPLICATION_NAME,
        String(BigInt.asUintN(64, BigInt(keyStoreLockKey(schema))) & 0xffffffffn),
      ],
    );
    t.equal(pids.rowCount, 1);
    await admin.query('SELECT pg_terminate_backend($1)', [pids.rows[0]!.pid]);
    await t.rejects(
      waitFor(async () => {
        await store.insertDataKey(`v-${randomBytes(4).toString('hex')}`, randomBytes(60));
        return false;
      }, 5000),
      { code: 'STORE_UNAVAILABLE', message: /lock against a master-key rotation is not held/ },
      'refused (503 in the API) once the drop is seen',
    );
    t.ok(await store.dataKey('v-before'), 'keys already stored still open');
  },
);

t.test(
  'a rotation that ran while the server was cut off from PostgreSQL: the lock is taken again, the master key no longer fits: lost',
  { skip },
  async (t) => {
    const proxy = await cuttableProxy(t, new URL(postgresUrl!));
    const through = new URL(postgresUrl!);
    through.port = String(proxy.port);
    const directory = mkdtempSync(join(tmpdir(), 'timebank-key-lock-'));
    const events: KeyStoreLockEvent[] = [];
    const opened: { keys?: OpenedPersonalKeys } = {};
    const schema = freshPostgresSchema(t, postgresUrl!, 'lock_rotated', async () => {
      await opened.keys?.close();
      rmSync(directory, { recursive: true, force: true });
    });
    const oldMasterKey = 'ab'.repeat(32);
    opened.keys = await openPersonalKeys(
      { engine: 'postgres', url: through.toString(), schema },
      { masterKey: oldMasterKey, readModelDataDir: directory, watchLock: (event) => events.push(event) },
    );
    await proxy.cut();
    t.ok(
      await waitFor(async () => events.some((event) => event.kind === 'dropped'), 10_000),
      'the drop is seen',
    );

    // The rotation reaches PostgreSQL; this process does not, and asks again once a second.
    const rotation = await openPersonalKeyStore(
      { engine: 'postgres', url: postgresUrl!, schema },
      directory,
      'exclusive',
    );
    try {
      await rotateMasterKey(rotation, Buffer.from(oldMasterKey, 'hex'), Buffer.from('cd'.repeat(32), 'hex'));
    } finally {
      await rotation.close();
    }
    await proxy.restore();
    t.ok(await waitFor(async () => events.some((event) => event.kind === 'lost'), 10_000), 'then lost');
    t.match(events.at(-1), { kind: 'lost', reason: /master key was rotated while the lock was not held/ });
    t.notOk(
      events.some((event) => event.kind === 'regained'),
      'never regained',
    );
  },
);
