/**
 * Upgrading a data directory whose read models an older build made: the server rebuilds them
 * from the events before it listens (schema fingerprint, docs/projections.md), and a crash
 * during that rebuild leaves the old set, so the next start rebuilds again. Read models and
 * snapshots whose file is no longer a database are set aside and rebuilt the same way.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { READ_MODELS_FILE, SNAPSHOTS_FILE } from '@timebank/ledger-opener';
import { READ_MODEL_SCHEMA_FINGERPRINT } from '@timebank/projections';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';
import { call, seedWorld, waitFor } from './scheduler-support.js';

const VOLUNTEERS = 4;

/** What an older build's read models look like: no fingerprint, no project_fact, no cash columns, and rows it never projected. */
function makeOld(dataDir: string): void {
  const db = new Database(join(dataDir, READ_MODELS_FILE));
  db.exec('DROP TABLE rm_schema');
  db.exec('DROP TABLE rm_project_fact');
  db.exec('ALTER TABLE rm_points_hold DROP COLUMN cash_copay_fen');
  db.exec('DELETE FROM rm_volunteer_summary');
  db.close();
}

function storedFingerprint(dataDir: string): string | undefined {
  const db = new Database(join(dataDir, READ_MODELS_FILE), { readonly: true });
  try {
    const present = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'rm_schema'").get() !== undefined;
    if (!present) return undefined;
    return (db.prepare('SELECT fingerprint FROM rm_schema').get() as { fingerprint: string }).fingerprint;
  } finally {
    db.close();
  }
}

async function summaries(server: ServerProcess, admin: string, ids: readonly string[]) {
  const bodies: Record<string, unknown>[] = [];
  for (const id of ids) {
    const answer = await call(server, admin, `/v1/volunteers/${id}`);
    bodies.push({ ...answer.body, httpStatus: answer.status });
  }
  // Community statistics come from the read models (volunteer_summary, community_fact).
  const statistics = await call(server, admin, '/v1/communities/c1/statistics');
  const { activeSince: _now, ...figures } = statistics.body; // 90 days before now: moves with the clock
  bodies.push({ ...figures, httpStatus: statistics.status });
  return bodies;
}

/**
 * A server on a fresh data directory with VOLUNTEERS seeded and projected, and the summaries and
 * statistics it answers; the directory and every server in `running` go at teardown.
 */
async function seededServer(t: Test, prefix: string) {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(directory, 'data');
  const environment = { LEDGER_DATA_DIR: dataDir, RATE_LIMIT_REQUESTS_MAX: '1000000', LOG_LEVEL: 'info' };
  const running: ServerProcess[] = [];
  t.teardown(async () => {
    for (const server of running) await stopServer(server.child);
    rmSync(directory, { recursive: true, force: true });
  });
  const first = await startServer(environment);
  running.push(first);
  const admin = bootstrapAdminKey(dataDir);
  const ids = await seedWorld(first, admin, VOLUNTEERS);
  t.ok(
    await waitFor(
      async () => (await call(first, admin, `/v1/volunteers/${ids.at(-1)}`)).status === 200,
      10_000,
    ),
    'projected',
  );
  return { dataDir, environment, running, first, admin, ids, before: await summaries(first, admin, ids) };
}

t.test(
  'an upgraded data dir is rebuilt on start, also over what a crash midway through a rebuild leaves',
  async (t) => {
    const { dataDir, environment, running, first, admin, ids, before } = await seededServer(
      t,
      'timebank-rm-upgrade-',
    );
    t.same(
      before.map((body) => body.httpStatus),
      [...ids.map(() => 200), 200],
      'summaries and statistics answer',
    );
    t.match(
      JSON.stringify(before.at(-1)),
      new RegExp(`:${VOLUNTEERS}[,}]`),
      'statistics count the volunteers',
    );
    t.equal(storedFingerprint(dataDir), READ_MODEL_SCHEMA_FINGERPRINT, 'a new set stores the fingerprint');
    await stopServer(first.child);
    running.length = 0;

    // (2) An old set, and what a SIGKILL midway through an automatic rebuild leaves: a half-built
    // rb_ set beside the untouched old live set (the swap is one transaction, so nothing else).
    makeOld(dataDir);
    t.equal(storedFingerprint(dataDir), undefined, 'the old set has no fingerprint');
    const db = new Database(join(dataDir, READ_MODELS_FILE));
    db.exec("CREATE TABLE rb_checkpoint (position TEXT NOT NULL); INSERT INTO rb_checkpoint VALUES ('0')");
    db.exec('CREATE TABLE rb_volunteer_summary AS SELECT * FROM rm_service_record LIMIT 0');
    db.close();

    // (1) Start again: rebuilt when needed, and the figures are the ones before the upgrade.
    const second = await startServer(environment);
    running.push(second);
    const after = await summaries(second, admin, ids);
    t.same(after, before, 'every volunteer summary is as before');
    t.match(second.stdout(), /read-model schema changed/, 'the log says why it rebuilds');
    t.match(second.stdout(), /read-model rebuild finished/, 'and that it finished');
    t.equal(
      storedFingerprint(dataDir),
      READ_MODEL_SCHEMA_FINGERPRINT,
      'the rebuilt set stores the fingerprint',
    );
    const ready = await fetch(`${second.url}/readyz`);
    t.equal(ready.status, 200, 'ready once listening');
  },
);

t.test(
  'read models and snapshots that are no longer a database are set aside and rebuilt on start',
  async (t) => {
    const { dataDir, environment, running, first, admin, ids, before } = await seededServer(
      t,
      'timebank-rm-damaged-',
    );
    await stopServer(first.child);
    running.length = 0;

    // The first bytes overwritten, as a stray copy or a bad disk would leave them.
    for (const file of [READ_MODELS_FILE, SNAPSHOTS_FILE]) {
      const handle = openSync(join(dataDir, file), 'r+');
      writeSync(handle, Buffer.from('not a database any more, just bytes'), 0, 35, 0);
      closeSync(handle);
    }
    const second = await startServer(environment);
    running.push(second);
    t.same(await summaries(second, admin, ids), before, 'every summary and the statistics are as before');
    for (const file of [READ_MODELS_FILE, SNAPSHOTS_FILE]) {
      t.match(second.stdout(), new RegExp(`${file} is not a SQLite database`), `the log names ${file}`);
      t.equal(
        readdirSync(dataDir).filter((name) => name.startsWith(`${file}.corrupt-`)).length,
        1,
        `${file} is kept beside the new one`,
      );
    }
    t.match(second.stdout(), /started afresh; rebuilding the read models/, 'rebuilt before serving');
    t.match(second.stdout(), /read-model rebuild finished/);
    t.equal((await fetch(`${second.url}/readyz`)).status, 200, 'ready once listening');
  },
);
