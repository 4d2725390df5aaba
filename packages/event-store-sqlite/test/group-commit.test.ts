import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { isWrongExpectedVersion, verifyStreamChain } from '@timebank/event-store';
import type { SubscriptionMessage } from '@timebank/event-store';
import { newEvent } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-group-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

t.test('concurrent appends share transactions, each with its own revision check', async (t) => {
  const store = createSqliteEventStore({ path: join(directory, 'batching.db') });
  t.teardown(() => store.close());
  const callers = 50;
  const rounds = 10;
  const conflicts: unknown[] = [];
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      let expectedRevision: bigint | 'no_stream' = 'no_stream';
      for (let round = 0; round < rounds; round += 1) {
        const result = await store.appendToStream(`caller-${caller}`, [newEvent(round)], {
          expectedRevision,
        });
        expectedRevision = result.nextExpectedRevision;
        // Every fifth caller also sends a stale append that must fail alone, inside the same batch.
        if (caller % 5 === 0) {
          await store
            .appendToStream(`caller-${caller}`, [newEvent(-1)], { expectedRevision: 'no_stream' })
            .catch((error: unknown) => conflicts.push(error));
        }
      }
    }),
  );
  const stats = store.groupCommitStats();
  t.equal(conflicts.length, (callers / 5) * rounds, 'every stale append was refused');
  t.ok(conflicts.every(isWrongExpectedVersion), 'as conflicts');
  t.equal(stats.appends, callers * rounds + conflicts.length, 'every append went through group commit');
  t.ok(
    stats.transactions <= stats.appends / 10,
    `${stats.appends} appends in ${stats.transactions} transactions: batched`,
  );
  for (let caller = 0; caller < callers; caller += 1) {
    const events = await store.readStream(`caller-${caller}`);
    if (events.length !== rounds || !verifyStreamChain(`caller-${caller}`, events).ok) {
      t.fail(`caller-${caller} has ${events.length} events or a broken chain`);
    }
  }
});

t.test('a commit by another connection reaches a waiting subscription by polling', async (t) => {
  const path = join(directory, 'two-writers.db');
  const reader = createSqliteEventStore({ path, pollIntervalMs: 10 });
  const writer = createSqliteEventStore({ path });
  t.teardown(async () => {
    await reader.close();
    await writer.close();
  });
  const subscription = reader.subscribeToAll();
  const iterator = subscription[Symbol.asyncIterator]();
  t.same((await iterator.next()).value, { kind: 'caught-up', position: 0n });
  const received: SubscriptionMessage[] = [];
  const pullOne = async (): Promise<void> => {
    const next = await iterator.next();
    if (next.done !== true) received.push(next.value);
  };
  // Only polling can deliver this one: the commit happens on another connection.
  await writer.appendToStream('other-1', [newEvent(1)], { expectedRevision: 'no_stream' });
  await pullOne();
  await reader.appendToStream('local-1', [newEvent(2)], { expectedRevision: 'no_stream' });
  await writer.appendToStream('other-1', [newEvent(3)], { expectedRevision: 0n });
  await pullOne();
  await pullOne();
  t.same(
    received.map((message) =>
      message.kind === 'event' ? [message.event.position, message.event.data.n] : [],
    ),
    [
      [1n, 1],
      [2n, 2],
      [3n, 3],
    ],
    'both writers share one position sequence; the subscriber sees all three in order',
  );
  t.equal(
    isWrongExpectedVersion(
      await writer
        .appendToStream('local-1', [newEvent(4)], { expectedRevision: 'no_stream' })
        .catch((error: unknown) => error),
    ),
    true,
    'revision checks see the other connection’s commits',
  );
  await subscription.close();
});
