/**
 * POSTGRES_SCHEMA may be any lower-case identifier, a word PostgreSQL reserves among them
 * (`user`, `order`, `select`): the server starts on it, registers a volunteer (the personal-data
 * key store's tables are in that schema too) and `pnpm ledger verify` finds the ledger sound.
 * Until the key store quoted the schema, such a server created the event store's tables and then
 * stopped with `failed to start: error: syntax error at or near "user"` (exit 1).
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { dropSchema } from '@timebank/event-store-postgres/testing';

import { call, registerVolunteer } from './scheduler-support.js';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** A reserved word (not even a column or function name): unquoted, `CREATE TABLE variadic.x` is a syntax error. */
const SCHEMA = 'variadic';

t.test(
  'a server on a schema named by a reserved word starts, registers a volunteer, and verifies',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const url = postgresUrl!;
    // The name cannot be made unique: runs of this test on one database take turns on it.
    const turn = new pg.Client({ connectionString: url });
    await turn.connect();
    await turn.query("SELECT pg_advisory_lock(hashtext('timebank-test:reserved-schema-name'))");
    const directory = mkdtempSync(join(tmpdir(), 'timebank-reserved-schema-'));
    let server: ServerProcess | undefined;
    t.teardown(async () => {
      try {
        if (server !== undefined) await stopServer(server.child);
        await dropSchema(url, SCHEMA);
      } finally {
        rmSync(directory, { recursive: true, force: true });
        await turn.end();
      }
    });
    await dropSchema(url, SCHEMA); // what a run of this test killed before its teardown left
    const environment = {
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: url,
      POSTGRES_SCHEMA: SCHEMA,
      LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
      LEDGER_DATA_DIR: directory,
    };

    server = await startServer(environment);
    const admin = bootstrapAdminKey(directory);
    const registered = await registerVolunteer(server, admin, 4242, 'Volunteer in a reserved schema');
    t.equal(registered.status, 201, `registered: ${JSON.stringify(registered.body)}`);
    const volunteerId = registered.body.volunteerId as string;
    const summary = await call(server, admin, `/v1/volunteers/${volunteerId}`);
    t.equal(summary.status, 200, 'the volunteer reads back');
    t.equal(summary.body.name, 'Volunteer in a reserved schema', 'their sealed name opens');
    t.equal(await stopServer(server.child), 0, 'the server stops cleanly');
    server = undefined;

    const verify = spawnSync('pnpm', ['--silent', 'ledger', 'verify', '--quiet'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...environment },
    });
    t.equal(verify.status, 0, `pnpm ledger verify exits 0\n${verify.stdout}${verify.stderr}`);
  },
);
