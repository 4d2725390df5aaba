import t from 'tap';
import { EventStoreError, type EventStore } from '@timebank/event-store';
import { reactionHealingJob, type ReactionCheckpointStore } from '../src/scheduler/index.js';
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { ledgerFixture, redeem, volunteerWithPoints } from './support/ledger-fixture.js';
import { beforeFirstAppendTo } from './support/store-doubles.js';

/** The store, except that the first append to `streamName` fails as if the process had died. */
const crashBeforeFirstAppendTo = (store: EventStore, streamName: string): EventStore =>
  beforeFirstAppendTo(store, streamName, async () => {
    throw new EventStoreError('STORE_UNAVAILABLE', 'simulated crash before the credit was stored');
  });

function memoryCheckpoints(): ReactionCheckpointStore & { saved: bigint[] } {
  const saved: bigint[] = [];
  return {
    saved,
    load: async () => saved.at(-1) ?? 0n,
    save: async (position) => void saved.push(position),
    rewind: async (position) => void saved.push(position),
  };
}

t.test('a credit lost between debit and credit is applied by the healing job, once', async (t) => {
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

  // After the "restart": a fresh ledger and its job, well after the grace period.
  const checkpoints = memoryCheckpoints();
  const job = reactionHealingJob({ store: fixture.store, ledger: fixture.ledger(), checkpoints });
  const later = Date.now() + 60_000;
  t.equal(await job.run(later), 1, 'one credit stored');
  t.equal(await credits(), 1, 'the job credited the receiver');
  t.equal(checkpoints.saved.at(-1), await fixture.store.headPosition(), 'and recorded how far it got');

  // Running every reaction again from the beginning changes nothing.
  const again = reactionHealingJob({
    store: fixture.store,
    ledger: fixture.ledger(),
    checkpoints: memoryCheckpoints(),
  });
  t.equal(await again.run(later), 0);
  t.equal(await credits(), 1, 'no second credit');
  const refunds = (await fixture.store.readStream(`volunteer-${sender}`)).filter(
    (event) => event.type === 'PointsTransferRefunded',
  );
  t.equal(refunds.length, 0, 'and no refund of a transfer that was credited');
});

t.test('the healing job leaves fresh events to the command that stored them', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const sender = await volunteerWithPoints(ledger, 10, '13010119900101123');
  const receiver = await volunteerWithPoints(ledger, 0, '13010119900202456');
  const checkpoints = memoryCheckpoints();
  const job = reactionHealingJob({ store: fixture.store, ledger, checkpoints, graceMs: 60_000 });
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
  // 5 s after the debit was recorded: well inside the 60 s grace.
  t.equal(await job.run(Date.now() + 5_000), 0, 'within the grace period the job waits');
  t.equal(await credits(), 0, 'no credit while the grace period runs');
  const head = await fixture.store.headPosition();
  t.ok((checkpoints.saved.at(-1) ?? 0n) < head, 'the checkpoint stays before the fresh debit');
  t.equal(await job.run(Date.now() + 120_000), 1);
  t.equal(await credits(), 1, 'after the grace period it heals the lost credit, once');
});

t.test('a refunded transfer is never credited by a later run of its reaction', async (t) => {
  const fixture = ledgerFixture(t);
  // A balance cap of 10 hours' points: the receiver, at the cap, refuses the credit.
  const rules = {
    ...DEFAULT_LEDGER_RULES,
    initialPointsPolicy: { ...DEFAULT_LEDGER_RULES.initialPointsPolicy, balanceCapCentipoints: 1_000 },
  };
  const setup = fixture.ledger();
  const sender = await volunteerWithPoints(setup, 2, '13010119900101123');
  const receiver = await volunteerWithPoints(setup, 10, '13010119900202456');
  const ledger = fixture.ledger({ rules });
  const sent = await ledger.execute({
    type: 'TransferPoints',
    idempotencyKey: 'gift-to-a-full-account',
    actor: { id: sender, role: 'volunteer' },
    volunteerId: sender,
    toVolunteerId: receiver,
    centipoints: 100,
  });
  t.same(
    sent.reactions?.flatMap((reaction) => reaction.events.map((event) => event.type)),
    ['PointsTransferRefunded'],
    'the credit is refused at the cap and the sender refunded',
  );
  // The receiver spends: the refusal's cause is gone.
  await ledger.execute(redeem(receiver, 'spend-below-the-cap', 300));
  const transferEvent = sent.events.find((event) => event.type === 'PointsTransferSent')!;
  t.same(await ledger.reactTo(transferEvent), [], 'running the reaction again does nothing');
  const job = reactionHealingJob({
    store: fixture.store,
    ledger: fixture.ledger({ rules }),
    checkpoints: memoryCheckpoints(),
  });
  t.equal(await job.run(Date.now() + 60_000), 0, 'nor does the healing job after a restart');
  const received = (await fixture.store.readStream(`volunteer-${receiver}`)).filter(
    (event) => event.type === 'PointsTransferReceived',
  );
  t.equal(received.length, 0, 'the receiver never gets the points the sender has back');
  const state = (await fixture.ledger({ rules }).load('volunteer', sender)).state;
  t.equal(state.availableCentipoints, 200, 'the sender keeps the refund');
});

