/**
 * An organiser knows volunteers by the number the desk issued (TB…), never by their internal id:
 * the bulk activity record takes `volunteerNumbers` instead of `volunteerIds`, resolves them
 * through the volunteer read model, and refuses the whole request, naming each line, when a
 * number belongs to nobody or a volunteer cannot take the record. The organiser's queue and
 * dispute list show the number next to the id. Over SQLite, and over PostgreSQL when
 * POSTGRES_URL is set.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse as Response } from 'fastify';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import type { WiredApi } from '../src/wiring.js';
import { hoursAgo, nationalIdNumber, startWorld, wirePostgresApi } from './fixtures.js';
import { problemOf } from './harness.js';

interface Api {
  readonly admin: string;
  readonly organiser: string;
  post(url: string, authorization: string, payload: unknown, idempotencyKey?: string): Promise<Response>;
  get(url: string, authorization: string): Promise<Response>;
  head(): Promise<bigint>;
}

let counter = 0;

function apiOver(wired: WiredApi, head: () => Promise<bigint>, admin: string, organiser: string): Api {
  return {
    admin,
    organiser,
    head,
    post(url, authorization, payload, idempotencyKey) {
      counter += 1;
      return wired.app.inject({
        method: 'POST',
        url,
        headers: { authorization, 'idempotency-key': idempotencyKey ?? `bulk-numbers-${counter}` },
        payload: payload as Record<string, unknown>,
      });
    },
    get(url, authorization) {
      return wired.app.inject({ method: 'GET', url, headers: { authorization } });
    },
  };
}

async function register(api: Api, seed: number): Promise<{ volunteerId: string; volunteerNumber: string }> {
  const response = await api.post('/v1/volunteers', api.admin, {
    name: `Volunteer ${seed}`,
    nationalIdNumber: nationalIdNumber(seed),
    phone: '13800000000',
    community: 'c1',
  });
  if (response.statusCode !== 201) throw new Error(`registration failed: ${response.body}`);
  return response.json();
}

async function scenario(t: Test, api: Api): Promise<void> {
  // Registered just before the bulk request, with no minPosition passed: the route itself waits
  // for the read model to reach the store's head.
  const [first, second, third] = [
    await register(api, 501),
    await register(api, 502),
    await register(api, 503),
  ];
  const activity = {
    activity: 'Park clean-up',
    organisationId: 'org1',
    startAt: hoursAgo(6),
    endAt: hoursAgo(4),
  };
  const overlapping = await api.post(`/v1/volunteers/${second.volunteerId}/service-records`, api.admin, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt: hoursAgo(5),
    endAt: hoursAgo(3),
  });
  t.equal(overlapping.statusCode, 201);

  const head = await api.head();
  const unknownNumber = 'TB0000000000ZZ';
  const refused = await api.post('/v1/activities', api.organiser, {
    ...activity,
    volunteerNumbers: [first.volunteerNumber, unknownNumber, second.volunteerNumber],
  });
  t.equal(refused.statusCode, 422);
  t.match(problemOf(t, refused), {
    code: 'BULK_VALIDATION_FAILED',
    detail: /^2 of 3 volunteers/,
    errors: [
      {
        field: 'body.volunteerNumbers.1',
        message: `VOLUNTEER_NOT_FOUND: no volunteer numbered ${unknownNumber}`,
      },
      { field: 'body.volunteerNumbers.2', message: /^SERVICE_RECORD_OVERLAP/ },
    ],
  });
  t.equal(await api.head(), head, 'nothing was written for anyone');

  const malformed = [
    { volunteerNumbers: [first.volunteerNumber.toLowerCase()], field: 'body.volunteerNumbers.0' },
    { volunteerNumbers: [first.volunteerNumber, first.volunteerNumber], field: 'body.volunteerNumbers' },
    { volunteerNumbers: [], field: 'body.volunteerNumbers' },
    { volunteerNumbers: [first.volunteerNumber], volunteerIds: [first.volunteerId], field: 'body' },
    { field: 'body' },
  ];
  for (const { field, ...volunteers } of malformed) {
    const response = await api.post('/v1/activities', api.organiser, { ...activity, ...volunteers });
    t.equal(response.statusCode, 400, `${JSON.stringify(volunteers)} is refused`);
    t.match(problemOf(t, response), { code: 'VALIDATION_FAILED', errors: [{ field }] });
  }
  t.equal(await api.head(), head, 'and nothing was written for a malformed list');

  const body = { ...activity, volunteerNumbers: [third.volunteerNumber, first.volunteerNumber] };
  const accepted = await api.post('/v1/activities', api.organiser, body, 'bulk-by-number');
  t.equal(accepted.statusCode, 201);
  t.match(accepted.json(), {
    records: [
      { volunteerId: third.volunteerId, durationMinutes: 120 },
      { volunteerId: first.volunteerId, durationMinutes: 120 },
    ],
    position: /^\d+$/,
  });
  const repeated = await api.post('/v1/activities', api.organiser, body, 'bulk-by-number');
  t.equal(repeated.headers['idempotent-replayed'], 'true', 'a repeat with the same key writes nothing more');
  t.same(repeated.json(), accepted.json());

  const { position } = accepted.json<{ position: string }>();
  const queue = await api.get(
    `/v1/organisations/org1/service-records?status=pending&minPosition=${position}`,
    api.organiser,
  );
  t.equal(queue.statusCode, 200);
  const records = queue.json<{
    records: { volunteerId: string; volunteerNumber: string | null; activity: string }[];
  }>().records;
  const byVolunteer = new Map(
    records
      .filter((record) => record.activity === 'Park clean-up')
      .map((record) => [record.volunteerId, record]),
  );
  t.equal(
    byVolunteer.get(first.volunteerId)?.volunteerNumber,
    first.volunteerNumber,
    'the queue shows the number',
  );
  t.equal(byVolunteer.get(third.volunteerId)?.volunteerNumber, third.volunteerNumber);
  t.notMatch(queue.body, /Volunteer 50\d/, 'and never a name');

  // An erased volunteer's number still resolves, and the dry run refuses the line with the
  // erasure's own code; the queue shows the number only (nothing personal).
  const erased = await api.post(`/v1/admin/volunteers/${third.volunteerId}/erasure`, api.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.statusCode, 200, erased.body);
  const afterErasure = await api.post('/v1/activities', api.organiser, {
    ...activity,
    startAt: hoursAgo(30),
    endAt: hoursAgo(29),
    volunteerNumbers: [third.volunteerNumber],
  });
  t.match(problemOf(t, afterErasure), {
    code: 'BULK_VALIDATION_FAILED',
    errors: [{ field: 'body.volunteerNumbers.0', message: /^VOLUNTEER_PERSONAL_DATA_ERASED/ }],
  });
  const erasedQueue = await api.get(
    `/v1/organisations/org1/service-records?status=pending&minPosition=${erased.json<{ position: string }>().position}`,
    api.organiser,
  );
  t.match(erasedQueue.json(), {
    records: [{ volunteerId: String, volunteerNumber: /^TB/ }],
  });
  t.notMatch(erasedQueue.body, /Volunteer 503|\[erased\]/, 'no name, nor a placeholder for one');
}

t.test('SQLite: a bulk activity by volunteer numbers', async (t) => {
  const w = await startWorld(t);
  await scenario(
    t,
    apiOver(w, () => w.store.headPosition(), w.admin, w.organiser),
  );
});

const url = requireServerUrl('POSTGRES_URL');

t.test(
  'PostgreSQL: a bulk activity by volunteer numbers',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const { store, wired, keyFor } = await wirePostgresApi(t, url!, 'ledger_bulk', {
      LEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      LEDGER_SWEEP_INTERVAL_MS: '0',
    });
    const admin = await keyFor('admin', { kind: 'all' });
    const organiser = await keyFor('organiser', { kind: 'organisation', id: 'org1' });
    const api = apiOver(wired, () => store.headPosition(), admin, organiser);
    const organisation = await api.post('/v1/admin/organisations', admin, {
      organisationId: 'org1',
      name: 'Qiaoxi Social Work Station',
      community: 'c1',
    });
    t.equal(organisation.statusCode, 201, organisation.body);
    await scenario(t, api);
  },
);
