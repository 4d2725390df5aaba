/**
 * The command handler's cache over PostgreSQL, where several processes append to one schema: the
 * store's change feed (one query per check, shared by the commands waiting for it) tells which
 * cached streams another process changed, so an unchanged stream is decided on without a read,
 * while a change by another process (a second store with its own pool here) is always seen
 * before the next decision: on the command's own stream by the expected revision, on a
 * dependency stream (the points policy) by the feed.
 */
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import type { EventStore } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore, type PostgresEventStore } from '@timebank/event-store-postgres';
import { dropSchema } from '@timebank/event-store-postgres/testing';
import { createLedger, type Ledger } from '../src/ledger.js';
import { NATIONAL_ID_KEY, codeOf, redeem, volunteerWithPoints } from './support/ledger-fixture.js';
import {
  cachedStreamsAreNotReadAgain,
  doubleTheRate,
  earnTwoHoursAfter,
  staleDecisionIsDecidedAgain,
} from './support/freshness-scenarios.js';

const url = requireServerUrl('POSTGRES_URL');

interface Processes {
  readonly clock: { nowMs: number };
  /** A store of its own (its own pool), as a separate process would have. */
  store(): Promise<PostgresEventStore>;
  ledger(store: EventStore): Ledger;
}

function processesOnOneSchema(t: Test): Processes {
  const schema = `app_feed_${randomBytes(6).toString('hex')}`;
  const clock = { nowMs: Date.parse('2026-06-01T12:00:00.000Z') };
  const stores: PostgresEventStore[] = [];
  t.teardown(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dropSchema(url!, schema);
  });
  return {
    clock,
    async store() {
      const store = await createPostgresEventStore({ connectionString: url!, schema });
      stores.push(store);
      return store;
    },
    ledger: (store) => createLedger({ store, clock: () => clock.nowMs, nationalIdKey: NATIONAL_ID_KEY }),
  };
}

const skip = url === undefined ? 'POSTGRES_URL is not set' : false;

t.test('a cached stream no process appended to is decided on without a read', { skip }, async (t) => {
  const processes = processesOnOneSchema(t);
  const ledger = processes.ledger(await processes.store());
  await cachedStreamsAreNotReadAgain(t, ledger);
});

t.test('a points policy changed by another process decides the next earning', { skip }, async (t) => {
  const processes = processesOnOneSchema(t);
  const ledger = processes.ledger(await processes.store());
  const volunteerId = await volunteerWithPoints(ledger, 10); // folds and caches the policy stream
  const administrator = processes.ledger(await processes.store());
  const effectiveFromMs = await doubleTheRate(administrator, processes.clock.nowMs);
  processes.clock.nowMs += 86_400_000;
  t.match(await earnTwoHoursAfter(ledger, volunteerId, effectiveFromMs), {
    policyVersion: 1,
    durationMinutes: 120,
    centipoints: 400,
  });

  // A checked reader (the API's reads of several streams) sees the change too.
  const policy = await ledger.checkedReader().load('policy');
  t.equal(policy.revision, (await administrator.load('policy')).revision, 'the reader loads the new head');
});

t.test(
  'a decision on a cached state another process made stale is never appended: conflict, reload, decide again',
  { skip },
  async (t) => {
    const processes = processesOnOneSchema(t);
    const store = await processes.store();
    const other = processes.ledger(await processes.store());
    const volunteerId = await volunteerWithPoints(other, 10); // 1,000 centipoints
    await staleDecisionIsDecidedAgain(t, {
      store,
      other,
      volunteerId,
      // The feed is forwarded too, so that the racing ledger serves its cached state.
      racingOver: (raced) =>
        processes.ledger({ ...raced, streamChangesAfter: (position) => store.streamChangesAfter(position) }),
    });
  },
);

t.test('a stream another process appended to is re-read before the next decision', { skip }, async (t) => {
  const processes = processesOnOneSchema(t);
  const ledger = processes.ledger(await processes.store());
  const other = processes.ledger(await processes.store());
  const volunteerId = await volunteerWithPoints(ledger, 10); // 1,000 centipoints, cached here
  t.equal(await codeOf(other.execute(redeem(volunteerId, 'elsewhere', 600))), 'OK');
  const conflicts = ledger.conflicts;
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'here', 700))), 'INSUFFICIENT_POINTS');
  t.equal(ledger.conflicts, conflicts, 'the feed reported the change: decided on the new head, no conflict');
});
