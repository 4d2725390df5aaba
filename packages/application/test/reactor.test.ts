import t from 'tap';
import { EventStoreError, type EventStore } from '@timebank/event-store';
import { createReactor, type ReactorCheckpointStore } from '../src/reactor.js';
import { ledgerFixture, volunteerWithPoints } from './support/ledger-fixture.js';
import { beforeFirstAppendTo } from './support/store-doubles.js';

/** The store, except that the first append to `streamName` fails as if the process had died. */
const crashBeforeFirstAppendTo = (store: EventStore, streamName: string): EventStore =>
  beforeFirstAppendTo(store, streamName, async () => {
    throw new EventStoreError('STORE_UNAVAILABLE', 'simulated crash before the credit was stored');
  });

function memoryCheckpoints(): ReactorCheckpointStore & { saved: bigint[] } {
  const saved: bigint[] = [];
  return {
    saved,
    load: async () => saved.at(-1) ?? 0n,
    save: async (position) => void saved.push(position),
  };
}

/** Resolves when the store holds a credit of a transfer: observed through a subscription, not by polling. */
async function firstCredit(store: EventStore): Promise<void> {
  const subscription = store.subscribeToAll({ filter: { eventTypes: ['PointsTransferReceived'] } });
  try {
    for await (const message of subscription) if (message.kind === 'event') return;
  } finally {
    await subscription.close();
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test('a credit lost between debit and credit is applied by the reactor, once', async (t) => {
  const fixture = ledgerFixture(t);
  const setup = fixture.ledger();
  const sender = await volunteerWithPoints(setup, 10, '13010119900101123');
  const receiver = await volunteerWithPoints(setup, 0, '13010119900202456');
  const crashing = fixture.ledger({
    store: crashBeforeFirstAppendTo(fixture.store, `volunteer-${receiver}`),
  });
  await t.rejects(
    crashing.execute({
      type: 'TransferPoints',
      idempotencyKey: 'gift-lost-credit',
      actor: { id: sender, role: 'volunteer' },
      volunteerId: sender,
      toVolunteerId: receiver,
      centipoints: 300,
    }),
    { code: 'STORE_UNAVAILABLE' },
  );
  const credits = async () =>
    (await fixture.store.readStream(`volunteer-${receiver}`)).filter(
      (event) => event.type === 'PointsTransferReceived',
    ).length;
  t.equal(await credits(), 0, 'the debit is stored, the credit is not');

  // After the "restart": a fresh ledger and its reactor.
  const restarted = fixture.ledger();
  const checkpoints = memoryCheckpoints();
  const reactor = createReactor({ store: fixture.store, ledger: restarted, checkpoints, graceMs: 0 });
  const running = reactor.run();
  await until(async () => reactor.caughtUp() && (await credits()) === 1);
  t.equal(await credits(), 1, 'the reactor credited the receiver');
  t.ok(checkpoints.saved.length > 0, 'and recorded how far it got');
  await reactor.stop();
  await running;

  // Running every reaction again from the beginning changes nothing.
  const again = createReactor({
    store: fixture.store,
    ledger: fixture.ledger(),
    checkpoints: memoryCheckpoints(),
    graceMs: 0,
  });
  const runningAgain = again.run();
  await until(async () => again.caughtUp());
  await until(async () => again.position() === reactor.position());
  await again.stop();
  await runningAgain;
  t.equal(await credits(), 1, 'no second credit');
  const refunds = (await fixture.store.readStream(`volunteer-${sender}`)).filter(
    (event) => event.type === 'PointsTransferRefunded',
  );
  t.equal(refunds.length, 0, 'and no refund of a transfer that was credited');
});

t.test('the reactor leaves fresh events to the command that stored them', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const sender = await volunteerWithPoints(ledger, 10, '13010119900101123');
  const receiver = await volunteerWithPoints(ledger, 0, '13010119900202456');
  // The reactor reads the clock only to decide whether an event it received is due; a second read
  // means it received the debit, found it fresh and waited once instead of crediting.
  // The clock stands 5 s after the debit will be recorded (well inside the 60 s grace), so an
  // event taken up at once because its age was ignored shows as a credit.
  const wallClock = { nowMs: Date.now() + 5_000 };
  let clockReads = 0;
  let waitedOnce!: (outcome: 'waited') => void;
  const waited = new Promise<'waited'>((resolve) => (waitedOnce = resolve));
  const reactor = createReactor({
    store: fixture.store,
    ledger,
    checkpoints: memoryCheckpoints(),
    graceMs: 60_000,
    retryDelayMs: 10,
    now: () => {
      clockReads += 1;
      if (clockReads === 2) waitedOnce('waited');
      return wallClock.nowMs;
    },
  });
  const running = reactor.run();
  const crashing = fixture.ledger({
    store: crashBeforeFirstAppendTo(fixture.store, `volunteer-${receiver}`),
  });
  await t.rejects(
    crashing.execute({
      type: 'TransferPoints',
      idempotencyKey: 'gift-fresh',
      actor: { id: sender, role: 'volunteer' },
      volunteerId: sender,
      toVolunteerId: receiver,
      centipoints: 100,
    }),
    { code: 'STORE_UNAVAILABLE' },
    'the credit is lost with the simulated crash',
  );
  const credits = async () =>
    (await fixture.store.readStream(`volunteer-${receiver}`)).filter(
      (event) => event.type === 'PointsTransferReceived',
    ).length;
  const credited = firstCredit(fixture.store);
  t.equal(
    await Promise.race([waited, credited.then(() => 'credited' as const)]),
    'waited',
    'within the grace period the reactor waits instead of crediting',
  );
  t.equal(await credits(), 0, 'no credit while the grace period runs');
  wallClock.nowMs += 120_000;
  await credited;
  t.equal(await credits(), 1, 'after the grace period it heals the lost credit, once');
  await reactor.stop();
  await running;
});
