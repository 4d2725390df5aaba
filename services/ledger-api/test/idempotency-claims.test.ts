/**
 * The idempotency contract on a store that claims keys in the append's transaction: nothing is
 * read before a write, racing processes get one effect and one answer, and claims made as events
 * before claims were rows are still honoured.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { IdempotencyRecords, type ClaimKey } from '../src/http/idempotency.js';
import { portOnly } from '@timebank/event-store/testing';

const directory = mkdtempSync(join(tmpdir(), 'timebank-row-claims-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));
let stores = 0;

function openStore(t: Test) {
  stores += 1;
  const store = createSqliteEventStore({ path: join(directory, `${stores}-${EVENT_STORE_FILE}`) });
  t.teardown(() => store.close());
  return store;
}

const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'ThingHappened',
  data: { n },
  metadata: { schemaVersion: 1 },
});

/** A write as the command handler does it: its events, with the claim `claim` returns, in one append. */
function writeTo(store: EventStore, streamName: string, n: number) {
  return async (claim: ClaimKey | undefined) => {
    const result = await store.appendToStream(streamName, [event(n)], {
      expectedRevision: 'any',
      ...(claim?.(streamName) === undefined ? {} : { idempotencyClaim: claim(streamName)! }),
    });
    return { statusCode: 201, body: { n, position: result.position.toString() } };
  };
}

/** Rebuilds a response as the command routes do: from the events in the claimed stream. */
function rebuildFrom(store: EventStore) {
  return async (streamName: string) => {
    const [first] = await store.readStream(streamName, { maxCount: 1 });
    if (first === undefined) return undefined;
    return { statusCode: 201, body: { n: first.data['n'] ?? null, position: first.position.toString() } };
  };
}

t.test('a write reads nothing first; its repeat and a reuse are answered from the claim row', async (t) => {
  const store = openStore(t);
  let reads = 0;
  const counted: EventStore = Object.assign(Object.create(store) as EventStore, {
    readStream: (...args: Parameters<EventStore['readStream']>) => {
      reads += 1;
      return store.readStream(...args);
    },
  });
  // A cache of zero entries: every repeat goes to the store.
  const records = new IdempotencyRecords({ store: counted, cacheEntriesMax: 0 });
  const first = await records.run({
    scopedKey: 'k:1',
    requestHash: 'a'.repeat(64),
    execute: writeTo(counted, 'volunteer-1', 1),
    rebuild: rebuildFrom(counted),
  });
  t.same(first, { statusCode: 201, body: { n: 1, position: '1' }, replayed: false });
  t.equal(reads, 0, 'the first request read no stream');
  t.same(await store.readAll(), await store.readStream('volunteer-1'), 'no idempotency stream was written');

  const repeat = await records.run({
    scopedKey: 'k:1',
    requestHash: 'a'.repeat(64),
    execute: writeTo(counted, 'volunteer-1', 2),
    rebuild: rebuildFrom(counted),
  });
  t.same(repeat, { ...first, replayed: true }, 'the repeat, refused by the store, answers the original');
  const reused = await records
    .run({
      scopedKey: 'k:1',
      requestHash: 'b'.repeat(64),
      execute: writeTo(counted, 'volunteer-1', 3),
      rebuild: rebuildFrom(counted),
    })
    .catch((error: unknown) => (error as { code?: string }).code);
  t.equal(reused, 'IDEMPOTENCY_KEY_REUSED');
  t.equal((await store.readStream('volunteer-1')).length, 1, 'one effect');
});

t.test('two processes racing one key: one effect, the same answer for both', async (t) => {
  const store = openStore(t);
  const processes = [1, 2, 3, 4].map(() => new IdempotencyRecords({ store, cacheEntriesMax: 10 }));
  const answers = await Promise.all(
    processes.map((records, index) =>
      records.run({
        scopedKey: 'k:race',
        requestHash: 'c'.repeat(64),
        execute: writeTo(store, 'volunteer-2', index),
        rebuild: rebuildFrom(store),
      }),
    ),
  );
  t.equal((await store.readStream('volunteer-2')).length, 1, 'exactly one write stored');
  t.equal(answers.filter((answer) => !answer.replayed).length, 1, 'one ran, the others replayed');
  t.equal(new Set(answers.map((answer) => JSON.stringify(answer.body))).size, 1, 'all with the same body');
});

t.test('a claim stored as an event before claims were rows still answers a repeat', async (t) => {
  const store = openStore(t);
  // The previous release's way, as on EventStoreDB: a claim event beside the command's append.
  const older = portOnly(store);
  const before = await new IdempotencyRecords({ store: older, cacheEntriesMax: 0 }).run({
    scopedKey: 'k:old',
    requestHash: 'd'.repeat(64),
    execute: writeTo(older, 'volunteer-3', 7),
    rebuild: rebuildFrom(older),
  });
  t.ok(
    (await store.readAll()).some((recorded) => recorded.type === 'IdempotencyKeyClaimed'),
    'claimed as an event',
  );

  const upgraded = new IdempotencyRecords({ store, cacheEntriesMax: 0 });
  // The domain recognises the repeated command and appends nothing: the write fails without a claim.
  const repeat = await upgraded.run({
    scopedKey: 'k:old',
    requestHash: 'd'.repeat(64),
    execute: async () => {
      throw new Error('already applied');
    },
    rebuild: rebuildFrom(store),
  });
  t.same(repeat, { ...before, replayed: true }, 'answered from the old claim event');
  const failed = await upgraded
    .run({
      scopedKey: 'k:new',
      requestHash: 'd'.repeat(64),
      execute: async () => {
        throw new Error('rejected by the domain');
      },
      rebuild: rebuildFrom(store),
    })
    .catch((error: unknown) => (error as Error).message);
  t.equal(failed, 'rejected by the domain', 'a failed write with an unclaimed key fails as it did');
});
