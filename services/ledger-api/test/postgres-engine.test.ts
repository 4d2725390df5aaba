/**
 * LEDGER_STORE=postgres switches the whole API — store, read models, idempotency records, API
 * keys — to a real PostgreSQL, in a fresh schema dropped afterwards.
 */
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { nationalIdNumber, wirePostgresApi } from './fixtures.js';

const url = requireServerUrl('POSTGRES_URL');

t.test(
  'the API runs on PostgreSQL',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const { wired, keyFor } = await wirePostgresApi(t, url!, 'ledger_api');
    const admin = await keyFor('admin', { kind: 'all' });
    const headers = { authorization: admin, 'idempotency-key': 'pg-register' };
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
      headers: { authorization: admin },
    });
    t.equal(byNumber.statusCode, 200, 'the read models in PostgreSQL caught up');
    const ready = await wired.app.inject({ method: 'GET', url: '/readyz' });
    t.match(ready.json(), { status: 'ready', engine: 'postgres' });
  },
);
