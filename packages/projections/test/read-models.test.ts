import t from 'tap';
import { BatchApplier } from '../src/applier.js';
import { volunteerAsOf } from '../src/as-of.js';
import { isProjectionError } from '../src/errors.js';
import { projectionRules } from '../src/handlers/index.js';
import { Projector } from '../src/projector.js';
import { createReadModelQueries } from '../src/queries.js';
import { LIVE_PREFIX } from '../src/tables.js';
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { ADMIN, build, newEvent } from '../src/testing/index.js';
import { appendTo, harnesses } from './harness.js';
import { ALICE, BOB, PARTNER, seedScenario } from './scenario.js';

for (const harness of harnesses()) {
  t.test(`${harness.name}: every read model over the scenario`, async (t) => {
    const engine = await harness.create();
    t.teardown(() => engine.close());
    const { last, afterFirstRecord } = await seedScenario(engine.store);
    const projector = new Projector({ store: engine.store, db: engine.db, batchEventsMax: 7 });
    await projector.start();
    t.teardown(() => projector.stop());
    await projector.waitForPosition(last);
    const queries = createReadModelQueries(engine.db);

    const alice = await queries.volunteerSummary(ALICE);
    t.match(alice, {
      volunteerNumber: `N${ALICE}`,
      community: 'community-a',
      confirmedMinutes: 660, // r1b 60 + r5 600; r1 corrected, r2 voided
      pendingMinutes: 90, // r3; r4 was rejected
      eligibleStars: 0,
      awardedStars: 1,
      starAwardUnderReview: true,
      points: {
        availableCentipoints: 600, // 1500 earned − 400 reversed − 300 captured − 100 sent − 50 donated − 50 expired
        heldCentipoints: 0,
        lifetimeEarnedCentipoints: 1500,
        reversedCentipoints: 400,
        spentCentipoints: 300,
        donatedCentipoints: 50,
        expiredCentipoints: 50,
        transferredOutCentipoints: 100, // t2 was refunded
      },
    });
    t.match(await queries.volunteerSummary(BOB), {
      points: { availableCentipoints: 80, offeredCentipoints: 20, transferredInCentipoints: 100 },
    });
    t.same(await queries.volunteerByNumber(`N${BOB}`).then((row) => row?.volunteerId), BOB);
    t.same(
      [...(await queries.volunteerIdsByNumber([`N${BOB}`, 'N-nobody', `N${ALICE}`, `N${BOB}`]))].sort(),
      [
        [`N${ALICE}`, ALICE],
        [`N${BOB}`, BOB],
      ].sort(),
      'volunteer numbers resolve to ids in one query; an unknown number is absent',
    );
    t.same(
      [...(await queries.volunteerNumbersById([ALICE, 'nobody']))],
      [[ALICE, `N${ALICE}`]],
      'and ids to numbers',
    );

    const records = await queries.serviceRecordsOfVolunteer(ALICE);
    const byId = new Map(records.map((record) => [record.recordId, record]));
    t.match(byId.get('r1'), {
      status: 'corrected',
      replacedByRecordId: 'r1b',
      correctionReason: 'wrong_duration',
      earnedCentipoints: 0,
    });
    t.match(byId.get('r1b'), {
      status: 'confirmed',
      replacesRecordId: 'r1',
      durationMinutes: 60,
      earnedCentipoints: 100,
    });
    t.match(byId.get('r2'), { status: 'voided', correctionReason: 'duplicate_record', earnedCentipoints: 0 });
    t.match(byId.get('r3'), { status: 'pending' });
    t.match(byId.get('r4'), { status: 'rejected' });
    const everyRecord = await queries.serviceRecordsOfOrganisation('org-1');
    t.equal(everyRecord.length, 6, 'the organisation sees all six records');
    const firstPage = await queries.serviceRecordsOfOrganisation('org-1', { limit: 4 });
    const lastOfFirst = firstPage.at(-1)!;
    const secondPage = await queries.serviceRecordsOfOrganisation('org-1', {
      limit: 4,
      after: {
        startAt: lastOfFirst.startAt,
        volunteerId: lastOfFirst.volunteerId,
        recordId: lastOfFirst.recordId,
      },
    });
    t.same(
      [...firstPage, ...secondPage].map((record) => record.recordId),
      everyRecord.map((record) => record.recordId),
      'two pages, the second after the first page’s last record, hold every record once, in order',
    );

    const statement = await queries.partnerStatement(PARTNER);
    t.same(
      statement.settlements.map((row) => [
        row.period,
        row.heldCount,
        row.capturedCentipoints,
        row.releasedCentipoints,
        row.expiredCentipoints,
      ]),
      [
        ['2026-03', 3, 300, 200, 0],
        ['2026-04', 0, 0, 0, 100], // expired 2026-03-31T20:00Z is 04:00 on 1 April in UTC+8
      ],
    );
    t.same(statement.holds.map((hold) => [hold.holdId, hold.status]).sort(), [
      ['h1', 'captured'],
      ['h2', 'released'],
      ['h3', 'expired'],
    ]);

    const stats = await queries.communityStatistics({ now: '2026-04-15T00:00:00.000Z' });
    t.match(stats, {
      registeredVolunteers: 2,
      activeVolunteers: 1,
      hoursPerMonth: [
        { month: '2026-01', confirmedMinutes: 60 },
        { month: '2026-03', confirmedMinutes: 600 },
      ],
      starDistribution: { '0': 1, '1': 1 },
    });
    t.match(
      await queries.communityStatistics({ now: '2026-04-15T00:00:00.000Z', community: 'community-b' }),
      {
        registeredVolunteers: 1,
        activeVolunteers: 0,
      },
    );

    const balances = await queries.accountBalances();
    t.equal(balances.totalCentipoints, 0, 'Σ balances = 0');
    t.same(Object.fromEntries(balances.accounts.map((row) => [row.account, row.balanceCentipoints])), {
      'donation-pool': 50,
      expired: 50,
      'in-transit': 0,
      issuance: -1100,
      'offered:bob': 20,
      'partner:p1': 300,
      'volunteer:alice': 600,
      'volunteer:bob': 80,
    });
    const policies = await engine.db.query(
      `SELECT version, effective_from, withdrawn_at, withdrawal_reason FROM ${LIVE_PREFIX}points_policy ORDER BY version`,
    );
    t.same(
      policies,
      [
        {
          version: '1',
          effective_from: '2026-02-01T00:00:00.000Z',
          withdrawn_at: null,
          withdrawal_reason: null,
        },
        {
          version: '2',
          effective_from: '2099-02-01T00:00:00.000Z',
          withdrawn_at: '2026-01-22T00:00:00.000Z',
          withdrawal_reason: 'typed 2099 for 2026',
        },
      ],
      'policy versions are projected, a withdrawn one with when and why',
    );

    const asOfFirst = await volunteerAsOf(engine.store, ALICE, { position: afterFirstRecord });
    t.match(asOfFirst?.summary, {
      confirmedMinutes: 120,
      points: { availableCentipoints: 200, lifetimeEarnedCentipoints: 200 },
    });
    const asOfNow = await volunteerAsOf(engine.store, ALICE, { position: last });
    t.same(asOfNow?.summary, alice, 'as-of at the head equals the live summary');
    t.equal(
      await volunteerAsOf(engine.store, ALICE, { position: 1n }),
      null,
      'not yet registered at position 1',
    );
  });

  t.test(`${harness.name}: partners and organisations page by id`, async (t) => {
    const engine = await harness.create();
    t.teardown(() => engine.close());
    const at = '2026-01-01T00:00:00.000Z';
    let last = 0n;
    // Registered out of id order: a page follows the id, not the order of registration.
    for (const id of ['o3', 'o1', 'o5', 'o2', 'o4']) {
      last = await appendTo(engine.store, `organisation-${id}`, [
        newEvent('OrganisationRegistered', {
          idempotencyKey: `register-${id}`,
          organisationId: id,
          name: `Organisation ${id}`,
          community: 'community-a',
          registeredAt: at,
          actor: ADMIN,
        }),
      ]);
    }
    for (const id of ['p3', 'p1', 'p2']) {
      last = await appendTo(engine.store, `partner-${id}`, [build.partnerRegistered(id, at)]);
    }
    const projector = new Projector({ store: engine.store, db: engine.db });
    await projector.start();
    t.teardown(() => projector.stop());
    await projector.waitForPosition(last);
    const queries = createReadModelQueries(engine.db);

    const organisationIds = async (page: { limit?: number; after?: string }): Promise<string[]> =>
      (await queries.organisations(page)).map((row) => row.organisationId);
    t.same(await organisationIds({}), ['o1', 'o2', 'o3', 'o4', 'o5'], 'one page holds them all');
    t.same(await organisationIds({ limit: 2 }), ['o1', 'o2']);
    t.same(await organisationIds({ limit: 2, after: 'o2' }), ['o3', 'o4']);
    t.same(await organisationIds({ limit: 2, after: 'o4' }), ['o5'], 'the last page');
    t.same(await organisationIds({ limit: 2, after: 'o5' }), [], 'nothing after the last');

    const partnerIds = async (page: { limit?: number; after?: string }): Promise<string[]> =>
      (await queries.partners(page)).map((row) => row.partnerId);
    t.same(await partnerIds({}), ['p1', 'p2', 'p3']);
    t.same(await partnerIds({ limit: 2 }), ['p1', 'p2']);
    t.same(await partnerIds({ limit: 2, after: 'p2' }), ['p3']);
  });

  t.test(`${harness.name}: read-your-writes, restart from the checkpoint, idempotent batches`, async (t) => {
    const engine = await harness.create();
    t.teardown(() => engine.close());
    const first = await appendTo(engine.store, 'volunteer-v1', [
      build.registered('v1', '2026-01-01T00:00:00.000Z'),
    ]);
    let projector = new Projector({ store: engine.store, db: engine.db });
    await projector.start();
    await projector.waitForPosition(first);
    t.ok(projector.hasCaughtUp() || projector.checkpoint() >= first);
    await t.rejects(
      projector.waitForPosition(first + 1000n, { timeoutMs: 50 }),
      { code: 'PROJECTION_TIMEOUT' },
      'a position never reached times out with a coded error',
    );
    t.equal(await projector.waitFor(first + 1000n, 20), false);
    await projector.stop();

    // Written while no projector runs: the next one resumes from the checkpoint.
    const beforeAt = new Date(Date.now() + 5).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await appendTo(engine.store, 'volunteer-v1', [
      build.recorded('v1', 'r1', '2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z', 60),
      build.confirmed('v1', 'r1', '2026-01-02T01:00:00.000Z'),
    ]);
    projector = new Projector({ store: engine.store, db: engine.db, now: () => Date.now() });
    await projector.start();
    t.teardown(() => projector.stop());
    await projector.waitForPosition(second);
    const queries = createReadModelQueries(engine.db);
    t.match(await queries.volunteerSummary('v1'), { confirmedMinutes: 60 });
    t.match(projector.lag(), { events: 0, seconds: 0, checkpoint: second });
    t.match((await volunteerAsOf(engine.store, 'v1', { at: beforeAt }))?.summary, { confirmedMinutes: 0 });

    // Re-applying committed events changes nothing: they are at or below the checkpoint.
    const applier = new BatchApplier(engine.db, LIVE_PREFIX, {
      rules: projectionRules(DEFAULT_LEDGER_RULES),
    });
    await applier.open();
    const all = await engine.store.readAll();
    t.equal(await applier.applyBatch(all), 0, 'no event is applied twice');
    t.match(await queries.volunteerSummary('v1'), { confirmedMinutes: 60 });

    // A second writer on the same table set is refused, not interleaved.
    await appendTo(engine.store, 'volunteer-v2', [build.registered('v2', '2026-01-03T00:00:00.000Z')]);
    const stale = new BatchApplier(engine.db, LIVE_PREFIX, { rules: projectionRules(DEFAULT_LEDGER_RULES) });
    await stale.open();
    const third = await appendTo(engine.store, 'volunteer-v3', [
      build.registered('v3', '2026-01-03T00:00:00.000Z'),
    ]);
    await projector.waitForPosition(third);
    const late = await engine.store.readAll({ fromPosition: stale.position });
    const conflict = await stale.applyBatch(late).catch((error: unknown) => error);
    t.ok(
      isProjectionError(conflict, 'PROJECTION_CHECKPOINT_CONFLICT'),
      'a stale applier gets a checkpoint conflict',
    );
  });
}
