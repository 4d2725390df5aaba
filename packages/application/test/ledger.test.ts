import t from 'tap';
import type { DomainEvent } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import { ConcurrencyConflictError } from '../src/command-handler.js';
import { actorLabelOf, idempotencyKeyOf } from '../src/event-metadata.js';
import {
  ADMIN,
  DESK,
  codeOf,
  ledgerFixture,
  nationalId,
  redeem,
  volunteerWithPoints,
} from './support/ledger-fixture.js';
import { beforeFirstAppendTo } from './support/store-doubles.js';
import { earnTwoHoursAfter } from './support/freshness-scenarios.js';

t.test('a command appends its events at the next revision and reports a bigint position', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 20);
  const result = await ledger.execute(redeem(volunteerId, 'redeem-1'));
  t.same(
    result.events.map((event) => event.type),
    ['PointsHeld', 'PointsCaptured'],
  );
  t.type(result.position, 'bigint');
  t.equal(result.position, await fixture.store.headPosition());
  const stream = await fixture.store.readStream(result.streamName);
  t.equal(stream.at(-1)?.revision, result.revision);
  const last = stream.at(-1)!;
  t.equal(idempotencyKeyOf(last), 'redeem-1');
  t.equal(actorLabelOf(last), 'partner:partner-user-1');
  // The data records the key and the actor, so the metadata does not repeat them.
  t.same(last.metadata, { schemaVersion: 1 });
});

t.test(
  'the same command twice has no second effect; a second registration of one ID number is refused',
  async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    const volunteerId = await volunteerWithPoints(ledger, 20);
    await ledger.execute(redeem(volunteerId, 'redeem-once'));
    const head = await fixture.store.headPosition();
    const again = await ledger.execute(redeem(volunteerId, 'redeem-once'));
    t.same(again.events, [], 'a replayed command decides nothing');
    t.equal(again.position, null);
    t.equal(await fixture.store.headPosition(), head, 'nothing was appended');

    const duplicate = ledger.execute({
      type: 'RegisterVolunteer',
      idempotencyKey: 'register-again',
      actor: DESK,
      name: 'Someone Else',
      nationalIdNumber: nationalId('13010119900101123').toLowerCase(),
      phone: '13900000000',
      community: 'community-2',
    });
    t.equal(await codeOf(duplicate), 'VOLUNTEER_ALREADY_REGISTERED');
    t.equal(await fixture.store.headPosition(), head);
  },
);

t.test('invalid input is a coded error and writes nothing', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 10);
  const head = await fixture.store.headPosition();
  t.equal(await codeOf(ledger.execute({ type: 'NoSuchCommand' } as never)), 'INVALID_COMMAND');
  t.equal(
    await codeOf(ledger.execute({ ...redeem(volunteerId, 'bad'), centipoints: -5 })),
    'INVALID_COMMAND',
  );
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'too-much', 150_000))), 'INSUFFICIENT_POINTS');
  t.equal(await fixture.store.headPosition(), head);
});

t.test(
  'concurrent redemptions against one account: exactly as many succeed as the balance allows',
  async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    const volunteerId = await volunteerWithPoints(ledger, 20); // 20 points = 2,000 centipoints
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        codeOf(ledger.execute(redeem(volunteerId, `concurrent-${index}`))),
      ),
    );
    t.equal(outcomes.filter((code) => code === 'OK').length, 20);
    t.equal(outcomes.filter((code) => code === 'INSUFFICIENT_POINTS').length, 40);
    t.equal(ledger.conflicts, 0, 'in one process the stream queue prevents conflicts altogether');
  },
);

t.test('a stale decision never reaches the store: conflict, reload, decide again', async (t) => {
  const fixture = ledgerFixture(t);
  const other = fixture.ledger();
  const volunteerId = await volunteerWithPoints(other, 10); // 1,000 centipoints
  const streamName = `volunteer-${volunteerId}`;
  const racing = fixture.ledger({
    store: beforeFirstAppendTo(fixture.store, streamName, () =>
      other.execute(redeem(volunteerId, 'other-wins', 600)),
    ),
  });
  // The racing ledger decides on 1,000 available, then loses the race to a 600 redemption.
  // Deciding again on the reloaded stream must refuse its 700.
  t.equal(await codeOf(racing.execute(redeem(volunteerId, 'stale', 700))), 'INSUFFICIENT_POINTS');
  t.equal(racing.conflicts, 1);
  const captured = (await fixture.store.readStream(streamName))
    .filter((event) => event.type === 'PointsCaptured')
    .map((event) => idempotencyKeyOf(event));
  t.same(captured, ['other-wins']);
});

t.test('conflicts beyond the retry bound surface as CONCURRENCY_CONFLICT with nothing written', async (t) => {
  const fixture = ledgerFixture(t);
  const other = fixture.ledger();
  const volunteerId = await volunteerWithPoints(other, 10);
  let races = 0;
  const store = fixture.store;
  const alwaysLoses: EventStore = {
    ...beforeFirstAppendTo(store, '', async () => undefined),
    async appendToStream(stream, events, options) {
      races += 1;
      await other.execute(redeem(volunteerId, `interloper-${races}`, 10));
      return store.appendToStream(stream, events, options);
    },
  };
  const racing = fixture.ledger({ store: alwaysLoses, conflictRetriesMax: 2 });
  await t.rejects(racing.execute(redeem(volunteerId, 'never', 10)), ConcurrencyConflictError);
  t.equal(races, 3, 'one attempt and two retries');
  const keys = (await store.readStream(`volunteer-${volunteerId}`)).map((event) => idempotencyKeyOf(event));
  t.notOk(keys.includes('never'));
});

