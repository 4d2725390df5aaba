import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { verifyStreamChain } from '@timebank/event-store';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore, type SchemaMigrationProgress } from '../src/index.js';
import { toVersion3Layout } from '../src/testing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-migration-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A closed version-3 store at `path` holding `events` events in 30 streams. */
async function writeVersion3Store(path: string, events: number): Promise<void> {
  const store = createSqliteEventStore({ path });
  const revisions = new Map<string, bigint>();
  for (let n = 0; n < events; n += 50) {
    const stream = `volunteer-${(n / 50) % 30}`;
    const batch = Array.from({ length: Math.min(50, events - n) }, (_, index) => newEvent(n + index));
    const appended = await store.appendToStream(stream, batch, {
      expectedRevision: revisions.get(stream) ?? 'no_stream',
    });
    revisions.set(stream, appended.nextExpectedRevision);
  }
  await store.close();
  toVersion3Layout(path);
}

t.test('a version-1 store is migrated on open: its events stay, claims start empty', async (t) => {
  const path = join(directory, 'version-1.db');
  // A store as the previous release left it: drop the claims table and stamp version 1.
  const before = createSqliteEventStore({ path });
  const first = await before.appendToStream('old-stream', [newEvent(1)], { expectedRevision: 'no_stream' });
  await before.close();
  toVersion3Layout(path);
  const raw = new Database(path);
  raw.exec('DROP TABLE idempotency_claims');
  raw.pragma('user_version = 1');
  raw.close();

  const store = createSqliteEventStore({ path });
  t.teardown(() => store.close());
  const reopened = new Database(path, { readonly: true });
  t.equal(reopened.pragma('user_version', { simple: true }), 4, 'stamped with the new version');
  t.ok(
    reopened.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'idempotency_claims'").get(),
    'the claims table exists',
  );
  reopened.close();
  t.equal((await store.readStream('old-stream')).length, 1, 'the old events are read as before');
  t.equal(await store.readIdempotencyClaim(sha256('old')), undefined, 'no claims yet');
  const claim = { keyHash: sha256('new'), requestHash: sha256('request') };
  const next = await store.appendToStream('old-stream', [newEvent(2)], {
    expectedRevision: first.nextExpectedRevision,
    idempotencyClaim: claim,
  });
  t.same(await store.readIdempotencyClaim(claim.keyHash), { ...claim, streamName: 'old-stream', ...next });
});

t.test(
  'a version-2 store is migrated on open: its claims keep answering, keyed by position now',
  async (t) => {
    const path = join(directory, 'version-2.db');
    const before = createSqliteEventStore({ path });
    const first = await before.appendToStream('claimed-stream', [newEvent(1), newEvent(2)], {
      expectedRevision: 'no_stream',
    });
    await before.close();
    toVersion3Layout(path);
    // The previous release's claims table: keyed by the key hash, the stream and revision copied.
    const raw = new Database(path);
    raw.exec(`DROP TABLE idempotency_claims;
    CREATE TABLE idempotency_claims (
      key_hash BLOB PRIMARY KEY, request_hash BLOB NOT NULL, stream_name TEXT NOT NULL,
      revision INTEGER NOT NULL, position INTEGER NOT NULL) STRICT, WITHOUT ROWID;`);
    const old = { keyHash: sha256('old key'), requestHash: sha256('old request') };
    raw
      .prepare('INSERT INTO idempotency_claims VALUES (?, ?, ?, ?, ?)')
      .run(
        Buffer.from(old.keyHash, 'hex'),
        Buffer.from(old.requestHash, 'hex'),
        'claimed-stream',
        first.nextExpectedRevision,
        first.position,
      );
    raw.pragma('user_version = 2');
    raw.close();

    const store = createSqliteEventStore({ path });
    t.teardown(() => store.close());
    const reopened = new Database(path, { readonly: true });
    t.equal(reopened.pragma('user_version', { simple: true }), 4, 'stamped with the new version');
    t.same(
      reopened.prepare('SELECT position FROM idempotency_claims').pluck().all(),
      [Number(first.position)],
      'the claim is keyed by where its append ended',
    );
    reopened.close();
    t.same(await store.readIdempotencyClaim(old.keyHash), {
      ...old,
      streamName: 'claimed-stream',
      ...first,
    });
    t.equal(await store.readIdempotencyClaim(sha256('other key')), undefined);
    const claim = { keyHash: sha256('new key'), requestHash: sha256('new request') };
    const next = await store.appendToStream('claimed-stream', [newEvent(3)], {
      expectedRevision: first.nextExpectedRevision,
      idempotencyClaim: claim,
    });
    t.same(await store.readIdempotencyClaim(claim.keyHash), {
      ...claim,
      streamName: 'claimed-stream',
      ...next,
    });
  },
);

