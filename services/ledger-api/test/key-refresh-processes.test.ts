/**
 * Two API processes on one PostgreSQL schema, the documented way to outgrow one process: a key
 * issued through one is accepted by the other, and a key revoked
 * through one is refused by the other, each within API_KEY_REFRESH_MS.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { bootstrapAdminKey, type ServerProcess, startServer } from './server-process.js';
import { processesSchema } from './scheduler-support.js';

const url = requireServerUrl('POSTGRES_URL');
/** The documented default of API_KEY_REFRESH_MS, left unset so the test holds the default to its word. */
const REFRESH_MS = 1000;
/** Slack for one stream read and the request itself, in milliseconds; far below a second interval. */
const SLACK_MS = 300;

t.test(
  'keys issued or revoked through one process count in another within API_KEY_REFRESH_MS',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const shared = processesSchema(t, url!, 'ledger_keys');
    const { directory, servers } = shared;
    const environment = {
      ...shared.environment,
      // Processes sharing one schema share the master key (separate data directories, as on two machines).
      LEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    // Each process has its own data directory and working directory, as on two machines.
    const processDirectory = (name: string) => {
      const path = join(directory, name);
      return { LEDGER_DATA_DIR: join(path, 'data'), cwd: mkdtempSync(`${path}-cwd-`) };
    };
    const a = processDirectory('a');
    const b = processDirectory('b');

    const first = await startServer({ ...environment, LEDGER_DATA_DIR: a.LEDGER_DATA_DIR }, a.cwd);
    servers.push(first);
    const admin = bootstrapAdminKey(a.LEDGER_DATA_DIR);
    const second = await startServer({ ...environment, LEDGER_DATA_DIR: b.LEDGER_DATA_DIR }, b.cwd);
    servers.push(second);

    const call = (
      server: ServerProcess,
      key: string,
      path: string,
      body?: unknown,
      idempotencyKey?: string,
    ) =>
      fetch(`${server.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const readAs = async (server: ServerProcess, key: string) =>
      (await call(server, key, '/v1/admin/points-policy')).status;

    t.equal(await readAs(second, admin), 200, 'the bootstrap key, issued before B started, works on B');

    // Issued through A: B must accept it within the interval.
    const issued = await call(
      first,
      admin,
      '/v1/admin/api-keys',
      { role: 'auditor', scope: { kind: 'all' }, label: 'auditor via A' },
      'issue-auditor',
    );
    t.equal(issued.status, 201);
    const { key: auditor, keyId } = (await issued.json()) as { key: string; keyId: string };
    t.equal(await readAs(first, auditor), 200, 'A accepts the key it issued at once');
    await sleep(REFRESH_MS + SLACK_MS);
    t.equal(await readAs(second, auditor), 200, 'B accepts a key issued through A');

    // Revoked through A: B must refuse it within the interval, without a restart.
    const revoked = await call(
      first,
      admin,
      `/v1/admin/api-keys/${keyId}/revoke`,
      { reason: 'left' },
      'revoke',
    );
    t.equal(revoked.status, 200);
    t.equal(await readAs(first, auditor), 401, 'A refuses the key it revoked at once');
    await sleep(REFRESH_MS + SLACK_MS);
    t.equal(await readAs(second, auditor), 401, 'B refuses a key revoked through A');

    // And the other way round: issued and revoked through B, seen by A.
    const viaB = await call(
      second,
      admin,
      '/v1/admin/api-keys',
      { role: 'auditor', scope: { kind: 'all' }, label: 'auditor via B' },
      'issue-auditor-b',
    );
    t.equal(viaB.status, 201, 'B issues after catching up with A’s appends', {
      body: await viaB.clone().text(),
    });
    const other = (await viaB.json()) as { key: string; keyId: string };
    await sleep(REFRESH_MS + SLACK_MS);
    t.equal(await readAs(first, other.key), 200, 'A accepts a key issued through B');
    await call(second, admin, `/v1/admin/api-keys/${other.keyId}/revoke`, { reason: 'left' }, 'revoke-b');
    await sleep(REFRESH_MS + SLACK_MS);
    t.equal(await readAs(first, other.key), 401, 'A refuses a key revoked through B');
  },
);
