/**
 * The donation pool pays out, through HTTP: beneficiary categories and beneficiaries registered by
 * an administrator, allocation runs that fill higher-priority categories first, and a beneficiary
 * spending the points with a partner under the same consent as a volunteer — over a real SQLite
 * store, with Σ balances = 0 checked by the auditor's route and the beneficiary's name sealed.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';
import { filesUnder, secretsIn } from './raw-search.js';

const BENEFICIARY_NAME = 'Zhao Guifen';
const BENEFICIARY_CONTACT = '0311-5559876';

async function setUpPool(w: World): Promise<string> {
  for (const category of [
    { categoryId: 'hardship', title: 'In hardship', priority: 2, monthlyAllowanceCentipoints: 500 },
    {
      categoryId: 'elderly-alone',
      title: 'Elderly living alone',
      priority: 1,
      monthlyAllowanceCentipoints: 300,
    },
  ]) {
    const configured = await w.post('/v1/admin/beneficiary-categories', w.admin, category);
    if (configured.statusCode !== 200) throw new Error(`category failed: ${configured.body}`);
  }
  // Registered in an order that is not the serving order: priority decides, not who came first.
  for (const [beneficiaryId, categoryId, community, name] of [
    ['b-hardship-1', 'hardship', 'c1', 'Sun Li'],
    ['b-elder-1', 'elderly-alone', 'c1', BENEFICIARY_NAME],
    ['b-elder-2', 'elderly-alone', 'c2', 'Qian Wei'],
  ] as const) {
    const registered = await w.post('/v1/admin/beneficiaries', w.admin, {
      beneficiaryId,
      categoryId,
      community,
      name,
      contact: BENEFICIARY_CONTACT,
    });
    if (registered.statusCode !== 201) throw new Error(`beneficiary failed: ${registered.body}`);
  }
  const donor = await w.registerVolunteer(8101);
  await w.earn(donor, 10, 30);
  const donated = await w.post(`/v1/volunteers/${donor}/donations`, w.desk, { centipoints: 800 });
  if (donated.statusCode !== 201) throw new Error(`donation failed: ${donated.body}`);
  return donor;
}

t.test('an allocation run fills the higher-priority category before the lower one', async (t) => {
  const w = await startWorld(t);
  const donor = await setUpPool(w);
  const run = await w.post('/v1/admin/donation-pool/allocations', w.admin, {});
  t.equal(run.statusCode, 201, run.body);
  const body = run.json<{ period: string; allocations: { beneficiaryId: string; centipoints: number }[] }>();
  t.match(body.period, /^\d{4}-\d{2}$/);
  t.same(
    body.allocations.map(({ beneficiaryId, centipoints }) => [beneficiaryId, centipoints]),
    [
      ['b-elder-1', 300],
      ['b-elder-2', 300],
      ['b-hardship-1', 200],
    ],
    'the elderly get their full allowance; hardship gets what is left',
  );
  const empty = await w.post('/v1/admin/donation-pool/allocations', w.admin, {});
  t.equal(empty.statusCode, 422);
  t.equal(problemOf(t, empty).code, 'POOL_NOTHING_TO_ALLOCATE');

  await w.post(`/v1/volunteers/${donor}/donations`, w.desk, { centipoints: 200 });
  const second = await w.post('/v1/admin/donation-pool/allocations', w.admin, {});
  t.same(
    second
      .json<{ allocations: { beneficiaryId: string; centipoints: number }[] }>()
      .allocations.map(({ beneficiaryId, centipoints }) => [beneficiaryId, centipoints]),
    [['b-hardship-1', 200]],
    'the elderly are at their allowance this month: the next donation tops up hardship',
  );
  const pool = await w.get('/v1/admin/donation-pool', w.admin);
  t.equal(pool.statusCode, 200, pool.body);
  t.match(pool.json(), {
    balanceCentipoints: 0,
    categories: [
      { categoryId: 'elderly-alone', priority: 1 },
      { categoryId: 'hardship', priority: 2 },
    ],
    beneficiaries: [
      { beneficiaryId: 'b-hardship-1', allocatedThisPeriodCentipoints: 400 },
      { beneficiaryId: 'b-elder-1', allocatedThisPeriodCentipoints: 300 },
      { beneficiaryId: 'b-elder-2', allocatedThisPeriodCentipoints: 300 },
    ],
  });
  t.notMatch(pool.body, BENEFICIARY_NAME, 'the pool view names nobody');
  const points = await w.get('/v1/admin/beneficiaries/b-elder-1/points', w.admin);
  t.match(points.json(), { beneficiaryId: 'b-elder-1', availableCentipoints: 300, heldCentipoints: 0 });
  const unknown = await w.get('/v1/admin/beneficiaries/b-nobody/points', w.admin);
  t.equal(problemOf(t, unknown).code, 'BENEFICIARY_NOT_FOUND');

  const balances = await w.get(
    `/v1/audit/balances?minPosition=${second.json<{ position: string }>().position}`,
    w.auditor,
  );
  t.equal(balances.statusCode, 200, balances.body);
  const audit = balances.json<{
    accounts: { account: string; balanceCentipoints: number }[];
    totalCentipoints: number;
  }>();
  t.equal(audit.totalCentipoints, 0, 'Σ balances = 0');
  t.match(
    Object.fromEntries(audit.accounts.map((account) => [account.account, account.balanceCentipoints])),
    { 'volunteer:b-elder-1': 300, 'volunteer:b-hardship-1': 400, 'donation-pool': 0 },
  );
});

t.test('a beneficiary spends with a partner under the same consent as a volunteer', async (t) => {
  const w = await startWorld(t);
  await setUpPool(w);
  await w.post('/v1/admin/donation-pool/allocations', w.admin, {});

  const noConsent = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId: 'b-elder-1',
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(problemOf(t, noConsent).code, 'CONSENT_REQUIRED', 'no consent, no spending');

  const mandate = await w.post('/v1/volunteers/b-elder-1/mandates', w.desk, {
    partnerId: 'p1',
    monthlyCapCentipoints: 150,
  });
  t.equal(mandate.statusCode, 201, "the beneficiary's community desk records the mandate");
  const redeemable = await w.get('/v1/partners/p1/volunteers/b-elder-1/redeemable-points', w.partner);
  t.match(
    redeemable.json(),
    { volunteerId: 'b-elder-1', redeemableCentipoints: 300 },
    'what a redemption needs',
  );
  const otherDesk = await w.post('/v1/volunteers/b-elder-1/mandates', w.otherDesk, {
    partnerId: 'p1',
    monthlyCapCentipoints: 150,
  });
  t.not(otherDesk.statusCode, 201, "another community's desk cannot");
  const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId: 'b-elder-1',
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(redeemed.statusCode, 201, redeemed.body);
  const overCap = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId: 'b-elder-1',
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(problemOf(t, overCap).code, 'MANDATE_CAP_EXCEEDED', "the mandate's monthly cap holds");

  const code = await w.spendCode('b-elder-1', { partnerId: 'p1' });
  const held = await w.post('/v1/partners/p1/holds', w.partner, {
    spendCode: code,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(held.statusCode, 201, held.body);
  t.equal(held.json<{ volunteerId: string }>().volunteerId, 'b-elder-1');
  const captured = await w.post(
    `/v1/partners/p1/holds/${held.json<{ holdId: string }>().holdId}/capture`,
    w.partner,
    {
      volunteerId: 'b-elder-1',
    },
  );
  t.equal(captured.statusCode, 200, captured.body);
  const reused = await w.post('/v1/partners/p1/holds', w.partner, {
    spendCode: code,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(problemOf(t, reused).code, 'SPEND_CODE_INVALID', 'a spend code is good once');
  const last = await w.post('/v1/partners/p1/holds', w.partner, {
    spendCode: await w.spendCode('b-elder-1'),
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(last.statusCode, 201, 'the last 100 of the 300 allocated are held');
  const overdraw = await w.post('/v1/partners/p1/holds', w.partner, {
    spendCode: await w.spendCode('b-elder-1'),
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(problemOf(t, overdraw).code, 'INSUFFICIENT_POINTS', 'never below zero');
  const points = await w.get('/v1/admin/beneficiaries/b-elder-1/points', w.admin);
  t.match(points.json(), { availableCentipoints: 0, heldCentipoints: 100 });
});

t.test("a beneficiary's account only spends; refusals and roles", async (t) => {
  const w = await startWorld(t);
  const donor = await setUpPool(w);
  await w.post('/v1/admin/donation-pool/allocations', w.admin, {});
  const record = await w.post('/v1/volunteers/b-elder-1/service-records', w.admin, {
    activity: 'Reading',
    organisationId: 'org1',
    startAt: hoursAgo(5),
    endAt: hoursAgo(4),
  });
  t.equal(problemOf(t, record).code, 'BENEFICIARY_ACCOUNT_SPEND_ONLY', 'a beneficiary earns nothing');
  const transfer = await w.post(`/v1/volunteers/${donor}/transfers`, w.desk, {
    toVolunteerId: 'b-elder-1',
    centipoints: 50,
  });
  t.match(transfer.json(), { status: 'refunded', refundReason: 'BENEFICIARY_ACCOUNT_SPEND_ONLY' });

  const unknownCategory = await w.post('/v1/admin/beneficiaries', w.admin, {
    beneficiaryId: 'b-x',
    categoryId: 'nobody',
    community: 'c1',
    name: 'Li Si',
    contact: '1',
  });
  t.equal(problemOf(t, unknownCategory).code, 'BENEFICIARY_CATEGORY_NOT_FOUND');
  const twice = await w.post('/v1/admin/beneficiaries', w.admin, {
    beneficiaryId: 'b-elder-1',
    categoryId: 'hardship',
    community: 'c1',
    name: 'Li Si',
    contact: '1',
  });
  t.equal(problemOf(t, twice).code, 'BENEFICIARY_ALREADY_REGISTERED');
  const volunteerLike = await w.post('/v1/admin/beneficiaries', w.admin, {
    beneficiaryId: 'v0123',
    categoryId: 'hardship',
    community: 'c1',
    name: 'Li Si',
    contact: '1',
  });
  t.equal(problemOf(t, volunteerLike).code, 'VALIDATION_FAILED', 'a beneficiary id starts with b-');

  for (const [role, key] of [
    ['desk', w.desk],
    ['partner', w.partner],
    ['organiser', w.organiser],
    ['auditor', w.auditor],
  ] as const) {
    const run = await w.post('/v1/admin/donation-pool/allocations', key, {});
    t.equal(run.statusCode, 403, `${role} cannot run an allocation`);
    t.equal((await w.get('/v1/admin/donation-pool', key)).statusCode, 403, `${role} cannot read the pool`);
  }
});

t.test("a beneficiary's name and contact are sealed in the store", async (t) => {
  const w = await startWorld(t);
  await setUpPool(w);
  const found = filesUnder(w.directory).flatMap((path) =>
    secretsIn([BENEFICIARY_NAME, BENEFICIARY_CONTACT], path, readFileSync(path)),
  );
  t.same(found, [], 'neither appears in any file of the data directory');
});
