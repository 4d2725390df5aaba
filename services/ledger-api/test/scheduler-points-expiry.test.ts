/**
 * Points with an expiry date: the scheduler books them to the expired account, dated at that date
 * however late it sweeps, and an as-of query shows them expired from exactly that instant on.
 */
import t from 'tap';
import { hoursAgo, startWorld } from './fixtures.js';

const HOUR_MS = 3_600_000;

t.test(
  'points are booked to the expired account at their expiry date, and as-of shows it at that instant',
  async (t) => {
    let nowMs = Date.now();
    const w = await startWorld(t, {}, { clock: () => nowMs });
    const policy = await w.post('/v1/admin/points-policy', w.admin, {
      effectiveFrom: new Date(nowMs + 60_000).toISOString(),
      terms: {
        ratePerHourCentipoints: 100,
        qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
        balanceCapCentipoints: 60_000,
        dailyEarningCapCentipoints: 10_000,
        minStarToRedeem: 0,
        expiryDays: 1,
      },
    });
    t.equal(policy.statusCode, 201, policy.body);
    nowMs += 3 * HOUR_MS;
    const volunteerId = await w.registerVolunteer(7301);
    const recorded = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.admin, {
      activity: 'Reading to elders',
      organisationId: 'org1',
      // On a whole minute: service times with seconds are refused.
      startAt: hoursAgo(2, nowMs),
      endAt: hoursAgo(1, nowMs),
    });
    t.equal(recorded.statusCode, 201, recorded.body);
    const { recordId } = recorded.json<{ recordId: string }>();
    const confirmed = await w.post(
      `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`,
      w.admin,
      {},
    );
    t.equal(confirmed.statusCode, 200, confirmed.body);

    const streamEvents = async () =>
      (await w.get(`/v1/audit/streams/volunteer-${volunteerId}?limit=1000`, w.auditor)).json<{
        events: { type: string; data: Record<string, unknown> }[];
      }>().events;
    const earned = (await streamEvents()).find((event) => event.type === 'PointsEarned');
    t.match(earned?.data, { recordId, centipoints: 100 });
    const expiresAt = String(earned?.data.expiresAt);
    t.equal(Date.parse(expiresAt), nowMs + 24 * HOUR_MS, 'the lot expires a day after it was earned');

    const scheduler = w.ledgerClock.scheduler;
    const caughtUp = async () => t.ok(await w.projector.waitFor(await w.store.headPosition(), 10_000));
    await caughtUp();
    nowMs = Date.parse(expiresAt) - 1;
    t.same((await scheduler.tick()).effects['expire-points'], 0, 'nothing is due before the date');

    // The sweep comes an hour late; the expiry is still dated at the lot's date.
    nowMs = Date.parse(expiresAt) + HOUR_MS;
    t.same((await scheduler.tick()).effects['expire-points'], 1, 'the sweep expires the lot');
    await caughtUp();
    t.same((await scheduler.tick()).effects['expire-points'], 0, 'a second sweep stores nothing');

    const expiries = (await streamEvents()).filter((event) => event.type === 'PointsExpired');
    t.equal(expiries.length, 1, 'expired once');
    t.match(expiries[0]?.data, { centipoints: 100, toAccount: 'expired', recordId, expiredAt: expiresAt });

    const balances = await w.get('/v1/audit/balances', w.auditor);
    const { accounts, totalCentipoints } = balances.json<{
      accounts: { account: string; balanceCentipoints: number }[];
      totalCentipoints: number;
    }>();
    t.same(
      accounts.find((account) => account.account === 'expired'),
      { account: 'expired', balanceCentipoints: 100 },
      'booked to the expired account',
    );
    t.equal(totalCentipoints, 0);

    const asOf = async (atMs: number) => {
      const response = await w.get(
        `/v1/audit/volunteers/${volunteerId}/as-of?at=${new Date(atMs).toISOString()}`,
        w.auditor,
      );
      t.equal(response.statusCode, 200, response.body);
      return response.json<{ summary: { availableCentipoints: number } }>().summary.availableCentipoints;
    };
    t.equal(await asOf(Date.parse(expiresAt) - 1), 100, 'a millisecond before the date: not expired');
    t.equal(
      await asOf(Date.parse(expiresAt)),
      0,
      'at the date: expired, though the sweep came an hour later',
    );
    // As of the ledger's now, the sweep's hour: as-of never answers for a time after now.
    t.equal(await asOf(nowMs), 0, 'after the sweep: expired');
  },
);