t.test('a transfer is credited by its reaction; a credit that cannot apply is refunded', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const sender = await volunteerWithPoints(ledger, 10, '13010119900101123');
  const receiver = await volunteerWithPoints(ledger, 0, '13010119900202456');
  const sent = await ledger.execute({
    type: 'TransferPoints',
    idempotencyKey: 'gift-1',
    actor: { id: sender, role: 'volunteer' },
    volunteerId: sender,
    toVolunteerId: receiver,
    centipoints: 300,
  });
  t.same(
    sent.reactions.map((reaction) => reaction.events.map((event: DomainEvent) => event.type)),
    [['PointsTransferReceived']],
  );
  const refused = await ledger.execute({
    type: 'TransferPoints',
    idempotencyKey: 'gift-2',
    actor: { id: sender, role: 'volunteer' },
    volunteerId: sender,
    toVolunteerId: 'vnobody',
    centipoints: 200,
  });
  t.same(
    refused.reactions.map((reaction) => reaction.events.map((event: DomainEvent) => event.type)),
    [['PointsTransferRefunded']],
  );
  const donated = await ledger.execute({
    type: 'DonatePoints',
    idempotencyKey: 'donate-1',
    actor: { id: sender, role: 'volunteer' },
    volunteerId: sender,
    centipoints: 100,
  });
  t.equal(donated.reactions[0]?.streamName, 'donation-pool');
});

t.test('the cached fold and a cold fold of the same stream decide alike', async (t) => {
  const fixture = ledgerFixture(t);
  const warm = fixture.ledger();
  const volunteerId = await volunteerWithPoints(warm, 30);
  for (let index = 0; index < 5; index += 1) await warm.execute(redeem(volunteerId, `warm-${index}`));
  const cold = fixture.ledger({ cacheEntriesMax: 0 });
  // 30 points minus 5 redeemed: 25 points left, so 2,500 is redeemable and 2,600 is not, for both.
  t.equal(await codeOf(cold.execute(redeem(volunteerId, 'cold-too-much', 2_600))), 'INSUFFICIENT_POINTS');
  t.equal(await codeOf(warm.execute(redeem(volunteerId, 'warm-too-much', 2_600))), 'INSUFFICIENT_POINTS');
  t.equal(await codeOf(cold.execute(redeem(volunteerId, 'cold-all', 2_500))), 'OK');
  t.equal(await codeOf(warm.execute(redeem(volunteerId, 'warm-one-more', 1))), 'INSUFFICIENT_POINTS');
});

t.test(
  'a points-policy change is decided on its own stream and earns from its effective time on',
  async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    const volunteerId = await volunteerWithPoints(ledger, 0);
    const effectiveFromMs = fixture.clock.nowMs + 3_600_000;
    const changed = await ledger.execute({
      type: 'ChangePointsPolicy',
      idempotencyKey: 'policy-v1',
      actor: { id: 'admin-1', role: 'administrator' },
      effectiveFrom: new Date(effectiveFromMs).toISOString(),
      terms: { ...ledger.rules.initialPointsPolicy, ratePerHourCentipoints: 200 },
    });
    t.equal(changed.streamName, 'policy-points');
    t.same(
      changed.events.map((event) => event.type),
      ['PointsPolicyChanged'],
    );
    fixture.clock.nowMs += 86_400_000;
    t.match(await earnTwoHoursAfter(ledger, volunteerId, effectiveFromMs), {
      policyVersion: 1,
      durationMinutes: 120,
      centipoints: 400,
    });
  },
);

t.test(
  'missing hours are decided against the named organisation and the hierarchy: an unknown one is refused',
  async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    const volunteerId = await volunteerWithPoints(ledger, 1);
    const dispute = (organisationId: string) => ({
      type: 'FileDispute' as const,
      idempotencyKey: `dispute-${organisationId}`,
      actor: ADMIN,
      volunteerId,
      kind: 'missing_hours' as const,
      organisationId,
      text: 'the Sunday clean-up was never recorded',
    });
    const head = await fixture.store.headPosition();
    t.equal(await codeOf(ledger.execute(dispute('org-9'))), 'ORGANISATION_NOT_FOUND');
    t.equal(await fixture.store.headPosition(), head, 'nothing was appended');
    await ledger.execute({
      type: 'RegisterOrganisation',
      idempotencyKey: 'register-org-9',
      actor: ADMIN,
      organisationId: 'org-9',
      name: 'Yuhua Social Work Station',
      community: 'community-1',
    });
    t.equal(await codeOf(ledger.execute(dispute('org-9'))), 'OK', 'once registered, it answers for it');
    t.equal(
      await codeOf(ledger.execute(dispute('community-1'))),
      'OK',
      "the volunteer's own community organises its desk's service",
    );
  },
);
