/**
 * The command handler's cache over a store with a change log (SQLite): a cached stream nobody
 * else appended to is used without a read; a stale cached decision can only lose the append
 * (conflict, reload, decide again); and a dependency stream (the points policy, read for
 * context and not guarded by the expected revision) changed by another writer — on the same
 * connection or through another one, as another process would — is re-read before the next
 * decision.
 */
import t, { type Test } from 'tap';
import type { EventStore, StreamChangeLog } from '@timebank/event-store';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { createLedger, type Ledger } from '../src/ledger.js';
import { idempotencyKeyOf } from '../src/event-metadata.js';
import {
  type Fixture,
  ADMIN,
  NATIONAL_ID_KEY,
  ORGANISER,
  codeOf,
  ledgerFixture,
  redeem,
  volunteerWithPoints,
} from './support/ledger-fixture.js';
import { portOnly } from '@timebank/event-store/testing';
import { beforeFirstAppendTo } from './support/store-doubles.js';

t.test('a cached stream that nobody appended to is decided on without a read', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 10);
  await ledger.execute(redeem(volunteerId, 'warm', 100));
  const reads = ledger.streamReads;
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'cached-1', 100))), 'OK');
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'cached-2', 100))), 'OK');
  t.equal(ledger.streamReads, reads, 'volunteer, policy and partner streams all came from the cache');
  const { state } = await ledger.load('volunteer', volunteerId);
  t.ok(state, 'a load is answered too');
});

t.test(
  'a decision on a cached state that went stale is never appended: conflict, reload, decide again',
  async (t) => {
    const fixture = ledgerFixture(t);
    const other = fixture.ledger();
    const volunteerId = await volunteerWithPoints(other, 10); // 1,000 centipoints
    const streamName = `volunteer-${volunteerId}`;
    // The change log is forwarded too, so that the racing ledger serves its cached state.
    const racingStore: EventStore & StreamChangeLog = {
      ...beforeFirstAppendTo(fixture.store, streamName, () =>
        other.execute(redeem(volunteerId, 'other-wins', 600)),
      ),
      streamChangesSince: (token) => fixture.store.streamChangesSince(token),
    };
    const racing = fixture.ledger({ store: racingStore });
    // Warm the racing ledger's cache with a command the domain refuses: it reads, appends nothing.
    t.equal(await codeOf(racing.execute(redeem(volunteerId, 'warm', 150_000))), 'INSUFFICIENT_POINTS');
    const reads = racing.streamReads;
    // It decides on its cached 1,000 without a read, then loses the append to the 600 redemption
    // that lands in between. Deciding again on the reloaded stream must refuse its 700.
    t.equal(await codeOf(racing.execute(redeem(volunteerId, 'stale', 700))), 'INSUFFICIENT_POINTS');
    t.equal(racing.conflicts, 1);
    t.equal(racing.streamReads - reads, 1, 'decided first from the cache; one read to reload');
    const captured = (await fixture.store.readStream(streamName))
      .filter((event) => event.type === 'PointsCaptured')
      .map((event) => idempotencyKeyOf(event));
    t.same(captured, ['other-wins']);
  },
);

/** Changes the points rate to 2 points an hour from an hour after the fixture's now. */
async function doubleTheRate(ledger: Ledger, nowMs: number): Promise<number> {
  const effectiveFromMs = nowMs + 3_600_000;
  await ledger.execute({
    type: 'ChangePointsPolicy',
    idempotencyKey: 'policy-doubled',
    actor: ADMIN,
    effectiveFrom: new Date(effectiveFromMs).toISOString(),
    terms: { ...ledger.rules.initialPointsPolicy, ratePerHourCentipoints: 200 },
  });
  return effectiveFromMs;
}

/** A second ledger writing through the fixture's own store connection or through another one. */
function administratorOn(
  t: Test,
  fixture: Fixture,
  writer: 'the same connection' | 'another connection',
): Ledger {
  const otherStore =
    writer === 'the same connection' ? fixture.store : createSqliteEventStore({ path: fixture.path });
  if (otherStore !== fixture.store) t.teardown(() => otherStore.close());
  return createLedger({
    store: otherStore,
    clock: () => fixture.clock.nowMs,
    nationalIdKey: NATIONAL_ID_KEY,
  });
}

for (const writer of ['the same connection', 'another connection'] as const) {
  t.test(`a points policy changed through ${writer} decides the next earning`, async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    const volunteerId = await volunteerWithPoints(ledger, 10); // folds and caches the policy stream
    const administrator = administratorOn(t, fixture, writer);
    const effectiveFromMs = await doubleTheRate(administrator, fixture.clock.nowMs);
    fixture.clock.nowMs += 86_400_000;
    const recorded = await ledger.execute({
      type: 'RecordServiceHours',
      idempotencyKey: 'after-change',
      actor: ORGANISER,
      volunteerId,
      activity: 'Library help',
      organisationId: 'org-1',
      startAt: new Date(effectiveFromMs + 3_600_000).toISOString(),
      endAt: new Date(effectiveFromMs + 3 * 3_600_000).toISOString(),
    });
    const recordId =
      recorded.events[0]?.type === 'ServiceHoursRecorded' ? recorded.events[0].data.recordId : '';
    const confirmed = await ledger.execute({
      type: 'ConfirmServiceHours',
      idempotencyKey: 'confirm-after-change',
      actor: ORGANISER,
      volunteerId,
      recordId,
    });
    const earned = confirmed.events.find((event) => event.type === 'PointsEarned');
    t.match(earned?.data, { policyVersion: 1, durationMinutes: 120, centipoints: 400 });
  });
}

for (const writer of ['the same connection', 'another connection'] as const) {
  t.test(`a checked reader answers at once only what its check vouches for (${writer})`, async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    await volunteerWithPoints(ledger, 10); // folds and caches the policy stream
    t.equal(ledger.checkedReader().current('organisation', 'never-loaded'), undefined, 'not cached: load it');
    const before = await ledger.load('policy');
    const cached = ledger.checkedReader().current('policy');
    t.equal(cached?.revision, before.revision, 'a cached, current stream is answered without a promise');
    t.equal(cached?.state, before.state, 'the state a load would answer');

    const administrator = administratorOn(t, fixture, writer);
    await doubleTheRate(administrator, fixture.clock.nowMs);
    const reader = ledger.checkedReader();
    t.equal(reader.current('policy'), undefined, 'changed since it was cached: the reader must load it');
    const loaded = await reader.load('policy');
    t.ok(loaded.revision > before.revision, 'the load sees the change');
    // Once the load has left the stream's queue (a few microtasks after it answered):
    await new Promise((resolve) => setImmediate(resolve));
    t.equal(ledger.checkedReader().current('policy')?.revision, loaded.revision, 'then it is current again');
  });
}

t.test('over a store without a change log every cached stream is re-read before use', async (t) => {
  const fixture = ledgerFixture(t);
  const store = fixture.store;
  const plain = portOnly(store);
  const ledger = fixture.ledger({ store: plain });
  const volunteerId = await volunteerWithPoints(ledger, 10);
  const reads = ledger.streamReads;
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'plain', 100))), 'OK');
  t.equal(ledger.streamReads - reads, 3, 'the volunteer, the policy and the partner stream');
});
