/**
 * Snapshots of folded state, one suite run against both engines that keep them (SQLite's file of
 * its own, PostgreSQL's table): a cold load restores the snapshot and reads only the events after
 * it; a snapshot from another fold, one whose recorded hash is not the stream's, and one whose
 * payload was changed are discarded and the stream folded from its start; a volunteer's snapshot
 * is sealed under their data key and goes with their erasure.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLedger, PersonalKeys, type Ledger, type LedgerOptions } from '@timebank/application';
import { nationalIdCheckCharacter } from '@timebank/domain';
import type { EventStore, SnapshotStore, StoredSnapshot } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { openPersonalKeyStore, openSnapshotStore, type StoreConfig } from '../src/index.js';
import pg from 'pg';

const postgresUrl = requireServerUrl('POSTGRES_URL');
const NATIONAL_ID_KEY = 'test-key-0123456789abcdef0123456789abcdef';
const DESK = { id: 'desk-1', role: 'registration_desk' } as const;
const ORGANISER = { id: 'org-user-1', role: 'organiser', organisationId: 'org-1' } as const;
const NOW_MS = Date.parse('2026-06-01T12:00:00.000Z');
/** Small, so that a few commands make a stream due. */
const EVERY_EVENTS = 5;
const NAME = 'Zhang Xiuying';

interface Engine {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly directory: string;
}

function temporaryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-snapshots-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

async function sqliteEngine(t: Test): Promise<Engine> {
  const directory = temporaryDirectory(t);
  const store = createSqliteEventStore({ path: join(directory, 'ledger.sqlite') });
  const snapshots = (await openSnapshotStore({ engine: 'sqlite', dataDir: directory }))!;
  t.teardown(async () => {
    await snapshots.close();
    await store.close();
  });
  return { store, snapshots, directory };
}

async function postgresEngine(t: Test, url: string): Promise<Engine> {
  const directory = temporaryDirectory(t);
  const schema = `snap_test_${randomBytes(6).toString('hex')}`;
  const store = await createPostgresEventStore({ connectionString: url, schema });
  const snapshots = (await openSnapshotStore({ engine: 'postgres', url, schema }))!;
  t.teardown(async () => {
    await snapshots.close();
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  });
  return { store, snapshots, directory };
}

function ledgerOn(engine: Engine, overrides: Partial<LedgerOptions> = {}): Ledger {
  return createLedger({
    store: engine.store,
    clock: () => NOW_MS,
    nationalIdKey: NATIONAL_ID_KEY,
    snapshots: { store: engine.snapshots, everyEvents: EVERY_EVENTS },
    ...overrides,
  });
}

/** Registers a volunteer and confirms `records` one-hour records; returns the volunteer id. */
async function volunteerWithRecords(ledger: Ledger, records: number, from = 0): Promise<string> {
  const body = '13010119900101123';
  const registered = await ledger.execute({
    type: 'RegisterVolunteer',
    idempotencyKey: 'register',
    actor: DESK,
    name: NAME,
    nationalIdNumber: body + nationalIdCheckCharacter(body),
    phone: '13800000000',
    community: 'community-1',
  });
  const volunteerId = registered.streamName.slice('volunteer-'.length);
  await recordHours(ledger, volunteerId, from, records);
  return volunteerId;
}

async function recordHours(ledger: Ledger, volunteerId: string, from: number, count: number): Promise<void> {
  for (let index = from; index < from + count; index += 1) {
    const startMs = Date.parse('2026-05-01T01:00:00.000Z') + index * 86_400_000;
    const recorded = await ledger.execute({
      type: 'RecordServiceHours',
      idempotencyKey: `record-${index}`,
      actor: ORGANISER,
      volunteerId,
      activity: 'Elder care visits',
      organisationId: 'org-1',
      startAt: new Date(startMs).toISOString(),
      endAt: new Date(startMs + 3_600_000).toISOString(),
    });
    const event = recorded.events[0];
    if (event?.type !== 'ServiceHoursRecorded') throw new Error('expected ServiceHoursRecorded');
    await ledger.execute({
      type: 'ConfirmServiceHours',
      idempotencyKey: `confirm-${index}`,
      actor: ORGANISER,
      volunteerId,
      recordId: event.data.recordId,
    });
  }
}

/** The state a ledger without snapshots folds from the stream's start (the reference). */
async function foldedInFull(engine: Engine, volunteerId: string, overrides: Partial<LedgerOptions> = {}) {
  const ledger = createLedger({
    store: engine.store,
    clock: () => NOW_MS,
    nationalIdKey: NATIONAL_ID_KEY,
    ...overrides,
  });
  return (await ledger.load('volunteer', volunteerId)).state;
}

/** Replaces the stored row with a changed copy (what an intruder or a stale file would leave). */
async function replaceRow(engine: Engine, row: StoredSnapshot): Promise<void> {
  await engine.snapshots.deleteSnapshot(row.streamName);
  await engine.snapshots.writeSnapshots([row]);
}

