/**
 * LEDGER_STORE=postgres switches the whole API — store, read models, idempotency records, API
 * keys — to a real PostgreSQL, in a fresh schema dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { loadConfig } from '../src/config.js';
import { openEventStore } from '@timebank/ledger-opener';
import { wireLedgerApi } from '../src/wiring.js';
import { nationalIdNumber } from './fixtures.js';

const url = requireServerUrl('POSTGRES_URL');

t.test(
  'the API runs on PostgreSQL',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `ledger_api_${randomBytes(6).toString('hex')}`;
    const config = loadConfig({
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: url!,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
    });
    const store = await openEventStore(config.store);
    const wired = await wireLedgerApi({ config, store, logger: pino({ level: 'silent' }) });
    t.teardown(async () => {
      await wired.close();
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      await client.end();
    });
    const { key } = await wired.context.keys.issue({
      role: 'admin',
      scope: { kind: 'all' },
      label: 'pg test',
      issuedBy: 'test',
      idempotencyKey: 'pg-admin',
    });
    const headers = { authorization: `Bearer ${key}`, 'idempotency-key': 'pg-register' };
    const payload = {
      name: 'Wang Wu',
      nationalIdNumber: nationalIdNumber(31),
      phone: '13800000001',
      community: 'c1',
    };
    const registered = await wired.app.inject({ method: 'POST', url: '/v1/volunteers', headers, payload });
    t.equal(registered.statusCode, 201);
    const replayed = await wired.app.inject({ method: 'POST', url: '/v1/volunteers', headers, payload });
    t.equal(replayed.headers['idempotent-replayed'], 'true');
    const { volunteerNumber, position } = registered.json<{ volunteerNumber: string; position: string }>();
    const byNumber = await wired.app.inject({
      method: 'GET',
      url: `/v1/volunteers/by-number/${volunteerNumber}?minPosition=${position}`,
      headers: { authorization: `Bearer ${key}` },
    });
    t.equal(byNumber.statusCode, 200, 'the read models in PostgreSQL caught up');
    const ready = await wired.app.inject({ method: 'GET', url: '/readyz' });
    t.match(ready.json(), { status: 'ready', engine: 'postgres' });
  },
);