t.test(
  'a populated version-3 store is migrated on open: every event reads as before and its chain verifies',
  async (t) => {
    const path = join(directory, 'version-3.db');
    const before = createSqliteEventStore({ path });
    const claim = { keyHash: sha256('v3 key'), requestHash: sha256('v3 request') };
    let n = 0;
    for (let round = 0; round < 3; round += 1) {
      for (const stream of ['volunteer-a', 'volunteer-b', 'partner-c']) {
        n += 2;
        await before.appendToStream(stream, [newEvent(n - 1), newEvent(n)], {
          expectedRevision: round === 0 ? 'no_stream' : BigInt(round * 2 - 1),
          ...(round === 1 && stream === 'partner-c' ? { idempotencyClaim: claim } : {}),
        });
      }
    }
    const claimed = await before.readIdempotencyClaim(claim.keyHash);
    const stored = await before.readAll();
    await before.close();
    toVersion3Layout(path);
    // An edit the auditor must still see after the migration: an id and a hash with no dense form.
    const raw = new Database(path);
    raw
      .prepare(
        "UPDATE events SET hash = 'edited', id = 'edited-id' WHERE stream_name = 'volunteer-b' AND revision = 1",
      )
      .run();
    t.equal(raw.prepare('SELECT typeof(id) FROM events LIMIT 1').pluck().get(), 'text', 'a text layout');
    raw.close();

    const store = createSqliteEventStore({ path });
    t.teardown(() => store.close());
    const migrated = await store.readAll();
    const edited = stored.map((event) =>
      event.streamName === 'volunteer-b' && event.revision === 1n
        ? { ...event, id: 'edited-id', hash: 'edited' }
        : event,
    );
    t.same(migrated, edited, 'every field of every event as before, the edit included');
    t.same(await store.readIdempotencyClaim(claim.keyHash), claimed, 'the claim answers as before');
    for (const stream of ['volunteer-a', 'partner-c']) {
      t.match(verifyStreamChain(stream, await store.readStream(stream)), { ok: true, count: 6 }, stream);
    }
    t.match(
      verifyStreamChain('volunteer-b', await store.readStream('volunteer-b')),
      { ok: false, revision: 1n },
      'the edited stream fails verification where it was edited',
    );
    const next = await store.appendToStream('volunteer-a', [newEvent(100)], { expectedRevision: 5n });
    t.equal(next.nextExpectedRevision, 6n, 'appends go on from the migrated head');
    t.match(verifyStreamChain('volunteer-a', await store.readStream('volunteer-a')), { ok: true, count: 7 });
    const reopened = new Database(path, { readonly: true });
    t.equal(reopened.pragma('user_version', { simple: true }), 4, 'stamped with the new version');
    t.same(
      reopened
        .prepare('SELECT DISTINCT typeof(id), typeof(recorded_at), typeof(hash) FROM events ORDER BY 3')
        .raw()
        .all(),
      [
        ['blob', 'integer', 'blob'],
        ['text', 'integer', 'text'],
      ],
      'dense forms, and the edited id and hash kept as the text they were',
    );
    t.same(
      reopened.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '%_v3'").pluck().all(),
      [],
      'the old tables are gone',
    );
    reopened.close();
  },
);

t.test('a migration reports its start, its progress and its finish', async (t) => {
  const path = join(directory, 'version-3-progress.db');
  await writeVersion3Store(path, 3000);

  const records: SchemaMigrationProgress[] = [];
  const store = createSqliteEventStore({
    path,
    migration: { everyEvents: 500, onProgress: (progress) => records.push(progress) },
  });
  t.teardown(() => store.close());
  t.match(records[0], { phase: 'start', fromVersion: 3, toVersion: 4, events: 3000, streams: 30 });
  const progress = records.filter((record) => record.phase === 'progress');
  t.same(
    progress.map((record) => record.eventsDone),
    [500, 1000, 1500, 2000, 2500],
    'a progress record every 500 events, none once all are copied',
  );
  t.ok(
    progress.every((record) => record.events === 3000 && record.eventsPerSecond > 0),
    'each with the total and a rate',
  );
  t.match(records.at(-1), { phase: 'finish', fromVersion: 3, toVersion: 4, events: 3000 });
  t.equal(records.length, 7, 'start, five progress records, finish');
  t.equal((await store.readAll({ maxCount: 5000 })).length, 3000, 'every event migrated');

  const quiet: SchemaMigrationProgress[] = [];
  const reopened = createSqliteEventStore({ path, migration: { onProgress: (p) => quiet.push(p) } });
  await reopened.close();
  t.same(quiet, [], 'a store at the current version is not migrated again, and says nothing');
});
