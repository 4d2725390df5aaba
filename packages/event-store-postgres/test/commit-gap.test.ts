/**
 * The in-flight commit gap: a reader must never deliver a later position while a transaction that
 * holds an earlier one has not committed, or it would move past that position and skip its event
 * forever (the bug Marten had). These tests force the interleaving instead of hoping for it.
 */
import t from 'tap';
import pg from 'pg';
import { requireServerUrl } from '@timebank/event-store/testing';
import type { RecordedEvent } from '@timebank/event-store';
import { createPostgresEventStore } from '../src/index.js';
import { dropSchema, freshSchemaName, newEvent, openStore, pendingAfter } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');

/** How long "still pending" must hold before we believe it, in milliseconds. */
const SETTLE_MILLISECONDS = 300;

if (url !== undefined) {
  t.test('control: with positions from a plain sequence, a reader can skip an in-flight event', async (t) => {
    const schema = freshSchemaName();
    const table = `${pg.escapeIdentifier(schema)}.log`;
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await Promise.all([a.connect(), b.connect()]);
    t.teardown(async () => {
      await Promise.all([a.end(), b.end()]);
      await dropSchema(url, schema);
    });
    await a.query(
      `CREATE SCHEMA ${pg.escapeIdentifier(schema)}; CREATE TABLE ${table} (position bigserial PRIMARY KEY)`,
    );
    await a.query('BEGIN');
    const early = await a.query<{ position: string }>(
      `INSERT INTO ${table} DEFAULT VALUES RETURNING position`,
    );
    await b.query(`INSERT INTO ${table} DEFAULT VALUES`);
    const seen = await b.query<{ position: string }>(`SELECT position FROM ${table} ORDER BY position`);
    t.same(
      seen.rows.map((row) => row.position),
      ['2'],
      'a reader sees position 2 while position 1 is in flight',
    );
    await a.query('COMMIT');
    const after = await b.query(`SELECT position FROM ${table} WHERE position > 2`);
    t.equal(early.rows[0]?.position, '1');
    t.equal(after.rowCount, 0, 'a reader that checkpointed at 2 never sees position 1');
  });

  t.test(
    'the adapter never lets a later position become visible before an in-flight earlier one',
    async (t) => {
      const schema = freshSchemaName();
      t.teardown(() => dropSchema(url, schema));
      // Writer A holds its first batch open after inserting, until the gate opens.
      let announceInserted: (positions: readonly bigint[]) => void = () => undefined;
      const inserted = new Promise<readonly bigint[]>((resolve) => (announceInserted = resolve));
      let openGate: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      let held = false;
      const writerA = await openStore(t, url, {
        schema,
        hooks: {
          beforeCommit: async (positions) => {
            if (held) return;
            held = true;
            announceInserted(positions);
            await gate;
          },
        },
      });
      // Writer B and the reader are separate stores with their own pools, as other processes would be.
      const writerB = await openStore(t, url, { schema });
      const reader = await openStore(t, url, { schema });
      const subscription = reader.subscribeToAll();
      const iterator = subscription[Symbol.asyncIterator]();
      t.same(
        (await iterator.next()).value,
        { kind: 'caught-up', position: 0n },
        'the reader starts caught up',
      );

      const eventA = newEvent('AHappened');
      const eventB = newEvent('BHappened');
      const appendA = writerA.appendToStream('stream-a', [eventA], { expectedRevision: 'no_stream' });
      t.same(await inserted, [1n], 'A has inserted position 1 and not committed');
      const appendB = writerB.appendToStream('stream-b', [eventB], { expectedRevision: 'no_stream' });

      t.equal(
        await Promise.race([appendB, pendingAfter(SETTLE_MILLISECONDS)]),
        'pending',
        'B is not acknowledged',
      );
      const waiting = await reader.readAll();
      t.same(waiting, [], 'readAll delivers neither event while A is in flight');
      t.equal(await reader.headPosition(), 0n, 'the head has not moved');
      const blocked = await blockedOnAppendLock(url, schema);
      t.ok(blocked >= 1, 'B waits for the append lock held by A, so it cannot take position 2 first');
      const nextMessage = iterator.next();
      t.equal(
        await Promise.race([nextMessage, pendingAfter(SETTLE_MILLISECONDS)]),
        'pending',
        'the subscription delivers nothing while A is in flight',
      );

      openGate();
      const [resultA, resultB] = await Promise.all([appendA, appendB]);
      t.equal(resultA.position, 1n, 'A commits position 1');
      t.equal(resultB.position, 2n, 'B commits position 2, after A');
      const delivered: RecordedEvent[] = [];
      let next = await nextMessage;
      for (;;) {
        if (next.done === true) break;
        if (next.value.kind === 'event') delivered.push(next.value.event);
        if (delivered.length === 2) break;
        next = await iterator.next();
      }
      t.same(
        delivered.map((event) => [event.id, event.position]),
        [
          [eventA.id, 1n],
          [eventB.id, 2n],
        ],
        'the subscription delivers A then B, nothing skipped',
      );
      t.same(
        (await reader.readAll()).map((event) => event.id),
        [eventA.id, eventB.id],
        'readAll returns both, in order',
      );
      await subscription.close();
    },
  );

  t.test('a store refuses a schema name it cannot quote safely', async (t) => {
    await t.rejects(createPostgresEventStore({ connectionString: url, schema: 'Bad-Name' }), /schema/);
  });
}

/**
 * Number of server backends waiting right now for this store's append lock: the advisory lock whose
 * 64-bit key is the events table's oid (high half `classid` 0, low half `objid`).
 */
async function blockedOnAppendLock(connectionString: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const result = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objsubid = 1
          AND objid = $1::regclass::oid`,
      [`${pg.escapeIdentifier(schema)}.events`],
    );
    return result.rows[0]?.count ?? 0;
  } finally {
    await client.end();
  }
}
