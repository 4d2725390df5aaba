/**
 * Transfers and donations filed at a desk: the debit, the credit or refund the ledger runs as a
 * reaction, and the documented rejections — over a real SQLite store.
 */
import t from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

async function summary(w: World, volunteerId: string) {
  return (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<{
    availableCentipoints: number;
    offeredCentipoints: number;
  }>();
}

t.test('a desk transfers points from its volunteer to another; the receiver is credited', async (t) => {
  const w = await startWorld(t);
  const sender = await w.registerVolunteer(1);
  const relative = await w.registerVolunteer(2, 'c2');
  await w.earn(sender, 3, 30);
  const url = `/v1/volunteers/${sender}/transfers`;
  const sent = await w.post(url, w.desk, { toVolunteerId: relative, centipoints: 120 }, 'gift-1');
  t.equal(sent.statusCode, 201, sent.body);
  t.match(sent.json(), {
    transferId: /^id[0-9a-f]+$/,
    toVolunteerId: relative,
    centipoints: 120,
    status: 'completed',
    refundReason: null,
    position: /^\d+$/,
  });
  t.equal((await summary(w, sender)).availableCentipoints, 180);
  t.equal((await summary(w, relative)).availableCentipoints, 120, 'a relative in another community');
  const credited = await w.get(`/v1/volunteers/${relative}/history`, w.admin);
  t.match(
    credited.json<{ events: { type: string; position: string }[] }>().events.at(-1),
    { type: 'PointsTransferReceived', position: sent.json<{ position: string }>().position },
    "the position is the credit's, so reads can wait for it",
  );

  const replay = await w.post(url, w.desk, { toVolunteerId: relative, centipoints: 120 }, 'gift-1');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.same(replay.json(), sent.json());
  t.equal((await summary(w, sender)).availableCentipoints, 180, 'the repeat moved nothing');
});

t.test('a transfer the receiver refuses is refunded to the sender', async (t) => {
  const w = await startWorld(t);
  const sender = await w.registerVolunteer(3);
  await w.earn(sender, 2, 30);
  const refunded = await w.post(`/v1/volunteers/${sender}/transfers`, w.desk, {
    toVolunteerId: 'vnobody',
    centipoints: 50,
  });
  t.equal(refunded.statusCode, 201, refunded.body);
  t.match(refunded.json(), { status: 'refunded', refundReason: 'VOLUNTEER_NOT_FOUND', centipoints: 50 });
  t.equal((await summary(w, sender)).availableCentipoints, 200, 'the points came back');
  const history = await w.get(`/v1/volunteers/${sender}/history`, w.desk);
  t.match(
    history.json<{ events: { type: string }[] }>().events.slice(-2),
    [{ type: 'PointsTransferSent' }, { type: 'PointsTransferRefunded' }],
    'both halves are in the history',
  );
});

t.test('transfer rejections change nothing', async (t) => {
  const w = await startWorld(t);
  const sender = await w.registerVolunteer(4);
  const other = await w.registerVolunteer(5);
  await w.earn(sender, 1, 30);
  const url = `/v1/volunteers/${sender}/transfers`;
  const head = await w.store.headPosition();
  const self = await w.post(url, w.desk, { toVolunteerId: sender, centipoints: 10 });
  t.equal(self.statusCode, 422);
  t.equal(problemOf(t, self).code, 'TRANSFER_TO_SELF');
  const tooMuch = await w.post(url, w.desk, { toVolunteerId: other, centipoints: 101 });
  t.equal(tooMuch.statusCode, 422);
  t.equal(problemOf(t, tooMuch).code, 'INSUFFICIENT_POINTS');
  const zero = await w.post(url, w.desk, { toVolunteerId: other, centipoints: 0 });
  t.match(problemOf(t, zero), { code: 'VALIDATION_FAILED', errors: [{ field: 'body.centipoints' }] });
  const outside = await w.post(url, w.otherDesk, { toVolunteerId: other, centipoints: 10 });
  t.equal(problemOf(t, outside).code, 'FORBIDDEN', "another community's desk");
  const unknown = await w.post('/v1/volunteers/vnobody/transfers', w.admin, {
    toVolunteerId: other,
    centipoints: 10,
  });
  t.equal(problemOf(t, unknown).code, 'VOLUNTEER_NOT_FOUND');
  t.equal(await w.store.headPosition(), head, 'nothing was appended');
});

t.test('a desk donates points to the pool, from available or offered points', async (t) => {
  const w = await startWorld(t);
  const donor = await w.registerVolunteer(6);
  await w.earn(donor, 2, 30);
  const url = `/v1/volunteers/${donor}/donations`;
  const donated = await w.post(url, w.desk, { centipoints: 75 });
  t.equal(donated.statusCode, 201, donated.body);
  t.match(donated.json(), {
    donationId: /^id/,
    centipoints: 75,
    source: 'available',
    received: true,
    position: /^\d+$/,
  });
  t.equal((await summary(w, donor)).availableCentipoints, 125);
  const pool = await w.get('/v1/audit/streams/donation-pool', w.auditor);
  t.match(pool.json(), {
    events: [{ type: 'DonationReceived', data: { centipoints: 75, fromVolunteerId: donor } }],
  });

  const offered = await w.post(url, w.desk, { centipoints: 1, source: 'offered' });
  t.equal(offered.statusCode, 422);
  t.equal(problemOf(t, offered).code, 'INSUFFICIENT_POINTS', 'nothing was earned above the cap');
  const tooMuch = await w.post(url, w.desk, { centipoints: 126 });
  t.equal(problemOf(t, tooMuch).code, 'INSUFFICIENT_POINTS');
  const badSource = await w.post(url, w.desk, { centipoints: 1, source: 'pool' });
  t.match(problemOf(t, badSource), { code: 'VALIDATION_FAILED', errors: [{ field: 'body.source' }] });
  t.equal(problemOf(t, await w.post(url, w.otherDesk, { centipoints: 1 })).code, 'FORBIDDEN');
});
