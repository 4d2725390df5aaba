/**
 * The administrative hierarchy through HTTP: administrators register units and move
 * communities; a coordinator reads the statistics and volunteers of its subtree only; desk and
 * coordinator keys are bound to registered units once the hierarchy has communities; the
 * coordinator's name and contact are stored sealed.
 */
import t from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

async function statistics(w: World, unitId: string, key: string) {
  return w.get(
    `/v1/units/${unitId}/statistics?asOf=${today()}&minPosition=${await w.store.headPosition()}`,
    key,
  );
}

async function volunteers(w: World, unitId: string, key: string) {
  return w.get(`/v1/units/${unitId}/volunteers?minPosition=${await w.store.headPosition()}`, key);
}

t.test('administrators register the hierarchy; refusals carry the domain codes', async (t) => {
  const w = await startWorld(t);
  await w.registerHierarchy();
  const orphan = await w.post('/v1/admin/areas', w.admin, {
    level: 'street',
    areaId: 'orphan',
    parentId: 'sjz',
    name: 'Orphan street',
  });
  t.equal(orphan.statusCode, 422);
  t.equal(problemOf(t, orphan).code, 'AREA_PARENT_INVALID');
  const twice = await w.post('/v1/admin/areas', w.admin, { level: 'city', areaId: 'sjz', name: 'Again' });
  t.equal(twice.statusCode, 409);
  t.equal(problemOf(t, twice).code, 'AREA_ALREADY_REGISTERED');
  const nowhere = await w.post('/v1/admin/communities/c1/move', w.admin, { toStreetId: 'nowhere' });
  t.equal(nowhere.statusCode, 404);
  t.equal(problemOf(t, nowhere).code, 'AREA_NOT_FOUND');
  const same = await w.post('/v1/admin/communities/c1/move', w.admin, { toStreetId: 's1' });
  t.equal(same.statusCode, 409);
  t.equal(problemOf(t, same).code, 'COMMUNITY_ALREADY_ON_STREET');
  const asCoordinator = await w.post('/v1/admin/areas', w.coordinator, {
    level: 'street',
    areaId: 's9',
    parentId: 'd1',
    name: 'Street nine',
  });
  t.equal(asCoordinator.statusCode, 403, 'a coordinator writes nothing');

  const [registered] = (await w.store.readStream('city-hierarchy')).filter(
    (event) => event.type === 'CommunityRegistered',
  );
  t.match(registered?.data, {
    communityId: 'c1',
    coordinatorName: /^sealed:v1:/,
    coordinatorContact: /^sealed:v1:/,
  });
  t.notMatch(JSON.stringify(registered?.data), /Li Hua|5550001/, 'the coordinator is stored only sealed');
});

t.test('desk and coordinator keys are bound to registered units once the hierarchy exists', async (t) => {
  const w = await startWorld(t);
  const issue = (role: string, scope: Record<string, string>) =>
    w.post('/v1/admin/api-keys', w.admin, { role, scope, label: `${role} key` });
  const before = await issue('desk', { kind: 'community', id: 'free-text-community' });
  t.equal(before.statusCode, 201, 'before any community is registered, a desk community is a free id');
  await w.registerHierarchy();
  const unregistered = await issue('desk', { kind: 'community', id: 'free-text-community' });
  t.equal(unregistered.statusCode, 404);
  t.equal(problemOf(t, unregistered).code, 'COMMUNITY_NOT_REGISTERED');
  t.equal((await issue('desk', { kind: 'community', id: 'c1' })).statusCode, 201);
  const onCommunity = await issue('coordinator', { kind: 'area', id: 'c1' });
  t.equal(onCommunity.statusCode, 404, 'a coordinator serves a city, district or street');
  t.equal(problemOf(t, onCommunity).code, 'AREA_NOT_FOUND');
  const mismatch = await issue('coordinator', { kind: 'community', id: 'c1' });
  t.equal(mismatch.statusCode, 422);
  t.equal((await issue('coordinator', { kind: 'area', id: 'd1' })).statusCode, 201);
  const oldKey = `Bearer ${before.json<{ key: string }>().key}`;
  const stillWorks = await w.post('/v1/volunteers', oldKey, {
    name: 'Old key volunteer',
    nationalIdNumber: '11010519491231002X',
    phone: '+86-311-5550000',
    community: 'free-text-community',
  });
  t.equal(stillWorks.statusCode, 201, 'a desk key issued before the hierarchy keeps working');

  const head = await w.store.headPosition();
  const mistyped = await w.post('/v1/volunteers', w.admin, {
    name: 'Mistyped community',
    nationalIdNumber: '110105198001011238',
    phone: '+86-311-5550001',
    community: 'c1x',
  });
  t.equal(mistyped.statusCode, 404, 'an administrator cannot register a volunteer in an unknown community');
  t.match(problemOf(t, mistyped), { code: 'COMMUNITY_NOT_REGISTERED', detail: /c1x/ });
  t.equal(await w.store.headPosition(), head, 'nothing was written');
  const registered = await w.post('/v1/volunteers', w.admin, {
    name: 'Registered community',
    nationalIdNumber: '110105198001011238',
    phone: '+86-311-5550001',
    community: 'c1',
  });
  t.equal(registered.statusCode, 201, registered.body);
});

