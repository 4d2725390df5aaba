/**
 * Read models over the donation pool's outflow and 低偿 cash: a beneficiary's accounts are shared
 * account rows (never a volunteer summary), Σ balances stays 0, the partner's settlement totals
 * the cash co-payments, and a rebuild reproduces the live tables exactly.
 */
import t from 'tap';
import { rebuildReadModels } from '../src/audit/rebuild.js';
import { verifyLedger } from '../src/audit/verify.js';
import { Projector } from '../src/projector.js';
import { createReadModelQueries } from '../src/queries.js';
import { ADMIN, newEvent, partnerActor } from '../src/testing/index.js';
import { appendTo, sqliteHarness } from './harness.js';

const AT = '2026-03-10T04:00:00.000Z';
const PARTNER = partnerActor('p1');

t.test('a beneficiary spends pool points with cash; read models, Σ = 0 and rebuild', async (t) => {
  const engine = await sqliteHarness.create();
  t.teardown(() => engine.close());
  await appendTo(engine.store, 'donation-pool', [
    newEvent('DonationReceived', {
      idempotencyKey: 'donation-credit:d1',
      fromAccount: 'in-transit',
      toAccount: 'donation-pool',
      centipoints: 500,
      donationId: 'd1',
      fromVolunteerId: 'vdonor',
      receivedAt: AT,
    }),
    newEvent('BeneficiaryCategoryConfigured', {
      idempotencyKey: 'category',
      categoryId: 'elderly-alone',
      title: 'Elderly living alone',
      priority: 1,
      monthlyAllowanceCentipoints: 300,
      configuredAt: AT,
      actor: ADMIN,
    }),
    newEvent('BeneficiaryRegistered', {
      idempotencyKey: 'beneficiary',
      beneficiaryId: 'b-e1',
      categoryId: 'elderly-alone',
      community: 'c1',
      name: 'Zhao Guifen',
      contact: '0311-5559876',
      registeredAt: AT,
      actor: ADMIN,
    }),
    newEvent('PoolPointsAllocated', {
      idempotencyKey: 'run',
      fromAccount: 'donation-pool',
      toAccount: 'in-transit',
      centipoints: 300,
      allocationId: 'a1',
      runId: 'r1',
      beneficiaryId: 'b-e1',
      categoryId: 'elderly-alone',
      community: 'c1',
      period: '2026-03',
      allocatedAt: AT,
      actor: ADMIN,
    }),
  ]);
  const last = await appendTo(engine.store, 'volunteer-b-e1', [
    newEvent('PoolAllocationReceived', {
      idempotencyKey: 'pool-allocation-credit:a1',
      fromAccount: 'in-transit',
      toAccount: 'volunteer:b-e1',
      centipoints: 300,
      volunteerId: 'b-e1',
      allocationId: 'a1',
      categoryId: 'elderly-alone',
      community: 'c1',
      receivedAt: AT,
    }),
    newEvent('PointsHeld', {
      idempotencyKey: 'redeem',
      fromAccount: 'volunteer:b-e1',
      toAccount: 'held:b-e1',
      centipoints: 100,
      volunteerId: 'b-e1',
      holdId: 'h1',
      partnerId: 'p1',
      offerId: 'lunch',
      heldAt: AT,
      expiresAt: AT,
      actor: PARTNER,
      consent: { form: 'mandate' },
      cashCopayFen: 500,
    }),
    newEvent('PointsCaptured', {
      idempotencyKey: 'redeem',
      fromAccount: 'held:b-e1',
      toAccount: 'partner:p1',
      centipoints: 100,
      volunteerId: 'b-e1',
      holdId: 'h1',
      partnerId: 'p1',
      capturedAt: AT,
      actor: PARTNER,
      cashCopayFen: 500,
    }),
  ]);
  const projector = new Projector({ store: engine.store, db: engine.db });
  await projector.start();
  await projector.waitForPosition(last);
  await projector.stop();
  const queries = createReadModelQueries(engine.db);

  const balances = await queries.accountBalances();
  t.equal(balances.totalCentipoints, 0, 'Σ balances = 0');
  const byAccount = Object.fromEntries(balances.accounts.map((row) => [row.account, row.balanceCentipoints]));
  t.match(byAccount, { 'volunteer:b-e1': 200, 'donation-pool': 200, 'partner:p1': 100 });
  t.equal(await queries.volunteerSummary('b-e1'), null, 'a beneficiary is not a volunteer');
  const statistics = await queries.communityStatistics({ now: AT, community: 'c1' });
  t.equal(statistics.registeredVolunteers, 0, 'nor counted as one');
  const statement = await queries.partnerStatement('p1');
  t.match(statement, {
    settlements: [{ period: '2026-03', capturedCount: 1, capturedCentipoints: 100, capturedCashFen: 500 }],
    holds: [{ volunteerId: 'b-e1', holdId: 'h1', cashCopayFen: 500, status: 'captured' }],
  });

  t.same((await verifyLedger({ store: engine.store, db: engine.db })).findings, [], 'live = replay');
  await rebuildReadModels({ store: engine.store, db: engine.db });
  t.same(await queries.partnerStatement('p1'), statement, 'rebuild reproduces the statement');
  t.same(await queries.accountBalances(), balances, 'and the balances');
});
