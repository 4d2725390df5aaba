/**
 * The registry reads: administrators and auditors list the partners and organisations with their status (a read
 * model, so a suspension shows once projected) and the city's units as the tree stands now.
 */
import t, { type Test } from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('partners are listed with their status, suspension and reinstatement included', async (t) => {
  const w = await startWorld(t);
  const suspended = await w.post('/v1/admin/partners/p2/suspend', w.admin, { reason: 'contract ended' });
  t.equal(suspended.statusCode, 200);
  const position = (JSON.parse(suspended.body) as { position?: string }).position;
  const head = position ?? (await w.store.headPosition()).toString();
  const listed = await w.get(`/v1/admin/partners?minPosition=${head}`, w.auditor);
  t.equal(listed.statusCode, 200);
  const { partners } = JSON.parse(listed.body) as {
    partners: { partnerId: string; name: string; community: string; status: string }[];
  };
  t.same(
    partners.map(({ partnerId, name, community, status }) => ({ partnerId, name, community, status })),
    [
      { partnerId: 'p1', name: 'Canteen', community: 'c1', status: 'active' },
      { partnerId: 'p2', name: 'Barber', community: 'c2', status: 'suspended' },
    ],
  );
  await w.post('/v1/admin/partners/p2/reinstate', w.admin, {});
  const again = await w.get(`/v1/admin/partners?minPosition=${await w.store.headPosition()}`, w.admin);
  t.equal(
    (JSON.parse(again.body) as { partners: { status: string }[] }).partners[1]?.status,
    'active',
    'reinstated',
  );
});

t.test('organisations are listed with their status, suspension and reinstatement included', async (t) => {
  const w = await startWorld(t);
  const registered = await w.post('/v1/admin/organisations', w.admin, {
    organisationId: 'zz-station',
    name: '为民服务站',
    community: 'c2',
  });
  t.equal(registered.statusCode, 201);
  const suspended = await w.post('/v1/admin/organisations/zz-station/suspend', w.admin, {
    reason: 'merged',
  });
  t.equal(suspended.statusCode, 200);
  const listed = await w.get(
    `/v1/admin/organisations?minPosition=${await w.store.headPosition()}`,
    w.auditor,
  );
  t.equal(listed.statusCode, 200);
  const { organisations } = JSON.parse(listed.body) as {
    organisations: {
      organisationId: string;
      name: string;
      community: string;
      status: string;
      registeredAt: string;
    }[];
  };
  t.same(organisations.at(-1), {
    organisationId: 'zz-station',
    name: '为民服务站',
    community: 'c2',
    status: 'suspended',
    registeredAt: organisations.at(-1)?.registeredAt,
  });
  t.ok(organisations.length >= 1);
  await w.post('/v1/admin/organisations/zz-station/reinstate', w.admin, {});
  const again = await w.get(`/v1/admin/organisations?minPosition=${await w.store.headPosition()}`, w.admin);
  const after = (JSON.parse(again.body) as { organisations: { organisationId: string; status: string }[] })
    .organisations;
  t.equal(after.find((o) => o.organisationId === 'zz-station')?.status, 'active', 'reinstated');
});

/** Every id of `list` (`organisation` or `partner`) read `limit` at a time by cursor, and the pages read. */
async function pageThrough(
  t: Test,
  w: World,
  list: 'organisation' | 'partner',
  { limit, minPosition }: { limit: number; minPosition: bigint },
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 20; pages += 1) {
    const after: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await w.get(
      `/v1/admin/${list}s?limit=${limit}&minPosition=${minPosition}${after}`,
      w.admin,
    );
    t.equal(response.statusCode, 200);
    const page = response.json<Record<string, { [key: string]: string }[]> & { nextCursor: string | null }>();
    const rows = page[`${list}s`] ?? [];
    ids.push(...rows.map((row) => row[`${list}Id`] ?? ''));
    cursor = page.nextCursor;
    if (cursor === null) return { ids, pages };
    t.equal(rows.length, limit, 'a page with a next one is full');
  }
  throw new Error(`the ${list}s never reached a last page`);
}