t.test(
  'organisations, partners and beneficiaries name a registered community once the hierarchy exists',
  async (t) => {
    const w = await startWorld(t);
    const before = await w.post('/v1/admin/organisations', w.admin, {
      organisationId: 'o-before',
      name: 'Before the hierarchy',
      community: 'free-text-community',
    });
    t.equal(before.statusCode, 201, 'before any community is registered, a community is a free id');
    await w.registerHierarchy();
    const category = await w.post('/v1/admin/beneficiary-categories', w.admin, {
      categoryId: 'elderly',
      title: 'Elderly living alone',
      priority: 1,
      monthlyAllowanceCentipoints: 300,
    });
    t.equal(category.statusCode, 200, category.body);
    const registrations: [string, Record<string, string>][] = [
      ['/v1/admin/organisations', { organisationId: 'o-typo', name: 'Typo', community: 'c1x' }],
      ['/v1/admin/partners', { partnerId: 'p-typo', name: 'Typo', community: 'c1x' }],
      [
        '/v1/admin/beneficiaries',
        { beneficiaryId: 'b-typo', categoryId: 'elderly', community: 'c1x', name: 'Typo', contact: '1' },
      ],
    ];
    for (const [url, body] of registrations) {
      const head = await w.store.headPosition();
      const mistyped = await w.post(url, w.admin, body);
      t.equal(mistyped.statusCode, 404, `${url}: an unknown community is refused`);
      t.match(problemOf(t, mistyped), { code: 'COMMUNITY_NOT_REGISTERED', detail: /c1x/ });
      t.equal(await w.store.headPosition(), head, `${url}: nothing was written`);
      const registered = await w.post(url, w.admin, { ...body, community: 'c1' });
      t.equal(registered.statusCode, 201, `${url}: ${registered.body}`);
    }
  },
);

