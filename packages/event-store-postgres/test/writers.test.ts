/**
 * PostgreSQL-specific behaviour beyond the contract: several writer processes on one schema,
 * gapless positions seen by a live subscriber, a listener killed by the server, a batch that
 * the database itself rejects, concurrent migrations, and one idempotency key claimed from several.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import pg from 'pg';
import {
  isIdempotencyKeyClaimed,
  verifyStreamChain,
  type ExpectedRevision,
  type RecordedEvent,
} from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore } from '../src/index.js';
import { dropSchema, freshSchemaName, newEvent, openStore } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');

if (url !== undefined) {
  t.test(
    'three writer stores on one schema: gapless positions, every chain verifies, a live reader skips nothing',
    async (t) => {
      const schema = freshSchemaName();
      t.teardown(() => dropSchema(url, schema));
      const writers = await Promise.all([1, 2, 3].map(() => openStore(t, url, { schema })));
      const reader = await openStore(t, url, { schema });
      const subscription = reader.subscribeToAll();
      const iterator = subscription[Symbol.asyncIterator]();
      const first = await iterator.next();
      t.equal(first.done !== true && first.value.kind, 'caught-up');

      // 3 stores × 8 callers each; callers of different stores share streams, so they conflict
      // across processes and retry with the revision they are told.
      const appendsPerCaller = 15;
      const callers = writers.flatMap((store, storeIndex) =>
        Array.from({ length: 8 }, async (_, caller) => {
          const streamName = `shared-${caller % 4}`;
          let expectedRevision: ExpectedRevision = 'any';
          let conflicts = 0;
          for (let append = 0; append < appendsPerCaller;) {
            try {
              const events = [newEvent('Tick', { storeIndex, caller, append }), newEvent('Tock')];
              const result = await store.appendToStream(streamName, events, { expectedRevision });
              expectedRevision = result.nextExpectedRevision;
              append += 1;
            } catch (error) {
              const actual = (error as { actualRevision?: bigint | 'no_stream' }).actualRevision;
              if (actual === undefined) throw error;
              expectedRevision = actual;
              conflicts += 1;
            }
          }
          return conflicts;
        }),
      );
      const total = 3 * 8 * appendsPerCaller * 2;
      const delivered: RecordedEvent[] = [];
      const following = (async () => {
        while (delivered.length < total) {
          const next = await iterator.next();
          if (next.done === true) return;
          if (next.value.kind === 'event') delivered.push(next.value.event);
        }
      })();
      const conflicts = await Promise.all(callers);
      await following;
      t.ok(
        conflicts.reduce((sum, count) => sum + count, 0) > 0,
        'writers of different stores really did conflict',
      );
      t.same(
        delivered.map((event) => event.position),
        Array.from({ length: total }, (_, index) => BigInt(index + 1)),
        'the live subscriber saw positions 1..N with no gap and no repeat',
      );
      for (let stream = 0; stream < 4; stream += 1) {
        const events = await reader.readStream(`shared-${stream}`);
        t.equal(verifyStreamChain(`shared-${stream}`, events).ok, true, `shared-${stream} chain verifies`);
      }
      await subscription.close();
    },
  );

  t.test(
    'a subscription survives pg_terminate_backend of its listener without gap or duplicate',
    async (t) => {
      const store = await openStore(t, url, { limits: { pollIntervalMilliseconds: 60_000 } });
      const subscription = store.subscribeToAll();
      const iterator = subscription[Symbol.asyncIterator]();
      const first = await iterator.next();
      t.equal(first.done !== true && first.value.kind, 'caught-up');
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      t.teardown(() => admin.end());
      const ids: string[] = [];
      const delivered: string[] = [];
      for (let round = 0; round < 3; round += 1) {
        // Find the listening backend the way an operator would, and kill it.
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'timebank-event-store-listener' AND query = $1`,
          [`LISTEN ${pg.escapeIdentifier(store.notificationChannel)}`],
        );
        t.equal(killed.rowCount, 1, `round ${round}: the listening backend was terminated`);
        const events = [newEvent(), newEvent()];
        ids.push(...events.map((event) => event.id));
        await store.appendToStream(`resume-${round}`, events, { expectedRevision: 'no_stream' });
        while (delivered.length < ids.length) {
          const next = await iterator.next();
          if (next.done === true) break;
          if (next.value.kind === 'event') delivered.push(next.value.event.id);
        }
      }
      // The poll interval is a minute, so delivery within the test's time proves the reconnect woke it.
      t.same(delivered, ids, 'every event once, in order, across three killed listeners');
      await subscription.close();
    },
  );

  t.test('an append the database itself rejects fails alone; its batch neighbours commit', async (t) => {
    const schema = freshSchemaName();
    const store = await openStore(t, url, { schema });
    // A rule the adapter cannot know about, as an operator might add: the whole multi-row INSERT
    // of a batch fails on it, and the adapter must retry the batch's appends one by one.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    t.teardown(() => admin.end());
    await admin.query(
      `ALTER TABLE ${pg.escapeIdentifier(schema)}.events ADD CONSTRAINT no_forbidden CHECK (type <> 'Forbidden')`,
    );
    const outcomes = await Promise.allSettled([
      store.appendToStream('ok-1', [newEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream('ok-2', [newEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream('bad-1', [newEvent('Forbidden')], { expectedRevision: 'no_stream' }),
      store.appendToStream('ok-3', [newEvent()], { expectedRevision: 'no_stream' }),
    ]);
    t.same(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      'only the offending append fails',
    );
    const rejected = outcomes[2];
    t.match(rejected?.status === 'rejected' ? String(rejected.reason) : '', /no_forbidden/);
    t.same(
      (await store.readAll()).map((event) => [event.streamName, event.position]),
      [
        ['ok-1', 1n],
        ['ok-2', 2n],
        ['ok-3', 3n],
      ],
      'the neighbours are stored with gapless positions',
    );
  });

  t.test('three writer stores on one schema claim one idempotency key: one wins', async (t) => {
    const schema = freshSchemaName();
    t.teardown(() => dropSchema(url, schema));
    const writers = await Promise.all([1, 2, 3].map(() => openStore(t, url, { schema })));
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const claim = { keyHash: sha256('one key'), requestHash: sha256('one request') };
    const outcomes = await Promise.allSettled(
      writers.flatMap((store, storeIndex) =>
        Array.from({ length: 5 }, (_, caller) =>
          store.appendToStream(`claimer-${storeIndex}-${caller}`, [newEvent('Claimed')], {
            expectedRevision: 'no_stream',
            idempotencyClaim: claim,
          }),
        ),
      ),
    );
    t.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, 'one append stored');
    t.ok(
      outcomes.every((outcome) => outcome.status === 'fulfilled' || isIdempotencyKeyClaimed(outcome.reason)),
      'every other one, from any store, was refused as claimed',
    );
    const stored = await writers[0]!.readIdempotencyClaim(claim.keyHash);
    const events = await writers[0]!.readAll();
    t.equal(events.length, 1, 'one event in the whole store');
    t.equal(stored?.streamName, events[0]?.streamName, 'the claim names the stream that was written');
  });

  t.test('migrations are idempotent and safe to run from several processes at once', async (t) => {
    const schema = freshSchemaName();
    t.teardown(() => dropSchema(url, schema));
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresEventStore({ connectionString: url, schema })),
    );
    await stores[0]?.appendToStream('m-1', [newEvent()], { expectedRevision: 'no_stream' });
    await Promise.all(stores.map((store) => store.close()));
    const reopened = await createPostgresEventStore({ connectionString: url, schema });
    t.equal((await reopened.readStream('m-1')).length, 1, 'reopening keeps the events');
    await reopened.close();
  });

  t.test('a caller-owned pool is used, and left open at close', async (t) => {
    const schema = freshSchemaName();
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    t.teardown(async () => {
      await pool.end();
      await dropSchema(url, schema);
    });
    const store = await createPostgresEventStore({ pool, schema });
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    await iterator.next();
    const event = newEvent();
    await store.appendToStream('pooled-1', [event], { expectedRevision: 'no_stream' });
    const next = await iterator.next();
    t.equal(next.done !== true && next.value.kind === 'event' ? next.value.event.id : undefined, event.id);
    await store.close();
    const left = await pool.query<{ count: string }>(
      `SELECT count(*) AS count FROM ${pg.escapeIdentifier(schema)}.events`,
    );
    t.equal(left.rows[0]?.count, '1', 'the pool still works after the store closed');
  });

  t.test('stored events cannot be updated or deleted', async (t) => {
    const schema = freshSchemaName();
    const store = await openStore(t, url, { schema });
    await store.appendToStream('fixed-1', [newEvent()], { expectedRevision: 'no_stream' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    t.teardown(() => admin.end());
    const table = `${pg.escapeIdentifier(schema)}.events`;
    await t.rejects(admin.query(`UPDATE ${table} SET type = 'Forged'`), /immutable/);
    await t.rejects(admin.query(`DELETE FROM ${table}`), /immutable/);
    t.equal((await store.readStream('fixed-1'))[0]?.type, 'ThingHappened');
  });
}