t.test('organisations and partners page by cursor, every one listed once, in id order', async (t) => {
  const w = await startWorld(t);
  // org1, org2, p1 and p2 are registered by startWorld; three more of each, out of id order.
  for (const n of [5, 3, 4]) {
    const organisation = await w.post('/v1/admin/organisations', w.admin, {
      organisationId: `org${n}`,
      name: `Station ${n}`,
      community: 'c1',
    });
    t.equal(organisation.statusCode, 201);
    const partner = await w.post('/v1/admin/partners', w.admin, {
      partnerId: `p${n}`,
      name: `Shop ${n}`,
      community: 'c1',
    });
    t.equal(partner.statusCode, 201);
  }
  const minPosition = await w.store.headPosition();

  t.same(
    await pageThrough(t, w, 'organisation', { limit: 2, minPosition }),
    { ids: ['org1', 'org2', 'org3', 'org4', 'org5'], pages: 3 },
    'three pages of two hold all five organisations',
  );
  t.same(
    await pageThrough(t, w, 'partner', { limit: 2, minPosition }),
    { ids: ['p1', 'p2', 'p3', 'p4', 'p5'], pages: 3 },
    'and all five partners',
  );
  t.same(
    await pageThrough(t, w, 'organisation', { limit: 5, minPosition }),
    { ids: ['org1', 'org2', 'org3', 'org4', 'org5'], pages: 2 },
    'a full last page is followed by an empty one that ends the list',
  );
  const whole = (await w.get(`/v1/admin/partners?minPosition=${minPosition}`, w.auditor)).json<{
    partners: unknown[];
    nextCursor: string | null;
  }>();
  t.equal(whole.partners.length, 5, 'without a limit, one page of up to 1,000');
  t.equal(whole.nextCursor, null);

  for (const list of ['organisations', 'partners']) {
    for (const bad of ['', 'no spaces', '-org1', 'x'.repeat(101)]) {
      const refused = await w.get(`/v1/admin/${list}?cursor=${encodeURIComponent(bad)}`, w.admin);
      t.match(
        problemOf(t, refused),
        { code: 'VALIDATION_FAILED', errors: [{ field: 'query.cursor' }] },
        `${list} cursor ${JSON.stringify(bad)}`,
      );
    }
    for (const limit of ['0', '1001', 'x', '-1']) {
      const refused = await w.get(`/v1/admin/${list}?limit=${limit}`, w.admin);
      t.match(
        problemOf(t, refused),
        { code: 'VALIDATION_FAILED', errors: [{ field: 'query.limit' }] },
        `${list} limit ${limit}`,
      );
    }
  }
});

t.test(
  'the hierarchy lists every unit with its parent, a moved community under its new street',
  async (t) => {
    const w = await startWorld(t);
    const empty = await w.get('/v1/admin/hierarchy', w.admin);
    t.same(JSON.parse(empty.body), { units: [] }, 'nothing registered yet');
    await w.registerHierarchy();
    const moved = await w.post('/v1/admin/communities/c1/move', w.admin, { toStreetId: 's2' });
    t.equal(moved.statusCode, 200);
    const listed = await w.get('/v1/admin/hierarchy', w.auditor);
    t.equal(listed.statusCode, 200);
    const { units } = JSON.parse(listed.body) as {
      units: { unitId: string; level: string; parentId: string | null }[];
    };
    t.same(
      units.map(({ unitId, level, parentId }) => [unitId, level, parentId]),
      [
        ['c1', 'community', 's2'],
        ['c2', 'community', 's2'],
        ['d1', 'district', 'sjz'],
        ['s1', 'street', 'd1'],
        ['s2', 'street', 'd1'],
        ['sjz', 'city', null],
      ],
    );
  },
);
