/**
 * An auditor knows a volunteer by the unified volunteer number (志愿者编号) printed on certificates
 * and statements, never by the internal id: `GET /v1/audit/volunteers/by-number/:volunteerNumber/as-of`
 * answers exactly what the as-of route by id answers, for auditors and administrators only (the
 * auditor is given no volunteer-data route to look the id up). A volunteer registered just before
 * the request is found without passing a position; a number nobody holds is 404
 * VOLUNTEER_NOT_FOUND naming it; a malformed number is 400 naming `params.volunteerNumber`. Over
 * SQLite, and over PostgreSQL when POSTGRES_URL is set.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse as Response } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { openEventStore } from '@timebank/ledger-opener';
import { loadConfig } from '../src/config.js';
import { wireLedgerApi, type WiredApi } from '../src/wiring.js';
import { hoursAgo, nationalIdNumber, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

interface Api {
  readonly admin: string;
  readonly auditor: string;
  /** Keys whose roles may not read as-of figures: desk, organiser, partner. */
  readonly others: readonly string[];
  post(url: string, authorization: string, payload: unknown): Promise<Response>;
  get(url: string, authorization: string): Promise<Response>;
  head(): Promise<bigint>;
}

let counter = 0;

function apiOver(
  wired: Pick<WiredApi, 'app'>,
  head: () => Promise<bigint>,
  keys: Pick<Api, 'admin' | 'auditor' | 'others'>,
): Api {
  return {
    ...keys,
    head,
    post(url, authorization, payload) {
      counter += 1;
      return wired.app.inject({
        method: 'POST',
        url,
        headers: { authorization, 'idempotency-key': `as-of-number-${counter}` },
        payload: payload as Record<string, unknown>,
      });
    },
    get(url, authorization) {
      return wired.app.inject({ method: 'GET', url, headers: { authorization } });
    },
  };
}

function expectStatus(response: Response, status: number, what: string): Response {
  if (response.statusCode !== status)
    throw new Error(`${what} answered ${response.statusCode}: ${response.body}`);
  return response;
}

async function scenario(t: Test, api: Api): Promise<void> {
  const beforeRegistration = await api.head();
  const registered = expectStatus(
    await api.post('/v1/volunteers', api.admin, {
      name: 'Volunteer 801',
      nationalIdNumber: nationalIdNumber(801),
      phone: '13800000000',
      community: 'c1',
    }),
    201,
    'registration',
  );
  const { volunteerId, volunteerNumber } = registered.json<{
    volunteerId: string;
    volunteerNumber: string;
  }>();
  const byNumber = (query: string, key = api.auditor) =>
    api.get(`/v1/audit/volunteers/by-number/${volunteerNumber}/as-of?${query}`, key);
  const byId = (query: string) => api.get(`/v1/audit/volunteers/${volunteerId}/as-of?${query}`, api.auditor);

  // Asked at once, with no position to wait for: the route brings the read model up itself.
  const fresh = await byNumber(`at=${new Date().toISOString()}`);
  t.equal(fresh.statusCode, 200, 'found at once, with no position given');
  t.match(fresh.json(), { summary: { volunteerNumber, confirmedMinutes: 0 } });

  const beforeService = await api.head();
  const recorded = expectStatus(
    await api.post(`/v1/volunteers/${volunteerId}/service-records`, api.admin, {
      activity: 'Reading to elders',
      organisationId: 'org1',
      startAt: hoursAgo(33),
      endAt: hoursAgo(30),
    }),
    201,
    'recording',
  );
  expectStatus(
    await api.post(
      `/v1/volunteers/${volunteerId}/service-records/${recorded.json<{ recordId: string }>().recordId}/confirm`,
      api.admin,
      {},
    ),
    200,
    'confirming',
  );

  const then = await byNumber(`position=${beforeService}`);
  t.equal(then.statusCode, 200);
  t.match(then.json(), { summary: { confirmedMinutes: 0 } }, 'as of before the service: no hours');
  const at = new Date().toISOString();
  const now = await byNumber(`at=${at}`);
  t.match(now.json(), { summary: { confirmedMinutes: 180 } }, 'as of now: the three hours');
  t.same(now.json(), (await byId(`at=${at}`)).json(), 'the very answer of the route by id');
  t.equal((await byNumber(`at=${at}`, api.admin)).statusCode, 200, 'an administrator may ask too');

  const early = await byNumber(`position=${beforeRegistration}`);
  t.equal(early.statusCode, 404);
  t.match(problemOf(t, early), { code: 'VOLUNTEER_NOT_FOUND', detail: /not registered as of that point/ });

  const unknown = await api.get(`/v1/audit/volunteers/by-number/TB0000000000ZZ/as-of?at=${at}`, api.auditor);
  t.equal(unknown.statusCode, 404);
  t.match(problemOf(t, unknown), {
    code: 'VOLUNTEER_NOT_FOUND',
    detail: 'no volunteer numbered TB0000000000ZZ',
  });

  for (const malformed of [volunteerNumber.toLowerCase(), 'TB123', volunteerId]) {
    const response = await api.get(`/v1/audit/volunteers/by-number/${malformed}/as-of?at=${at}`, api.auditor);
    t.equal(response.statusCode, 400, `${malformed} is not a volunteer number`);
    t.match(problemOf(t, response), {
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'params.volunteerNumber' }],
    });
  }
  t.equal(problemOf(t, await byNumber('')).code, 'VALIDATION_FAILED', 'neither position nor at');

  for (const key of api.others) {
    const refused = await byNumber(`at=${at}`, key);
    t.equal(refused.statusCode, 403, 'only auditors and administrators');
    t.equal(problemOf(t, refused).code, 'FORBIDDEN');
  }
}

t.test('SQLite: an as-of query by volunteer number', async (t) => {
  const w = await startWorld(t);
  await scenario(
    t,
    apiOver(w, () => w.store.headPosition(), {
      admin: w.admin,
      auditor: w.auditor,
      others: [w.desk, w.organiser, w.partner],
    }),
  );
});

const url = requireServerUrl('POSTGRES_URL');

t.test(
  'PostgreSQL: an as-of query by volunteer number',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `ledger_as_of_${randomBytes(6).toString('hex')}`;
    const config = loadConfig({
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: url!,
      POSTGRES_SCHEMA: schema,
      LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
      LEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      LEDGER_SWEEP_INTERVAL_MS: '0',
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
    const keyFor = async (
      role: 'admin' | 'auditor' | 'desk' | 'organiser',
      scope: { kind: 'all' } | { kind: 'community'; id: string } | { kind: 'organisation'; id: string },
    ) => {
      const { key } = await wired.context.keys.issue({
        role,
        scope,
        label: `${role} as-of test`,
        issuedBy: 'test',
        idempotencyKey: `as-of-${role}`,
      });
      return `Bearer ${key}`;
    };
    const admin = await keyFor('admin', { kind: 'all' });
    const api = apiOver(wired, () => store.headPosition(), {
      admin,
      auditor: await keyFor('auditor', { kind: 'all' }),
      others: [
        await keyFor('desk', { kind: 'community', id: 'c1' }),
        await keyFor('organiser', { kind: 'organisation', id: 'org1' }),
      ],
    });
    const organisation = await api.post('/v1/admin/organisations', admin, {
      organisationId: 'org1',
      name: 'Qiaoxi Social Work Station',
      community: 'c1',
    });
    t.equal(organisation.statusCode, 201, organisation.body);
    await scenario(t, api);
  },
);
