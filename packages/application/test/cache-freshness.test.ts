/**
 * The command handler's cache over a store with a change log (SQLite): a cached stream nobody
 * else appended to is used without a read; a stale cached decision can only lose the append
 * (conflict, reload, decide again); and a dependency stream (the points policy, read for
 * context and not guarded by the expected revision) changed by another writer — on the same
 * connection or through another one, as another process would — is re-read before the next
 * decision.
 */
import t, { type Test } from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { createLedger, type Ledger } from '../src/ledger.js';
import {
  type Fixture,
  NATIONAL_ID_KEY,
  codeOf,
  ledgerFixture,
  redeem,
  volunteerWithPoints,
} from './support/ledger-fixture.js';
import { portOnly } from '@timebank/event-store/testing';
import {
  cachedStreamsAreNotReadAgain,
  doubleTheRate,
  earnTwoHoursAfter,
  staleDecisionIsDecidedAgain,
} from './support/freshness-scenarios.js';

t.test('a cached stream that nobody appended to is decided on without a read', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await cachedStreamsAreNotReadAgain(t, ledger);
  const { state } = await ledger.load('volunteer', volunteerId);
  t.ok(state, 'a load is answered too');
});

t.test(
  'a decision on a cached state that went stale is never appended: conflict, reload, decide again',
  async (t) => {
    const fixture = ledgerFixture(t);
    const other = fixture.ledger();
    const volunteerId = await volunteerWithPoints(other, 10); // 1,000 centipoints
    await staleDecisionIsDecidedAgain(t, {
      store: fixture.store,
      other,
      volunteerId,
      // The change log is forwarded too, so that the racing ledger serves its cached state.
      racingOver: (raced) =>
        fixture.ledger({
          store: { ...raced, streamChangesSince: (token) => fixture.store.streamChangesSince(token) },
        }),
    });
  },
);

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
    t.match(await earnTwoHoursAfter(ledger, volunteerId, effectiveFromMs), {
      policyVersion: 1,
      durationMinutes: 120,
      centipoints: 400,
    });
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