t.test('a group donation cut short by a crash is credited to the pool by the healing job', async (t) => {
  const fixture = ledgerFixture(t);
  const setup = fixture.ledger();
  const admin = { id: 'admin-1', role: 'administrator' } as const;
  const organiser = { id: 'organiser-1', role: 'organiser', organisationId: 'org1' } as const;
  const hour = 60 * 60 * 1000;
  const at = (hoursAgo: number) => new Date(fixture.clock.nowMs - hoursAgo * hour).toISOString();
  await setup.execute({
    type: 'RegisterOrganisation',
    idempotencyKey: 'org1',
    actor: admin,
    organisationId: 'org1',
    name: 'Qiaoxi service station',
    community: 'qiaoxi',
  });
  await setup.execute({
    type: 'RegisterProject',
    idempotencyKey: 'pr1',
    actor: organiser,
    projectId: 'pr1',
    organisationId: 'org1',
    name: 'Elder care companions',
    leaderId: 'sw-1',
    leaderName: 'Zhang Min',
    leaderContact: '0311-5550123',
  });
  for (const teamId of ['t1', 't2']) {
    await setup.execute({
      type: 'RegisterTeam',
      idempotencyKey: `team-${teamId}`,
      actor: organiser,
      projectId: 'pr1',
      teamId,
      name: `Team ${teamId}`,
    });
    await setup.execute({
      type: 'ConfirmGroupActivity',
      idempotencyKey: `activity-${teamId}`,
      actor: organiser,
      projectId: 'pr1',
      teamId,
      activityId: 'a1',
      activity: 'Cleaning the courtyard together',
      startAt: at(5),
      endAt: at(2),
    });
  }
  const donate = (ledger: typeof setup, teamId: string) =>
    ledger.execute({
      type: 'DonateGroupPoints',
      idempotencyKey: `donate-${teamId}`,
      actor: organiser,
      projectId: 'pr1',
      teamId,
      donationId: 'gd1',
      centipoints: 100,
    });
  // Team t1's donation is credited at once; team t2's, with the same donation id, is cut short.
  await donate(setup, 't1');
  const crashing = fixture.ledger({ store: crashBeforeFirstAppendTo(fixture.store, 'donation-pool') });
  await t.rejects(donate(crashing, 't2'), { code: 'STORE_UNAVAILABLE' });
  const credits = async () =>
    (await fixture.store.readStream('donation-pool'))
      .filter((event) => event.type === 'GroupDonationReceived')
      .map((event) => (event.data as { fromTeamId: string }).fromTeamId);
  t.same(await credits(), ['t1'], "t2's debit is stored, its credit is not");

  const job = reactionHealingJob({
    store: fixture.store,
    ledger: fixture.ledger(),
    checkpoints: memoryCheckpoints(),
  });
  t.equal(await job.run(Date.now() + 60_000), 1, "one credit stored: t2's, not a second of t1's");
  t.same(await credits(), ['t1', 't2'], 'each team has its credit, once');
});

t.test('a checkpoint beyond a restored store is rewound, so new debits there are healed', async (t) => {
  const fixture = ledgerFixture(t);
  const setup = fixture.ledger();
  const sender = await volunteerWithPoints(setup, 10, '13010119900101123');
  const receiver = await volunteerWithPoints(setup, 0, '13010119900202456');
  // The checkpoint of the ledger before the restore, far beyond this store's head.
  const checkpoints = memoryCheckpoints();
  const beyond = (await fixture.store.headPosition()) + 1000n;
  checkpoints.saved.push(beyond);
  const crashing = fixture.ledger({
    store: crashBeforeFirstAppendTo(fixture.store, `volunteer-${receiver}`),
  });
  await t.rejects(
    crashing.execute({
      type: 'TransferPoints',
      idempotencyKey: 'gift-after-restore',
      actor: { id: sender, role: 'volunteer' },
      volunteerId: sender,
      toVolunteerId: receiver,
      centipoints: 300,
    }),
    { code: 'STORE_UNAVAILABLE' },
  );
  const job = reactionHealingJob({ store: fixture.store, ledger: fixture.ledger(), checkpoints });
  t.equal(await job.run(Date.now() + 60_000), 1, 'the credit the crash cut short is stored');
  t.ok(checkpoints.saved.at(-1)! < beyond, 'and the checkpoint follows the store again');
});
