/**
 * A request whose PostgreSQL statement cannot finish (here: blocked behind a lock another session
 * holds, as a long migration, a VACUUM FULL or a stuck transaction would) is answered
 * 503 STORE_UNAVAILABLE once POSTGRES_STATEMENT_TIMEOUT_MS has passed, instead of hanging until
 * the client gives up; nothing of a timed-out command is written, and the API answers again as
 * soon as the lock is released.
 */
import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { nationalIdNumber, wirePostgresApi } from './fixtures.js';

const url = requireServerUrl('POSTGRES_URL');
/** Milliseconds: short, so that the test waits a second, not the default 30. */
const STATEMENT_TIMEOUT_MILLISECONDS = 700;
/** The timeout plus the driver's margin and a loaded machine's scheduling; far below "for ever". */
const BOUND_MILLISECONDS = 8000;

t.test(
  'a request blocked by a lock answers 503 STORE_UNAVAILABLE after the statement timeout, then the API recovers',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const { wired, keyFor, schema } = await wirePostgresApi(t, url!, 'pgops_api', {
      POSTGRES_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MILLISECONDS),
    });
    const admin = await keyFor('admin', { kind: 'all' });
    const register = (seed: number) =>
      wired.app.inject({
        method: 'POST',
        url: '/v1/volunteers',
        headers: { authorization: admin, 'idempotency-key': `pgops-register-${seed}` },
        payload: {
          name: 'Wang Wu',
          nationalIdNumber: nationalIdNumber(seed),
          phone: '13800000001',
          community: 'c1',
        },
      });
    const first = await register(41);
    t.equal(first.statusCode, 201);
    const { volunteerNumber } = first.json<{ volunteerNumber: string }>();

    // Every table of the ledger's schema: events, read models, idempotency claims, personal keys.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    t.teardown(() => locker.end());
    const tables = await locker.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1`,
      [schema],
    );
    await locker.query('BEGIN');
    await locker.query(
      `LOCK TABLE ${tables.rows.map((row) => row.name).join(', ')} IN ACCESS EXCLUSIVE MODE`,
    );

    const requests = {
      'a command': () => register(42),
      'a read-model query': () =>
        wired.app.inject({
          method: 'GET',
          url: `/v1/volunteers/by-number/${volunteerNumber}`,
          headers: { authorization: admin },
        }),
    };
    for (const [name, request] of Object.entries(requests)) {
      const started = Date.now();
      const response = await request();
      const elapsedMilliseconds = Date.now() - started;
      t.equal(response.statusCode, 503, `${name}: 503`);
      t.equal(response.json<{ code: string }>().code, 'STORE_UNAVAILABLE', `${name}: STORE_UNAVAILABLE`);
      t.ok(elapsedMilliseconds < BOUND_MILLISECONDS, `${name}: answered after ${elapsedMilliseconds} ms`);
    }

    await locker.query('ROLLBACK');
    const events = await locker.query<{ count: string }>(
      `SELECT count(*) FROM ${schema}.events WHERE stream_name LIKE 'volunteer-%'`,
    );
    t.equal(events.rows[0]?.count, '1', 'the timed-out registration wrote no event');
    const retried = await register(42);
    t.equal(retried.statusCode, 201, 'the same command succeeds once the lock is gone');
    const { position } = retried.json<{ position: string }>();
    const read = await wired.app.inject({
      method: 'GET',
      url: `/v1/volunteers/by-number/${volunteerNumber}?minPosition=${position}`,
      headers: { authorization: admin },
    });
    t.equal(read.statusCode, 200, 'the read models (and their projector) caught up again');
  },
);

// Found by the operator QA pass: a lock on the read models held past the statement timeout logged
// the projector's failed commit at `error` on every retry of that one outage.
t.test(
  'a projector commit blocked by a lock: one error line with the reason, quiet retries, one info line on recovery',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const { wired, keyFor, schema } = await wirePostgresApi(
      t,
      url!,
      'pgops_projector',
      { POSTGRES_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MILLISECONDS) },
      { logger },
    );
    const admin = await keyFor('admin', { kind: 'all' });
    const organisation = (index: number) =>
      wired.app.inject({
        method: 'POST',
        url: '/v1/admin/organisations',
        headers: { authorization: admin, 'idempotency-key': `pgops-org-${index}` },
        payload: { organisationId: `org${index}`, name: `Station ${index}`, community: 'c1' },
      });
    t.equal((await organisation(1)).statusCode, 201);

    // The read models' checkpoint, locked: appends go on, the projector's commits time out.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    t.teardown(() => locker.end());
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${pg.escapeIdentifier(schema)}.rm_checkpoint IN ACCESS EXCLUSIVE MODE`);
    const written = await organisation(2);
    t.equal(written.statusCode, 201, 'the write is accepted while the projector cannot commit');
    const projectorLines = () => lines.filter((line) => /^projector /.test(String(line.msg)));
    const failures = () => projectorLines().filter((line) => /it retries$/.test(String(line.msg)));
    const deadline = Date.now() + 30_000;
    while (failures().length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    t.ok(failures().length >= 3, `the projector failed and retried ${failures().length} times`);
    await locker.query('ROLLBACK');

    const { position } = written.json<{ position: string }>();
    const read = await wired.app.inject({
      method: 'GET',
      url: `/v1/admin/organisations?minPosition=${position}`,
      headers: { authorization: admin },
    });
    t.equal(read.statusCode, 200, 'the projector caught up once the lock was gone');
    await new Promise((resolve) => setTimeout(resolve, 100));

    const errors = projectorLines().filter((line) => line.level === 50);
    t.equal(errors.length, 1, 'one error line for the outage');
    t.match(
      errors[0],
      { msg: 'projector error; it retries', reason: /statement timeout/ },
      'with its reason',
    );
    const retries = failures().slice(1);
    t.ok(
      retries.every(
        (line) =>
          line.level === 20 || (line.level === 40 && line.msg === 'projector still failing; it retries'),
      ),
      'the retries at debug (a warn summary at most once a minute)',
    );
    const recovered = projectorLines().filter((line) => line.level === 30);
    t.equal(recovered.length, 1, 'one info line on recovery');
    t.match(recovered[0], {
      msg: 'projector recovered: the read models advance again',
      failures: failures().length,
    });
  },
);
