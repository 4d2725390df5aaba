/**
 * The application API the routes use: `load` folds a stream by family and id, `decide` is a dry
 * run that writes nothing, `execute` writes what the dry run predicted.
 */
import t from 'tap';
import { DomainError } from '@timebank/domain';
import { ADMIN, ledgerFixture, redeem, volunteerWithPoints } from './support/ledger-fixture.js';

t.test('load folds a stream by family and id, with its revision', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const unknown = await ledger.load('volunteer', 'nobody');
  t.equal(unknown.state.status, 'unregistered');
  t.equal(unknown.revision, -1n, 'a stream that does not exist yet');

  const volunteerId = await volunteerWithPoints(ledger, 10);
  const volunteer = await ledger.load('volunteer', volunteerId);
  const stored = await fixture.store.readStream(`volunteer-${volunteerId}`);
  t.equal(volunteer.revision, stored.at(-1)?.revision);
  t.equal(volunteer.state.status, 'active');
  t.equal(volunteer.state.community, 'community-1');

  const partner = await ledger.load('partner', 'partner-1');
  t.equal(partner.state.status, 'active');
  const policy = await ledger.load('policy');
  t.same(policy.state.versions, [], 'no policy change yet: version 0 is the configured one');
  t.equal(policy.revision, -1n);

  const reader = ledger.checkedReader();
  t.equal((await reader.load('volunteer', volunteerId)).revision, volunteer.revision);
  t.equal(ledger.peek('volunteer', volunteerId)?.community, 'community-1', 'a loaded stream is cached');
  t.equal(ledger.peek('organisation', 'org-never-loaded'), undefined);
});

t.test('decide is a dry run: it predicts the events and appends nothing', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 10);
  const head = await fixture.store.headPosition();
  const reads = ledger.streamReads;

  const decided = await ledger.decide(redeem(volunteerId, 'dry-1'));
  if (decided instanceof DomainError) throw decided;
  t.same(
    decided.map((event) => event.type),
    ['PointsHeld', 'PointsCaptured'],
  );
  t.equal(await fixture.store.headPosition(), head, 'nothing was appended');
  t.equal(ledger.streamReads, reads, 'decided on the cached streams');
  t.same(await ledger.decide(redeem(volunteerId, 'dry-1')), decided, 'deciding again decides the same');

  const executed = await ledger.execute(redeem(volunteerId, 'dry-1'));
  t.same(executed.events, decided, 'execute appends what the dry run predicted');
  t.not(await fixture.store.headPosition(), head);
  t.same(await ledger.decide(redeem(volunteerId, 'dry-1')), [], 'a command that took effect decides nothing');
});

t.test(
  'decide returns the rejection instead of throwing it, and decideAll one answer per command',
  async (t) => {
    const fixture = ledgerFixture(t);
    const ledger = fixture.ledger();
    const volunteerId = await volunteerWithPoints(ledger, 10); // 1,000 centipoints
    const head = await fixture.store.headPosition();

    const tooMuch = await ledger.decide(redeem(volunteerId, 'too-much', 150_000));
    t.ok(tooMuch instanceof DomainError);
    t.equal((tooMuch as DomainError).code, 'INSUFFICIENT_POINTS');
    const invalid = await ledger.decide({ ...redeem(volunteerId, 'bad'), centipoints: -5 });
    t.equal((invalid as DomainError).code, 'INVALID_COMMAND', 'an invalid command is a rejection too');

    const decisions = await ledger.decideAll([
      redeem(volunteerId, 'all-1', 100),
      redeem(volunteerId, 'all-2', 150_000),
      {
        type: 'RegisterPartner',
        idempotencyKey: 'partner-2',
        actor: ADMIN,
        partnerId: 'partner-2',
        name: 'Tailor',
        community: 'community-1',
      },
    ]);
    t.equal(decisions.length, 3);
    t.notOk(decisions[0] instanceof DomainError);
    t.equal((decisions[1] as DomainError).code, 'INSUFFICIENT_POINTS');
    t.same(
      (decisions[2] as readonly { type: string }[]).map((event) => event.type),
      ['PartnerRegistered'],
    );
    t.equal(await fixture.store.headPosition(), head, 'nothing was appended');
    t.equal((await ledger.load('partner', 'partner-2')).state.status, 'unregistered');
  },
);

t.test('execute writes, and load sees it at once', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 10);
  const before = await ledger.load('volunteer', volunteerId);
  const result = await ledger.execute(redeem(volunteerId, 'spend'));
  const after = await ledger.load('volunteer', volunteerId);
  t.equal(after.revision, result.revision);
  t.equal(after.revision, before.revision + BigInt(result.events.length));
  t.equal(ledger.conflicts, 0);
});

t.test('loadAsOf folds a stream up to a position, bypassing the cache', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 10);
  const stored = await fixture.store.readStream(`volunteer-${volunteerId}`);
  const first = stored[0]!;
  const asOfFirst = await ledger.loadAsOf({ position: first.position }, 'volunteer', volunteerId);
  t.equal(asOfFirst.revision, 0n);
  t.equal(asOfFirst.position, first.position);
  t.equal(asOfFirst.eventsApplied, 1);
  t.equal(asOfFirst.recordedAtMs, Date.parse(first.recordedAt));
  t.equal(asOfFirst.state.status, 'active', 'registered by its first event');
  const now = await ledger.loadAsOf({}, 'volunteer', volunteerId);
  t.equal(now.revision, (await ledger.load('volunteer', volunteerId)).revision, 'no cut: the whole stream');
  t.not(now.state, (await ledger.load('volunteer', volunteerId)).state, 'its own state, not the cached one');
  const before = await ledger.loadAsOf({ recordedAtMs: Date.parse(first.recordedAt) - 1 }, 'policy');
  t.equal(before.eventsApplied, 0);
  t.equal(before.position, 0n);
});