t.test('a coordinator reads its subtree: statistics roll up, and follow a moved community', async (t) => {
  const w = await startWorld(t);
  await w.registerHierarchy();
  const inC1 = await w.registerVolunteer(1, 'c1');
  await w.earn(inC1, 2, 30);
  const inC2 = await w.registerVolunteer(2, 'c2');
  await w.earn(inC2, 1, 30);

  const city = await statistics(w, 'sjz', w.admin);
  t.equal(city.statusCode, 200, city.body);
  t.match(city.json(), {
    unitId: 'sjz',
    level: 'city',
    parentId: null,
    figures: { registeredVolunteers: 2, activeVolunteers: 2 },
    children: [{ unitId: 'd1', figures: { registeredVolunteers: 2 } }],
  });
  const street = await statistics(w, 's1', w.coordinator);
  t.equal(street.statusCode, 200, street.body);
  const figures = street.json<{
    figures: { registeredVolunteers: number; confirmedMinutesByMonth: object };
  }>();
  t.equal(figures.figures.registeredVolunteers, 1);
  t.same(Object.values(figures.figures.confirmedMinutesByMonth), [120]);
  t.equal((await statistics(w, 'c1', w.coordinator)).statusCode, 200, 'a community under its street');
  t.equal((await statistics(w, 'c2', w.coordinator)).statusCode, 403, 'another street’s community');
  t.equal((await statistics(w, 'd1', w.coordinator)).statusCode, 403, 'the district above it');
  t.equal((await statistics(w, 'c1', w.desk)).statusCode, 403, 'desks do not read roll-ups');
  t.equal((await statistics(w, 'c1', w.auditor)).statusCode, 200);
  const missing = await statistics(w, 'nowhere', w.admin);
  t.equal(missing.statusCode, 404);
  t.equal(problemOf(t, missing).code, 'AREA_NOT_FOUND');

  const listed = await volunteers(w, 's1', w.coordinator);
  t.equal(listed.statusCode, 200, listed.body);
  t.same(
    listed
      .json<{ volunteers: { volunteerId: string }[] }>()
      .volunteers.map((volunteer) => volunteer.volunteerId),
    [inC1],
  );
  t.notMatch(listed.body, /Volunteer 1/, 'no names in a coordinator’s list');
  t.equal((await volunteers(w, 's2', w.coordinator)).statusCode, 403);
  t.equal((await w.get(`/v1/volunteers/${inC1}`, w.coordinator)).statusCode, 403, 'no volunteer record');

  const moved = await w.post('/v1/admin/communities/c2/move', w.admin, { toStreetId: 's1' });
  t.equal(moved.statusCode, 200, moved.body);
  t.match(moved.json(), { communityId: 'c2', fromStreetId: 's2', toStreetId: 's1' });
  t.equal(
    (await statistics(w, 'c2', w.coordinator)).statusCode,
    200,
    'the moved community is now in its subtree',
  );
  t.equal((await statistics(w, 'c2', w.otherCoordinator)).statusCode, 403, 'and out of the old street’s');
  const after = (await statistics(w, 's1', w.coordinator)).json<{
    figures: { registeredVolunteers: number };
  }>();
  t.equal(after.figures.registeredVolunteers, 2, 'as of today c2 counts under s1');
  const listedAfter = await volunteers(w, 's1', w.coordinator);
  t.equal(listedAfter.json<{ volunteers: unknown[] }>().volunteers.length, 2);
});

t.test('a unit’s volunteers come a page at a time, each once, in volunteer-number order', async (t) => {
  const w = await startWorld(t);
  await w.registerHierarchy();
  const registered: string[] = [];
  for (let seed = 1; seed <= 5; seed += 1)
    registered.push(await w.registerVolunteer(seed, seed % 2 ? 'c1' : 'c2'));
  const head = await w.store.headPosition();
  interface Page {
    volunteers: { volunteerId: string; volunteerNumber: string }[];
    nextCursor: string | null;
  }
  const seen: Page['volunteers'] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const query: string = `minPosition=${head}&limit=2${after === null ? '' : `&cursor=${after}`}`;
    const page = await w.get(`/v1/units/sjz/volunteers?${query}`, w.admin);
    t.equal(page.statusCode, 200, page.body);
    const body = page.json<Page>();
    t.ok(body.volunteers.length <= 2, 'no page is longer than its limit');
    seen.push(...body.volunteers);
    after = body.nextCursor;
    pages += 1;
  } while (after !== null && pages < 10);
  t.equal(pages, 3, 'two full pages and a last one');
  t.same(seen.map((v) => v.volunteerId).sort(), [...registered].sort(), 'every volunteer, once');
  const numbers = seen.map((v) => v.volunteerNumber);
  t.same(numbers, [...numbers].sort(), 'in volunteer-number order');

  const whole = await w.get(`/v1/units/sjz/volunteers?minPosition=${head}`, w.admin);
  t.match(whole.json(), { nextCursor: null }, 'one page holds them all by default');
  t.equal(whole.json<Page>().volunteers.length, 5);
  for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'cursor=v1', 'cursor=TB000000000000']) {
    const refused = await w.get(`/v1/units/sjz/volunteers?${bad}`, w.admin);
    t.equal(refused.statusCode, 400, `${bad} is refused`);
    t.equal(problemOf(t, refused).code, 'VALIDATION_FAILED');
  }
});
