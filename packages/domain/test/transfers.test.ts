import t from 'tap';
import {
  compensate,
  computeBalances,
  isDomainError,
  react,
  type CommandInput,
  type DomainEvent,
} from '../src/index.js';
import { register, VOLUNTEER_ID } from './support/fixtures.js';
import { volunteerWithHours } from './support/points-setup.js';
import { DESK, given, history, SYSTEM, testContext } from './support/scenario.js';
import { decideOn } from './support/scenario.js';

const OTHER_HASH = 'cd'.repeat(32);
const OTHER_ID = 'v' + OTHER_HASH.slice(0, 32);

const transfer = (centipoints: number, toVolunteerId = OTHER_ID): CommandInput => ({
  type: 'TransferPoints',
  idempotencyKey: `transfer-${centipoints}-${toVolunteerId}`,
  actor: { id: VOLUNTEER_ID, role: 'volunteer' },
  volunteerId: VOLUNTEER_ID,
  toVolunteerId,
  centipoints,
});

function receiver(t: Parameters<typeof history>[0]): DomainEvent[] {
  return history(
    t,
    [register({ nationalIdNumber: '110105194912310038' })],
    testContext({ nationalIdHash: OTHER_HASH }),
  );
}

t.test('TransferPoints debits the sender; the reaction credits the receiver once', async (t) => {
  const sender = volunteerWithHours(t, 10);
  const sent = given(t, sender)
    .when(transfer(300))
    .then([
      {
        type: 'PointsTransferSent',
        data: {
          fromAccount: `volunteer:${VOLUNTEER_ID}`,
          toAccount: 'in-transit',
          centipoints: 300,
          toVolunteerId: OTHER_ID,
        },
      },
    ]);
  const [credit] = react(sent[0] as DomainEvent);
  t.match(credit, {
    type: 'ReceivePointsTransfer',
    volunteerId: OTHER_ID,
    fromVolunteerId: VOLUNTEER_ID,
    centipoints: 300,
    actor: SYSTEM,
  });
  const receiverEvents = receiver(t);
  const received = given(t, receiverEvents)
    .when(credit as CommandInput)
    .then([
      {
        type: 'PointsTransferReceived',
        data: { fromAccount: 'in-transit', toAccount: `volunteer:${OTHER_ID}`, centipoints: 300 },
      },
    ]);
  given(t, [...receiverEvents, ...received])
    .when(credit as CommandInput)
    .then([]);
  given(t, [...receiverEvents, ...received])
    .when({ ...(credit as CommandInput), idempotencyKey: 'other-key' })
    .then([]);
  const balances = computeBalances([...sender, ...sent, ...receiverEvents, ...received]);
  t.equal(balances.get('in-transit'), 0, 'nothing left in transit');
  t.equal(balances.get(`volunteer:${OTHER_ID}`), 300);
  given(t, sender)
    .when({ ...transfer(300), actor: SYSTEM })
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('a credit the receiver refuses is refunded to the sender', async (t) => {
  const sender = volunteerWithHours(t, 10);
  const sent = history(t, [transfer(300)], testContext(), sender);
  const [credit] = react(sent.at(-1) as DomainEvent);
  const refused = decideOn([], credit as CommandInput, testContext());
  t.ok(isDomainError(refused) && refused.code === 'VOLUNTEER_NOT_FOUND', 'unknown receiver refuses');
  if (!isDomainError(refused)) return;
  const [refund] = compensate(credit as never, refused);
  t.match(refund, {
    type: 'RefundPointsTransfer',
    volunteerId: VOLUNTEER_ID,
    reasonCode: 'VOLUNTEER_NOT_FOUND',
  });
  const refunded = given(t, sent)
    .when(refund as CommandInput)
    .then([
      {
        type: 'PointsTransferRefunded',
        data: { fromAccount: 'in-transit', toAccount: `volunteer:${VOLUNTEER_ID}`, centipoints: 300 },
      },
    ]);
  given(t, [...sent, ...refunded])
    .when(refund as CommandInput)
    .then([]);
  given(t, [...sent, ...refunded])
    .when({ ...(refund as CommandInput), idempotencyKey: 'again' })
    .then([]);
  t.equal(
    computeBalances([...sent, ...refunded]).get(`volunteer:${VOLUNTEER_ID}`),
    1000,
    'the sender has everything back',
  );
  given(t, sent)
    .when({ ...(refund as CommandInput), transferId: 'no-such-transfer' } as CommandInput)
    .thenFails('TRANSFER_NOT_FOUND');
});

t.test('the receiver refuses a credit above its balance cap or while inactive', async (t) => {
  const receiverEvents = receiver(t);
  const credit = {
    type: 'ReceivePointsTransfer',
    idempotencyKey: 'c1',
    actor: SYSTEM,
    volunteerId: OTHER_ID,
    transferId: 'tr-1',
    fromVolunteerId: VOLUNTEER_ID,
    centipoints: 150_001,
  } as const;
  given(t, receiverEvents).when(credit).thenFails('BALANCE_CAP_EXCEEDED', { balanceCapCentipoints: 150_000 });
  const inactive = history(
    t,
    [
      {
        type: 'DeactivateVolunteer',
        idempotencyKey: 'd',
        actor: DESK,
        volunteerId: OTHER_ID,
        reason: 'moved',
      },
    ],
    testContext(),
    receiverEvents,
  );
  given(t, inactive)
    .when({ ...credit, centipoints: 1 })
    .thenFails('VOLUNTEER_INACTIVE');
  given(t, receiverEvents)
    .when({ ...credit, actor: DESK })
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('transfer rejections', async (t) => {
  const sender = volunteerWithHours(t, 2);
  given(t, sender).when(transfer(300)).thenFails('INSUFFICIENT_POINTS', { availableCentipoints: 200 });
  given(t, sender).when(transfer(100, VOLUNTEER_ID)).thenFails('TRANSFER_TO_SELF');
});

t.test('DonatePoints moves points to the pool through the reaction', async (t) => {
  const donor = volunteerWithHours(t, 10);
  const donate = {
    type: 'DonatePoints',
    idempotencyKey: 'donate-1',
    actor: DESK,
    volunteerId: VOLUNTEER_ID,
    centipoints: 400,
  } as const;
  const donated = given(t, donor)
    .when(donate)
    .then([
      {
        type: 'PointsDonated',
        data: { fromAccount: `volunteer:${VOLUNTEER_ID}`, toAccount: 'in-transit', centipoints: 400 },
      },
    ]);
  const [credit] = react(donated[0] as DomainEvent);
  t.match(credit, { type: 'ReceiveDonation', centipoints: 400, fromVolunteerId: VOLUNTEER_ID });
  const pool = given(t, [])
    .when(credit as CommandInput)
    .then([
      {
        type: 'DonationReceived',
        data: { fromAccount: 'in-transit', toAccount: 'donation-pool', centipoints: 400 },
      },
    ]);
  given(t, pool)
    .when(credit as CommandInput)
    .then([]);
  given(t, [])
    .when({ ...(credit as CommandInput), actor: DESK })
    .thenFails('ACTOR_NOT_PERMITTED');
  t.equal(computeBalances([...donor, ...donated, ...pool]).get('donation-pool'), 400);
  given(t, donor)
    .when({ ...donate, centipoints: 1001 })
    .thenFails('INSUFFICIENT_POINTS');
  given(t, donor)
    .when({ ...donate, source: 'offered' })
    .thenFails('INSUFFICIENT_POINTS', { offeredCentipoints: 0 });
  t.same(react(donor[0] as DomainEvent), [], 'registration causes no reaction');
});
