/**
 * Restores take turns: after a restart many long streams may be loaded at once, and each
 * snapshot costs milliseconds to check and decode. They run one per turn of the event loop in the
 * order they were asked for, so the first caller does not wait for everyone's decoding and other
 * work (timers, I/O, the group commit) runs between them; a stream without a snapshot does not
 * queue behind them at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqliteSnapshotStore } from '@timebank/event-store-sqlite';
import { ledgerFixture, nationalId, DESK, volunteerWithPoints } from './support/ledger-fixture.js';

t.test('snapshot restores run one per event-loop turn, in order, and restore the folded state', async (t) => {
  const fixture = ledgerFixture(t);
  const directory = mkdtempSync(join(tmpdir(), 'timebank-restore-turns-'));
  const snapshotStore = createSqliteSnapshotStore({ path: join(directory, 'snapshots.sqlite') });
  t.teardown(async () => {
    await snapshotStore.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const snapshots = { store: snapshotStore, everyEvents: 5 };
  const first = fixture.ledger({ snapshots });
  const volunteers: string[] = [];
  for (let index = 0; index < 4; index += 1)
    volunteers.push(await volunteerWithPoints(first, 60, `1301011990010112${index}`));
  // A short stream: registered only, under everyEvents, so it has no snapshot.
  const short = await first.execute({
    type: 'RegisterVolunteer',
    idempotencyKey: 'register-short',
    actor: DESK,
    name: 'Wang Fang',
    nationalIdNumber: nationalId('13010119900101129'),
    phone: '13800000001',
    community: 'community-1',
  });
  const shortId = short.streamName.slice('volunteer-'.length);
  for (const volunteerId of volunteers) await first.load('volunteer', volunteerId);
  await first.flushSnapshots();
  t.ok(
    first.snapshotCounters.written >= volunteers.length,
    'every long stream has a snapshot (the partner stream too)',
  );

  // As after a restart: a new ledger loads every stream at once.
  const restarted = fixture.ledger({ snapshots });
  const log: string[] = [];
  let done = false;
  const tick = (): void => {
    if (done) return;
    log.push('turn');
    setImmediate(tick);
  };
  const loads = volunteers.map(async (volunteerId, index) => {
    const loaded = await restarted.load('volunteer', volunteerId);
    log.push(`restored ${index}`);
    return loaded;
  });
  const shortLoad = restarted.load('volunteer', shortId).then((loaded) => {
    log.push('short');
    return loaded;
  });
  setImmediate(tick);
  const restored = await Promise.all(loads);
  await shortLoad;
  done = true;

  t.equal(restarted.snapshotCounters.restored, volunteers.length, 'each long stream came from its snapshot');
  const order = log.filter((entry) => entry.startsWith('restored'));
  t.same(
    order,
    volunteers.map((_, index) => `restored ${index}`),
    'first asked, first restored',
  );
  const between = log.slice(log.indexOf('restored 0'), log.indexOf(`restored ${volunteers.length - 1}`));
  t.ok(
    between.filter((entry) => entry === 'turn').length >= volunteers.length - 1,
    `other work ran between restores: ${log.join(', ')}`,
  );
  t.ok(
    log.indexOf('short') < log.indexOf(`restored ${volunteers.length - 1}`),
    'a stream without a snapshot did not wait for them',
  );

  // The restored states are the states a full fold gives.
  const folded = fixture.ledger();
  for (const [index, volunteerId] of volunteers.entries()) {
    const full = await folded.load('volunteer', volunteerId);
    t.same(restored[index]?.state, full.state, `volunteer ${index}: restored state equals the full fold`);
    t.equal(restored[index]?.revision, full.revision);
  }
});
