/**
 * Several server processes over one PostgreSQL schema (docs/operations.md, "Several processes"),
 * over real HTTP: processes racing holds and redemptions on one volunteer never overdraw it, the
 * same Idempotency-Key sent to two processes at once has one effect, and `LEDGER_PROCESSES=2`
 * runs two workers on one port that answer reads with `minPosition` from the shared read models.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import { DOUBLED_RATE_TERMS } from './fixtures.js';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';
import { allEvents, call, processesSchema, startTwoProcesses, waitFor } from './scheduler-support.js';

const url = requireServerUrl('POSTGRES_URL');
/** The event store's migration lock (packages/event-store-postgres/src/schema.ts). */
const MIGRATION_LOCK_KEY = 7230517001n;
/** The cluster's log line once both workers listen, with their pids (after the sentence that says so). */
const PIDS_LISTENING = /"pids":\[\d+,\d+\]/;
const skip = url === undefined ? 'POSTGRES_URL is not set' : false;

/** A fresh schema and data directory, dropped after the test; the environment every process shares. */
function sharedSchema(t: Test) {
  const { schema, directory, servers, environment } = processesSchema(t, url!, 'ledger_processes');
  return {
    schema,
    servers,
    environment: {
      ...environment,
      LEDGER_DATA_DIR: join(directory, 'data'),
      RATE_LIMIT_REQUESTS_MAX: '1000000',
      // Keys issued through one process count in the other within 100 ms.
      API_KEY_REFRESH_MS: '100',
    },
  };
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function post(server: ServerProcess, key: string, path: string, idempotencyKey: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Retries a write that lost the optimistic-concurrency race more often than the handler retries (409: nothing written). */
async function settled(send: () => Promise<Answer>): Promise<Answer> {
  let answer = await send();
  for (let attempt = 0; answer.body.code === 'CONCURRENCY_CONFLICT' && attempt < 20; attempt += 1)
    answer = await send();
  return answer;
}

/** Starts two processes over one schema: `a` projects (`all`), `b` only serves (`http`). Returns the admin and a partner key. */
async function twoProcesses(t: Test) {
  const shared = sharedSchema(t);
  const { a, b, admin, partner, volunteerIds } = await startTwoProcesses(
    t,
    shared.servers,
    {
      a: { ...shared.environment, LEDGER_PROCESS_ROLE: 'all' },
      b: { ...shared.environment, LEDGER_PROCESS_ROLE: 'http' },
    },
    1,
  );
  const meal = await call(a, admin, '/v1/partners/p1/offers', {
    offerId: 'meal',
    title: 'A meal',
    priceCentipoints: 100,
  });
  t.equal(meal.status, 201, 'offer created');
  return { a, b, admin, partner, volunteerId: volunteerIds[0]!, schema: shared.schema };
}

t.test('two processes racing holds and redemptions on one volunteer never overdraw', { skip }, async (t) => {
  const { a, b, admin, partner, volunteerId, schema } = await twoProcesses(t);
  const earned = 1200; // seedWorld: 12 confirmed hours at 100 centipoints per hour.
  const attempts = 48; // 4,800 centipoints asked for against 1,200: most must be refused.
  const answers = await Promise.all(
    Array.from({ length: attempts }, (_, index) => {
      const server = index % 2 === 0 ? a : b;
      const path = index % 4 < 2 ? '/v1/partners/p1/redemptions' : '/v1/partners/p1/holds';
      return settled(() =>
        post(server, partner, path, `race-${index}`, { volunteerId, offerId: 'meal', centipoints: 100 }),
      );
    }),
  );
  const spent = answers.filter((answer) => answer.status === 201);
  const refused = answers.filter((answer) => answer.body.code === 'INSUFFICIENT_POINTS');
  t.equal(spent.length + refused.length, attempts, 'every attempt either spent or was refused for points');
  t.equal(spent.length * 100, earned, 'the points spent are exactly the points earned, never more');

  // The processes did race: appends decided on a stale revision were refused by the store and re-decided.
  let conflicts = 0;
  for (const server of [a, b]) {
    const text = await fetch(`${server.url}/metrics`).then((response) => response.text());
    conflicts += Number(/^ledger_store_appends_total\{outcome="conflict"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  }
  t.ok(conflicts > 0, `the store refused ${conflicts} appends decided on a stale revision`);

  // The history agrees: what was held (redemptions hold and capture) never exceeds what was earned.
  const store = await createPostgresEventStore({ connectionString: url!, schema });
  t.teardown(() => store.close());
  const events = await allEvents(store);
  const held = events
    .filter((event) => event.type === 'PointsHeld' && event.data.volunteerId === volunteerId)
    .reduce((sum, event) => sum + Number(event.data.centipoints), 0);
  t.equal(held, earned, 'PointsHeld in the store sum to the earned points');

  // Both processes read the shared read models at the last write's position.
  const last = spent
    .map((answer) => BigInt(answer.body.position as string))
    .reduce((max, position) => (position > max ? position : max));
  for (const server of [a, b]) {
    const balance = await call(server, admin, `/v1/volunteers/${volunteerId}?minPosition=${last}`);
    t.equal(balance.status, 200);
    t.equal(balance.body.availableCentipoints, 0, 'nothing left, and not below zero');
  }
});

t.test(
  'a points policy changed through one process is read at once through the other',
  { skip },
  async (t) => {
    const { a, b, admin } = await twoProcesses(t);
    const versions = async (server: ServerProcess): Promise<unknown[]> => {
      const answer = await call(server, admin, '/v1/admin/points-policy');
      t.equal(answer.status, 200);
      return answer.body.versions as unknown[];
    };
    t.equal((await versions(a)).length, 1, 'a has read (and cached) the initial policy');
    const effectiveFrom = new Date(Date.now() + 86_400_000).toISOString();
    const changed = await call(b, admin, '/v1/admin/points-policy', {
      effectiveFrom,
      terms: DOUBLED_RATE_TERMS,
    });
    t.equal(changed.status, 201, JSON.stringify(changed.body));
    // No wait: a's cache is vouched for by the store's change feed, asked after the request came.
    t.match(
      await versions(a),
      [{ version: 0 }, { version: 1, effectiveFrom }],
      "b's version, read through a",
    );
  },
);

t.test('the same Idempotency-Key sent to two processes at once has one effect', { skip }, async (t) => {
  const { a, b, admin, partner, volunteerId, schema } = await twoProcesses(t);
  const keys = 12;
  const pairs = await Promise.all(
    Array.from({ length: keys }, async (_, index) => {
      const send = (server: ServerProcess) => () =>
        post(server, partner, '/v1/partners/p1/redemptions', `twice-${index}`, {
          volunteerId,
          offerId: 'meal',
          centipoints: 100,
        });
      return Promise.all([settled(send(a)), settled(send(b))]);
    }),
  );
  for (const [fromA, fromB] of pairs) {
    t.equal(fromA.status, 201, 'process a answered the redemption');
    t.same(fromB, fromA, 'process b gave the same answer');
  }
  const store = await createPostgresEventStore({ connectionString: url!, schema });
  t.teardown(() => store.close());
  const events = await allEvents(store);
  const captured = events.filter(
    (event) => event.type === 'PointsHeld' && event.data.volunteerId === volunteerId,
  );
  t.equal(captured.length, keys, 'one hold per key, whichever process took it');
  const balance = await call(b, admin, `/v1/volunteers/${volunteerId}`);
  t.equal(balance.body.availableCentipoints, 1200 - keys * 100, 'each key spent once');
});

// Found by a tester: transfers and donations, whose answer comes from a reaction in another stream,
// answered the copy that did not write with 409 COMMAND_ALREADY_APPLIED, a 500 ("ended neither
// credited nor refunded") or a 201 saying the pool was not credited when it was. The copy now waits
// for the answer the other process records.
t.test(
  'the same transfer or donation key sent to two processes at once gets one answer',
  { skip },
  async (t) => {
    const shared = sharedSchema(t);
    const { a, b, admin, volunteerIds } = await startTwoProcesses(
      t,
      shared.servers,
      {
        a: { ...shared.environment, LEDGER_PROCESS_ROLE: 'all' },
        b: { ...shared.environment, LEDGER_PROCESS_ROLE: 'http' },
      },
      2,
    );
    const [sender, receiver] = volunteerIds as [string, string];
    const requests = Array.from({ length: 16 }, (_, index) =>
      index % 2 === 0
        ? { path: `/v1/volunteers/${sender}/transfers`, body: { toVolunteerId: receiver, centipoints: 1 } }
        : { path: `/v1/volunteers/${sender}/donations`, body: { centipoints: 1 } },
    );
    const pairs = await Promise.all(
      requests.map(async ({ path, body }, index) => {
        const send = (server: ServerProcess) => () => post(server, admin, path, `once-${index}`, body);
        return Promise.all([settled(send(a)), settled(send(b))]);
      }),
    );
    for (const [index, [fromA, fromB]] of pairs.entries()) {
      t.equal(fromA.status, 201, `${requests[index]!.path}: ${JSON.stringify(fromA.body)}`);
      t.same(fromB, fromA, 'both processes gave the same answer, position included');
      t.notOk(fromA.body.received === false, 'a donation says the pool was credited');
    }
    const balance = await call(b, admin, `/v1/volunteers/${sender}?minPosition=0`);
    t.equal(balance.body.availableCentipoints, 1200 - requests.length, 'each key moved one centipoint, once');
  },
);

t.test('LEDGER_PROCESSES=2 runs two workers on one port over the shared read models', { skip }, async (t) => {
  const shared = sharedSchema(t);
  const cluster = await startServer({ ...shared.environment, LEDGER_PROCESSES: '2' });
  shared.servers.push(cluster);
  t.ok(
    await waitFor(async () => /^ledger-api: 2 processes listening on http:/m.test(cluster.stdout()), 60_000),
    'the primary reports two listening workers',
  );
  const admin = bootstrapAdminKey(shared.environment.LEDGER_DATA_DIR);
  // Fresh connections are dealt to the workers in turn: each write reads back at its position.
  for (let index = 0; index < 8; index += 1) {
    const response = await fetch(`${cluster.url}/v1/admin/organisations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'idempotency-key': `org-${index}`,
        connection: 'close',
      },
      body: JSON.stringify({ organisationId: `org${index}`, name: `Station ${index}`, community: 'c1' }),
    });
    t.equal(response.status, 201);
    const { position } = (await response.json()) as { position: string };
    const read = await fetch(`${cluster.url}/v1/admin/organisations?minPosition=${position}`, {
      headers: { authorization: `Bearer ${admin}`, connection: 'close' },
    });
    t.equal(read.status, 200, `organisation ${index} is readable at its position`);
  }
  t.equal(await stopServer(cluster.child), 0, 'SIGTERM stops every worker and the primary cleanly');
});

// Found by the operator QA pass: a worker that failed its first restart (here a master key that
// does not open the key store; a PostgreSQL not up yet does the same) was never tried again, so the
// cluster ran on without it for good — without its projector, scheduler and relay if it was `all`.
t.test('a worker whose restart fails is tried again until it starts', { skip }, async (t) => {
  const shared = sharedSchema(t);
  const cluster = await startServer({ ...shared.environment, LEDGER_PROCESSES: '2', LOG_LEVEL: 'info' });
  shared.servers.push(cluster);
  t.ok(await waitFor(async () => PIDS_LISTENING.test(cluster.stdout()), 60_000), 'two workers listen');
  const listening = /"pids":\[(\d+),(\d+)\]/.exec(cluster.stdout());
  const httpWorker = Number(listening?.[2]);
  const masterKeyFile = join(shared.environment.LEDGER_DATA_DIR, 'master.key');
  const masterKey = readFileSync(masterKeyFile);
  writeFileSync(masterKeyFile, 'a'.repeat(64));
  process.kill(httpWorker, 'SIGKILL');
  t.ok(
    await waitFor(
      async () => /server process failed to restart; trying again/.test(cluster.stdout()),
      60_000,
    ),
    'the restart fails while the master key is wrong',
  );
  writeFileSync(masterKeyFile, masterKey);
  t.ok(
    await waitFor(
      async () => /"role":"http".*"msg":"server process restarted"/.test(cluster.stdout()),
      60_000,
    ),
    'and succeeds once it is right again',
  );
  t.equal((await fetch(`${cluster.url}/readyz`, { headers: { connection: 'close' } })).status, 200);
  t.equal(await stopServer(cluster.child), 0, 'SIGTERM stops every worker and the primary cleanly');
});

/** The processes whose parent is `pid` (its cluster workers), from /proc. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid …`: the command may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `/readyz` on a fresh connection (dealt to the next worker in turn). */
async function readiness(server: ServerProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/readyz`, { headers: { connection: 'close' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A cluster of an `all` and an `http` worker; the pid of each, from the primary's log. */
async function twoWorkers(t: Test, environment: Record<string, string> = {}) {
  const shared = sharedSchema(t);
  const cluster = await startServer({
    ...shared.environment,
    LEDGER_PROCESSES: '2',
    LOG_LEVEL: 'info',
    ...environment,
  });
  shared.servers.push(cluster);
  t.ok(await waitFor(async () => PIDS_LISTENING.test(cluster.stdout()), 60_000), 'two workers listen');
  const listening = /"pids":\[(\d+),(\d+)\]/.exec(cluster.stdout());
  const masterKeyFile = join(shared.environment.LEDGER_DATA_DIR, 'master.key');
  return {
    shared,
    cluster,
    projecting: Number(listening?.[1]),
    masterKeyFile,
    masterKey: readFileSync(masterKeyFile),
  };
}

// Found by the operator QA pass: while the `all` worker (projector, scheduler, relay) was down,
// `/readyz` on the `http` worker answered 200 over read models that nothing advanced any more.
t.test("an http worker is not ready while the cluster's projecting worker is down", { skip }, async (t) => {
  const { cluster, projecting, masterKeyFile, masterKey } = await twoWorkers(t);
  t.equal((await readiness(cluster)).status, 200, 'ready with both workers up');
  // Its restart fails while the master key is wrong: the `all` worker stays down.
  writeFileSync(masterKeyFile, 'a'.repeat(64));
  process.kill(projecting, 'SIGKILL');
  t.ok(
    await waitFor(
      async () => /"role":"all".*server process died; restarting it/.test(cluster.stdout()),
      30_000,
    ),
    'the primary saw the projecting worker die',
  );
  // Only the http worker listens now: every connection reaches it.
  for (let index = 0; index < 3; index += 1) {
    const answer = await readiness(cluster);
    t.equal(answer.status, 503, 'the http worker is not ready');
    t.same(answer.body, {
      status: 'not-ready',
      reason: 'the projecting server process is down or restarting',
    });
  }
  writeFileSync(masterKeyFile, masterKey);
  t.ok(
    await waitFor(
      async () => /"role":"all".*"msg":"server process restarted"/.test(cluster.stdout()),
      60_000,
    ),
    'the projecting worker is back',
  );
  // Both workers, in turn, answer ready again.
  for (let index = 0; index < 4; index += 1) t.equal((await readiness(cluster)).status, 200, 'ready again');
  t.equal(await stopServer(cluster.child), 0, 'SIGTERM stops every worker and the primary cleanly');
});

t.test('SIGTERM to the primary while a worker is restarting leaves no worker behind', { skip }, async (t) => {
  const { cluster, projecting, masterKeyFile } = await twoWorkers(t);
  const primary = cluster.child.pid!;
  writeFileSync(masterKeyFile, 'a'.repeat(64));
  process.kill(projecting, 'SIGKILL');
  t.ok(
    await waitFor(
      async () => /server process failed to restart; trying again/.test(cluster.stdout()),
      60_000,
    ),
    'the restart failed and waits to be tried again',
  );
  const workers = childPids(primary);
  t.equal(workers.length, 1, 'only the http worker runs meanwhile');
  t.equal(await stopServer(cluster.child), 0, 'the primary exits 0 (every worker drained)');
  t.same(workers.filter(isRunning), [], 'no worker is left running');
});

t.test(
  'SIGTERM to the primary while a worker is stuck starting kills it after the grace',
  { skip },
  async (t) => {
    const { cluster, projecting } = await twoWorkers(t, { SHUTDOWN_GRACE_SECONDS: '2' });
    const primary = cluster.child.pid!;
    // The event store's migration lock (schema.ts), held: a starting worker waits for it without a timeout.
    const locker = new pg.Client({ connectionString: url! });
    await locker.connect();
    t.teardown(() => locker.end());
    await locker.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    process.kill(projecting, 'SIGKILL');
    t.ok(
      await waitFor(async () => {
        const waiting = await locker.query<{ count: string }>(
          // This lock only: other tests and processes on the same server wait for advisory locks too.
          `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
              AND (classid::bigint << 32 | objid::bigint) = $1`,
          [String(MIGRATION_LOCK_KEY)],
        );
        return Number(waiting.rows[0]?.count) > 0;
      }, 30_000),
      'the restarted worker waits for the migration lock',
    );
    const workers = childPids(primary);
    t.equal(workers.length, 2, 'the http worker and the starting one run');
    const started = Date.now();
    t.equal(await stopServer(cluster.child), 1, 'the primary exits 1: a worker had to be killed');
    t.ok(Date.now() - started < 10_000, 'within the grace and a second, not for ever');
    t.same(workers.filter(isRunning), [], 'no worker is left running');
    t.match(cluster.stdout(), /server processes still running after the shutdown grace; killing them/);
  },
);