function snapshotSuite(name: string, open: (t: Test) => Promise<Engine>): void {
  t.test(`${name}: a cold load restores the snapshot and folds only the events after it`, async (t) => {
    const engine = await open(t);
    const writer = ledgerOn(engine);
    const volunteerId = await volunteerWithRecords(writer, 4);
    await writer.flushSnapshots();
    const row = await engine.snapshots.readSnapshot(`volunteer-${volunteerId}`);
    t.ok(row, 'written in the background once the stream had enough events');
    t.ok(writer.snapshotCounters.written >= 1);
    // Commands after the snapshot: the restarted ledger must fold these on top of it.
    await recordHours(writer, volunteerId, 4, 1);
    const head = (await writer.load('volunteer', volunteerId)).revision;
    t.ok(row!.revision < head, 'the stream has events after the snapshot');

    const restarted = ledgerOn(engine);
    const loaded = await restarted.load('volunteer', volunteerId);
    t.equal(restarted.snapshotCounters.restored, 1, 'restored from the snapshot');
    t.equal(loaded.revision, head);
    t.same(loaded.state, await foldedInFull(engine, volunteerId), 'the same state as a full fold');
    t.equal(loaded.state.records.size, 5);
    // And it decides on it: a command on the restored state appends at the right revision.
    await recordHours(restarted, volunteerId, 5, 1);
    t.equal((await restarted.load('volunteer', volunteerId)).state.confirmedMinutes, 6 * 60);
  });

  t.test(`${name}: a snapshot of another fold version is discarded`, async (t) => {
    const engine = await open(t);
    const writer = ledgerOn(engine);
    const volunteerId = await volunteerWithRecords(writer, 4);
    await writer.flushSnapshots();
    const streamName = `volunteer-${volunteerId}`;
    const row = (await engine.snapshots.readSnapshot(streamName))!;
    await replaceRow(engine, { ...row, foldVersion: 'f'.repeat(64) });

    const restarted = ledgerOn(engine);
    const loaded = await restarted.load('volunteer', volunteerId);
    t.same(restarted.snapshotCounters, { restored: 0, discarded: 1, written: 0 });
    t.same(loaded.state, await foldedInFull(engine, volunteerId), 'folded from the start');
    t.equal(await engine.snapshots.readSnapshot(streamName), undefined, 'the stale row is deleted');
    await restarted.flushSnapshots();
    const rewritten = await engine.snapshots.readSnapshot(streamName);
    t.equal(rewritten?.foldVersion, row.foldVersion, 'and replaced by one of this fold');
  });

  t.test(`${name}: a tampered snapshot is discarded`, async (t) => {
    const engine = await open(t);
    const writer = ledgerOn(engine);
    const volunteerId = await volunteerWithRecords(writer, 4);
    await writer.flushSnapshots();
    const streamName = `volunteer-${volunteerId}`;
    const row = (await engine.snapshots.readSnapshot(streamName))!;
    const reference = await foldedInFull(engine, volunteerId);

    // A recorded hash that is not the hash of the stream's event at that revision.
    await replaceRow(engine, { ...row, eventHash: '0'.repeat(64) });
    const first = ledgerOn(engine);
    t.same((await first.load('volunteer', volunteerId)).state, reference, 'wrong hash: folded in full');
    t.same(first.snapshotCounters, { restored: 0, discarded: 1, written: 0 });

    // The right hash, but a payload changed by someone without the MAC key: more hours.
    const text = row.payload.toString('latin1').replace('"confirmedMinutes":240', '"confirmedMinutes":999');
    t.not(text, row.payload.toString('latin1'), 'the test did change the payload');
    await replaceRow(engine, { ...row, payload: Buffer.from(text, 'latin1') });
    const second = ledgerOn(engine);
    const loaded = await second.load('volunteer', volunteerId);
    t.same(second.snapshotCounters, { restored: 0, discarded: 1, written: 0 });
    t.equal(loaded.state.confirmedMinutes, 240, 'changed payload: folded in full');
    t.equal(await engine.snapshots.readSnapshot(streamName), undefined, 'the tampered row is deleted');
  });

  t.test(`${name}: erasure leaves no personal data in snapshots`, async (t) => {
    const engine = await open(t);
    const keyConfig: StoreConfig = { engine: 'sqlite', dataDir: engine.directory };
    const keyStore = await openPersonalKeyStore(keyConfig);
    t.teardown(() => keyStore.close());
    const personalKeys = new PersonalKeys(keyStore, randomBytes(32));
    const writer = ledgerOn(engine, { personalKeys });
    const volunteerId = await volunteerWithRecords(writer, 4);
    await writer.flushSnapshots();
    const streamName = `volunteer-${volunteerId}`;
    const row = (await engine.snapshots.readSnapshot(streamName))!;
    t.notOk(row.payload.includes(Buffer.from(NAME)), 'sealed: the name is not in the stored row');
    t.notOk(row.payload.includes(Buffer.from('13800000000')), 'nor the phone number');
    const restarted = ledgerOn(engine, { personalKeys });
    t.equal((await restarted.load('volunteer', volunteerId)).state.name, NAME, 'opens with the key');
    t.equal(restarted.snapshotCounters.restored, 1);

    await writer.execute({
      type: 'ErasePersonalData',
      idempotencyKey: 'erase',
      actor: { id: 'admin-1', role: 'administrator' },
      volunteerId,
      reason: 'consent_withdrawn',
    });
    await writer.flushSnapshots();
    t.equal(await engine.snapshots.readSnapshot(streamName), undefined, 'the erasure deleted the snapshot');

    // A copy of the row taken before the erasure (a backup) no longer opens: the key is gone.
    await engine.snapshots.writeSnapshots([row]);
    const afterErasure = ledgerOn(engine, { personalKeys });
    const loaded = await afterErasure.load('volunteer', volunteerId);
    t.same(afterErasure.snapshotCounters, { restored: 0, discarded: 1, written: 0 });
    t.not(loaded.state.name, NAME, 'folded from the events, whose fields read as erased');
    t.ok(loaded.state.personalDataErased);
    await afterErasure.flushSnapshots();
    t.equal(
      await engine.snapshots.readSnapshot(streamName),
      undefined,
      'and no new snapshot of the erased volunteer',
    );
  });
}

snapshotSuite('sqlite', sqliteEngine);
if (postgresUrl !== undefined) snapshotSuite('postgres', (t) => postgresEngine(t, postgresUrl));
