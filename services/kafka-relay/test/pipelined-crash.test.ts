/**
 * Several batches pending behind the one on the wire, checkpoint writes coalesced, and a crash in
 * the middle: the broker wrote a batch whose acknowledgement never reached the relay, and nothing
 * after it gets through. Every checkpoint the first relay writes must lie before the first
 * unacknowledged message; the restarted relay resends from there, and a consumer that keeps the
 * first copy of each event id sees every event, in per-volunteer order, none skipped.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { pino } from 'pino';
import t from 'tap';
import { createFileCheckpointStore, type CheckpointStore } from '../src/checkpoint-store.js';
import type { IntegrationMessage } from '../src/integration-events/mapper.js';
import { createKafkaPublisher } from '../src/kafka-publisher.js';
import type { Publisher } from '../src/publisher.js';
import { createKafkaRelay } from '../src/relay.js';
import { consumeUntil, createTopics, dedupedIds, deleteTopics, testKafka } from './consumer.js';
import { appendInterleaved, expectedIds, volunteerHistory } from './fixtures.js';

const brokers = requireServerUrl('KAFKA_BROKERS');

const positionOf = (message: IntegrationMessage): bigint => BigInt(message.headers['global-position'] ?? -1);

/**
 * The real publisher, slowed down so that batches queue up behind it, which crashes after
 * `acknowledgedBeforeCrash` acknowledgements: the next batch reaches the broker but its
 * acknowledgement is lost, and every later call fails without sending anything.
 */
function crashingPublisher(real: Publisher, acknowledgedBeforeCrash: number) {
  const handed: bigint[] = [];
  const acknowledged = new Set<bigint>();
  let acknowledgements = 0;
  let crashed = false;
  const publisher: Publisher = {
    async publish(messages) {
      handed.push(...messages.map(positionOf));
      if (crashed) throw new Error('simulated crash: nothing sent');
      await real.publish(messages);
      if (acknowledgements === acknowledgedBeforeCrash) {
        crashed = true;
        throw new Error('simulated crash: written, acknowledgement lost');
      }
      acknowledgements += 1;
      // Gives the reader time to queue further batches behind this one.
      await sleep(10);
      for (const message of messages) acknowledged.add(positionOf(message));
    },
    close: () => real.close(),
  };
  /** The lowest position handed to the publisher and never acknowledged. */
  const firstUnacknowledged = (): bigint | undefined =>
    handed
      .filter((position) => !acknowledged.has(position))
      .reduce<bigint | undefined>(
        (lowest, position) => (lowest === undefined || position < lowest ? position : lowest),
        undefined,
      );
  return { publisher, firstUnacknowledged, isCrashed: () => crashed };
}

if (brokers !== undefined) {
  t.test(
    'crash with several batches pending: checkpoints never pass a gap; restart skips nothing',
    async (t) => {
      const directory = mkdtempSync(join(tmpdir(), 'kafka-relay-pipelined-'));
      t.teardown(() => rmSync(directory, { recursive: true, force: true }));
      const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
      t.teardown(() => store.close());
      const kafka = testKafka(brokers);
      const prefix = `pipelined-${randomUUID().slice(0, 8)}.`;
      const topics = await createTopics(kafka, prefix);
      t.teardown(() => deleteTopics(kafka, topics));
      const logger = pino({ level: 'silent' });
      const histories = new Map(
        Array.from({ length: 8 }, (_, index) => [`vol${index}`, volunteerHistory(`vol${index}`, 10)]),
      );
      await appendInterleaved(store, histories);
      const head = await store.headPosition();
      const checkpointPath = join(directory, 'checkpoint.json');
      const limits = { batchEventsMax: 10, pendingBatchesMax: 4, backoffInitialMs: 50, backoffMaxMs: 200 };

      // First run: crashes after 8 acknowledged batches, with more batches queued behind.
      const crashing = crashingPublisher(
        createKafkaPublisher({ brokers: brokers.split(','), clientId: 'pipelined-test', logger }),
        8,
      );
      const fileCheckpoints = createFileCheckpointStore(checkpointPath);
      const saves: { position: bigint; firstUnacknowledged: bigint | undefined }[] = [];
      const checkpoints: CheckpointStore = {
        load: () => fileCheckpoints.load(),
        async save(position) {
          saves.push({ position, firstUnacknowledged: crashing.firstUnacknowledged() });
          // A slow disk: acknowledgements arriving meanwhile are coalesced into the next write.
          await sleep(100);
          await fileCheckpoints.save(position);
        },
        rewind: (position) => fileCheckpoints.rewind(position),
      };
      const first = createKafkaRelay({
        store,
        publisher: crashing.publisher,
        checkpoints,
        logger,
        topicPrefix: prefix,
        limits,
      });
      const firstRun = first.run();
      while (!crashing.isCrashed() || first.metrics().publishFailuresTotal < 2) await sleep(10);
      await first.stop();
      await firstRun;
      await crashing.publisher.close();

      const crashedAt = first.metrics().checkpointPosition;
      t.ok(
        saves.length > 0 && saves.length < 8,
        `8 acknowledged batches, ${saves.length} coalesced checkpoint writes`,
      );
      t.ok(crashedAt > 0n && crashedAt < head, `the first relay stopped at ${crashedAt} of ${head}`);
      t.equal(
        await createFileCheckpointStore(checkpointPath).load(),
        crashedAt,
        'the file holds the last checkpoint',
      );
      for (const { position, firstUnacknowledged } of saves) {
        t.ok(
          firstUnacknowledged === undefined || position < firstUnacknowledged,
          `checkpoint ${position} lies before the first unacknowledged message (${firstUnacknowledged})`,
        );
      }
      const lostAcknowledgement = crashing.firstUnacknowledged();
      t.ok(
        lostAcknowledgement !== undefined && crashedAt < lostAcknowledgement,
        'the lost batch lies after the checkpoint',
      );

      // Second run: a fresh relay and producer from the checkpoint file.
      const publisher = createKafkaPublisher({
        brokers: brokers.split(','),
        clientId: 'pipelined-test',
        logger,
      });
      const second = createKafkaRelay({
        store,
        publisher,
        checkpoints: createFileCheckpointStore(checkpointPath),
        logger,
        topicPrefix: prefix,
        limits,
      });
      const secondRun = second.run();
      const deadline = Date.now() + 60_000;
      while (second.metrics().checkpointPosition < head && Date.now() < deadline) await sleep(20);
      await second.stop();
      await secondRun;
      await publisher.close();
      t.equal(second.metrics().checkpointPosition, head, 'the restarted relay reached the head');

      const expected = expectedIds(prefix, histories);
      const wanted = new Set([...expected.values()].flat());
      const messages = await consumeUntil(kafka, topics, (received) => {
        const ids = new Set(received.map((message) => message.headers['event-id']));
        return [...wanted].every((id) => ids.has(id));
      });
      t.ok(
        messages.length > wanted.size,
        `${messages.length} messages for ${wanted.size} events: the tail was resent`,
      );
      t.same(dedupedIds(messages), expected, 'first copies: every event, in per-volunteer order per topic');
    },
  );
}
