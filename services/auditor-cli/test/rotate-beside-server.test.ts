/**
 * `pnpm ledger rotate-master-key` on PostgreSQL is refused (exit 2, nothing changed) while an API
 * server has the ledger open, and runs once it has stopped; the restarted server opens every
 * volunteer's data.
 *
 * Found by the PostgreSQL operator pass: nothing kept the two apart on PostgreSQL (SQLite has the
 * data directory's lock). The rotation re-wrapped every data key and replaced master.key, exit 0;
 * the running server, still on the old master key, wrapped the data key of each volunteer it
 * registered afterwards under it, and after its restart each of those volunteers answered
 * 500 INTERNAL_ERROR ("unable to authenticate data") for good: their personal data was lost.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { dropSchema } from '@timebank/event-store-postgres/testing';
import { startServer, stopServer, type ServerProcess } from '../../ledger-api/test/server-process.js';
import { bootstrapKey, call, nationalIdNumber, runLedger } from './ledger-process.js';

const postgresUrl = requireServerUrl('POSTGRES_URL');

t.test(
  'rotate-master-key is refused while a server has the PostgreSQL ledger open, and runs after it stopped',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `rotate_beside_${randomBytes(6).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'timebank-rotate-beside-'));
    const running: ServerProcess[] = [];
    t.teardown(async () => {
      for (const server of running) await stopServer(server.child);
      await dropSchema(postgresUrl!, schema);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const environment = {
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: postgresUrl!,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
      LEDGER_DATA_DIR: dataDir,
    };
    const register = async (server: ServerProcess, sequence: number): Promise<string> => {
      const reply = await call(server.url, bootstrapKey(dataDir), {
        method: 'POST',
        path: '/v1/volunteers',
        body: {
          name: `Volunteer ${sequence}`,
          nationalIdNumber: nationalIdNumber(sequence),
          phone: '+86-311-5550000',
          community: 'c1',
        },
        idempotencyKey: `rotate-beside-${sequence}`,
      });
      t.equal(reply.status, 201, JSON.stringify(reply.body));
      return reply.body.volunteerId as string;
    };

    const server = await startServer(environment);
    running.push(server);
    const volunteers = [await register(server, 1)];
    const masterKey = readFileSync(join(dataDir, 'master.key'), 'utf8');
    const beside = await runLedger(['rotate-master-key'], {
      ...environment,
      LEDGER_NEW_MASTER_KEY: 'cd'.repeat(32),
    });
    t.equal(beside.status, 2, `refused beside the server: ${beside.stdout}${beside.stderr}`);
    t.equal(
      beside.stderr,
      `ledger rotate-master-key: the personal-data keys of postgres schema ${schema} are in use by another process (an API server, or a pnpm ledger command): stop every API process first; a master-key rotation must run alone\n`,
    );
    t.equal(readFileSync(join(dataDir, 'master.key'), 'utf8'), masterKey, 'master.key is as it was');
    t.notOk(existsSync(join(dataDir, 'master.key.new')), 'no new key file is left behind');
    // What used to be lost: a registration after the (refused) rotation, by the running server.
    volunteers.push(await register(server, 2));
    t.equal(await stopServer(server.child), 0);
    running.length = 0;

    const alone = await runLedger(['rotate-master-key'], {
      ...environment,
      LEDGER_NEW_MASTER_KEY: 'cd'.repeat(32),
    });
    t.equal(alone.status, 0, `runs once the server stopped: ${alone.stderr}`);
    t.match(alone.stdout, /re-wrapped \d+ data keys/);

    const restarted = await startServer(environment);
    running.push(restarted);
    for (const [index, volunteerId] of volunteers.entries()) {
      const summary = await call(restarted.url, bootstrapKey(dataDir), {
        method: 'GET',
        path: `/v1/volunteers/${volunteerId}`,
      });
      t.equal(summary.status, 200, `volunteer ${index + 1} opens under the new master key`);
      t.equal(summary.body.name, `Volunteer ${index + 1}`);
    }
  },
);
