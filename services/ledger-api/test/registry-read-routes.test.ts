/**
 * The registry reads: administrators and auditors list the partners and organisations with their status (a read
 * model, so a suspension shows once projected) and the city's units as the tree stands now.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';

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
