/**
 * The relay against the real broker and a real SQLite store: a run with a relay restart in the
 * middle publishes every integration event (at least once; after dedup exactly the store's, in
 * per-volunteer order), kcat reads the messages and headers, and bad input is never published.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { volunteerStream } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { createFileCheckpointStore } from '../src/checkpoint-store.js';
import { createKafkaPublisher } from '../src/kafka-publisher.js';
import { createKafkaRelay, RelayError, type KafkaRelay } from '../src/relay.js';
import { consumeUntil, createTopics, dedupedIds, deleteTopics, messageCount, testKafka } from './consumer.js';
import {
  appendInterleaved,
  domainEvent,
  expectedIds,
  expectedPartnerIds,
  volunteerHistory,
} from './fixtures.js';
import { partnerTopicFor } from '../src/integration-events/catalogue.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

const run = promisify(execFile);
const brokers = requireServerUrl('KAFKA_BROKERS');
/** Partners whose topics each test creates; `acme:east` (a valid ledger id) cannot have one. */
const PARTNERS = ['p1', 'p2'];

interface Setup {
  readonly store: EventStore;
  readonly prefix: string;
  readonly topics: string[];
  /** The topic of one of PARTNERS, created (3 partitions) and deleted with the family topics. */
  partnerTopic(partnerId: string): string;
  readonly checkpointPath: string;
  readonly logLines: Record<string, unknown>[];
  startRelay(onInvalidEvent?: 'stop' | 'skip'): { relay: KafkaRelay; done: Promise<void> };
}

async function setUp(t: Test, brokerList: string): Promise<Setup> {
  const directory = mkdtempSync(join(tmpdir(), 'kafka-relay-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  const prefix = `test-${randomUUID().slice(0, 8)}.`;
  const kafka = testKafka(brokerList);
  const topics = await createTopics(kafka, prefix);
  const partnerTopics = await createTopics(kafka, prefix, PARTNERS);
  t.teardown(() => deleteTopics(kafka, [...topics, ...partnerTopics]));
  const checkpointPath = join(directory, 'checkpoint.json');
  const logLines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line) as never) },
  );
  return {
    store,
    prefix,
    topics,
    partnerTopic: (partnerId) => partnerTopicFor(prefix, partnerId) ?? '',
    checkpointPath,
    logLines,
    startRelay(onInvalidEvent = 'stop') {
      const publisher = createKafkaPublisher({
        brokers: brokerList.split(','),
        clientId: 'relay-test',
        logger,
      });
      const relay = createKafkaRelay({
        store,
        publisher,
        checkpoints: createFileCheckpointStore(checkpointPath),
        logger,
        topicPrefix: prefix,
        onInvalidEvent,
        // Small batches so that a run of a few hundred events spans many checkpoints.
        limits: { batchEventsMax: 25, backoffInitialMs: 100, backoffMaxMs: 1000 },
      });
      const done = relay.run().finally(() => publisher.close());
      return { relay, done };
    },
  };
}

/** Waits until the relay's checkpoint reached the store's head. */
async function caughtUp(relay: KafkaRelay, store: EventStore, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (relay.metrics().checkpointPosition < (await store.headPosition())) {
    if (Date.now() > deadline)
      throw new Error(
        `relay not caught up: ${JSON.stringify(relay.metrics(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (brokers !== undefined) {
  t.test(
    'a relay restarted mid-run publishes every event at least once, in per-volunteer order',
    async (t) => {
      const setup = await setUp(t, brokers);
      // Even volunteers redeem at partner p1, odd ones at p2.
      const histories = new Map(
        Array.from({ length: 6 }, (_, index) => [
          `vol${index}`,
          volunteerHistory(`vol${index}`, 8, PARTNERS[index % 2]),
        ]),
      );
      const firstHalf = new Map([...histories].map(([id, events]) => [id, events.slice(0, 20)]));
      const secondHalf = new Map([...histories].map(([id, events]) => [id, events.slice(20)]));

      const first = setup.startRelay();
      // Appends race the relay; the relay is stopped while it still has work.
      await appendInterleaved(setup.store, firstHalf);
      await first.relay.stop();
      await first.done;
      const stoppedAt = first.relay.metrics().checkpointPosition;
      t.ok(stoppedAt > 0n, `the first relay published up to ${stoppedAt} before it stopped`);

      const appending = appendInterleaved(setup.store, secondHalf);
      const second = setup.startRelay();
      await appending;
      await caughtUp(second.relay, setup.store);
      const metrics = second.relay.metrics();
      await second.relay.stop();
      await second.done;
      t.equal(metrics.lagPositions, 0n, 'no lag once caught up');
      t.equal(metrics.internalTotal > 0, true, 'internal events were read and not published');

      const expected = expectedIds(setup.prefix, histories);
      const wanted = new Set([...expected.values()].flat());
      const messages = await consumeUntil(testKafka(brokers), setup.topics, (received) =>
        [...wanted].every((id) => received.some((message) => message.headers['event-id'] === id)),
      );
      t.ok(messages.length >= wanted.size, `${messages.length} messages for ${wanted.size} events`);
      t.same(
        dedupedIds(messages),
        expected,
        'after dedup: exactly the store events, in per-volunteer order per topic',
      );
      for (const message of messages) {
        const value = JSON.parse(message.value) as { id: string; type: string; position: string };
        t.equal(message.headers['event-id'], value.id);
        t.equal(message.headers['event-type'], value.type);
        t.equal(message.headers['global-position'], value.position);
        t.equal(message.headers['schema-version'], '1');
        t.ok(message.headers['correlation-id'], 'correlation id header');
      }

      // Each partner's topic holds that partner's holds and captures only, in per-volunteer order.
      for (const partnerId of PARTNERS) {
        const partnerExpected = expectedPartnerIds(setup.prefix, partnerId, histories);
        const partnerWanted = new Set([...partnerExpected.values()].flat());
        t.equal(partnerWanted.size, 3 * 8 * 2, `${partnerId}: 3 volunteers × 8 rounds × hold and capture`);
        const received = await consumeUntil(testKafka(brokers), [setup.partnerTopic(partnerId)], (got) =>
          [...partnerWanted].every((id) => got.some((message) => message.headers['event-id'] === id)),
        );
        t.same(dedupedIds(received), partnerExpected, `${partnerId}: after dedup, its events in order`);
        const partnersSeen = new Set(
          received.map(
            (message) => (JSON.parse(message.value) as { data: { partnerId: string } }).data.partnerId,
          ),
        );
        t.same([...partnersSeen], [partnerId], `${partnerId}'s topic carries no other partner's event`);
        const family = new Map(messages.map((message) => [message.headers['event-id'], message]));
        for (const message of received) {
          const original = family.get(message.headers['event-id']);
          t.same(
            { key: message.key, value: message.value, headers: message.headers },
            { key: original?.key, value: original?.value, headers: original?.headers },
            'the same key, value and headers as on timebank.points.v1',
          );
        }
      }

      // kcat (librdkafka) reads the same messages and headers.
      const topic = `${setup.prefix}timebank.points.v1`;
      const { stdout } = await run('kcat', [
        '-C',
        '-b',
        brokers,
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%k\t%h\t%s\n',
      ]);
      const kcatIds = new Set(
        stdout
          .trim()
          .split('\n')
          .map((line) => {
            const [key, headers] = line.split('\t');
            t.match(
              headers,
              /event-type=Points(Earned|Held|Captured),schema-version=1,global-position=\d+,correlation-id=/,
            );
            t.match(key, /^vol\d$/);
            return /event-id=([0-9a-f-]{36})/.exec(headers ?? '')?.[1];
          }),
      );
      const pointsIds = [...expected].filter(([key]) => key.startsWith(topic)).flatMap(([, ids]) => ids);
      t.same([...kcatIds].sort(), [...pointsIds].sort(), 'kcat sees every points event id');
    },
  );

  t.test('an event failing its integration schema is not published; the relay stops (default)', async (t) => {
    const setup = await setUp(t, brokers);
    const good = volunteerHistory('bad1', 1);
    await setup.store.appendToStream(volunteerStream('bad1'), good, { expectedRevision: 'no_stream' });
    const badId = randomUUID();
    const { position: badPosition } = await setup.store.appendToStream(
      volunteerStream('bad1'),
      [
        {
          id: badId,
          type: 'PointsEarned',
          data: { volunteerId: 'bad1', centipoints: -5 },
          metadata: { schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'stream_exists' },
    );
    const after = domainEvent('StarRatingAwarded', {
      idempotencyKey: 'after-bad',
      volunteerId: 'bad1',
      applicationId: 'a1',
      level: 1,
      awardedAt: '2026-03-02T08:00:00.000Z',
      effectiveAt: '2026-03-02T08:00:00.000Z',
    });
    await setup.store.appendToStream(volunteerStream('bad1'), [after], { expectedRevision: 'stream_exists' });

    const { relay, done } = setup.startRelay();
    const error: unknown = await done.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    t.ok(error instanceof RelayError, 'run() rejects with a RelayError');
    t.match(error, { code: 'INTEGRATION_EVENT_INVALID', position: badPosition });
    t.equal(relay.metrics().state, 'failed');
    t.equal(
      relay.metrics().checkpointPosition,
      badPosition - 1n,
      'everything before the bad event is checkpointed',
    );
    t.equal(relay.metrics().invalidTotal, 1);
    const logged = setup.logLines.find((line) => line.eventId === badId);
    t.match(logged, {
      level: 50,
      position: badPosition.toString(),
      eventType: 'PointsEarned',
      issues: /centipoints/,
    });

    const published = good.filter((event) => event.type !== 'ServiceHoursRecorded').map((event) => event.id);
    // run() has rejected, so the relay publishes nothing more: the topics' end offsets are final.
    const stored = await messageCount(testKafka(brokers), setup.topics);
    t.equal(stored, published.length, 'the topics hold one message per event before the bad one');
    const messages = await consumeUntil(
      testKafka(brokers),
      setup.topics,
      (received) => received.length >= stored,
    );
    const ids = messages.map((message) => message.headers['event-id']);
    t.same(
      [...ids].sort(),
      [...published].sort(),
      'the events before it were published, the bad one and later ones not',
    );
  });

  t.test('with onInvalidEvent=skip the bad event is logged and skipped, the rest published', async (t) => {
    const setup = await setUp(t, brokers);
    const good = volunteerHistory('bad2', 1);
    await setup.store.appendToStream(volunteerStream('bad2'), good.slice(0, 3), {
      expectedRevision: 'no_stream',
    });
    const badId = randomUUID();
    await setup.store.appendToStream(
      volunteerStream('bad2'),
      [
        {
          id: badId,
          type: 'PointsHeld',
          data: { volunteerId: 'bad2', holdId: 'h', extra: true },
          metadata: { schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'stream_exists' },
    );
    await setup.store.appendToStream(volunteerStream('bad2'), good.slice(3), {
      expectedRevision: 'stream_exists',
    });
    const { relay, done } = setup.startRelay('skip');
    await caughtUp(relay, setup.store);
    t.equal(relay.metrics().invalidTotal, 1);
    t.match(
      setup.logLines.find((line) => line.eventId === badId),
      { level: 50, msg: /skipped as configured/ },
    );
    await relay.stop();
    await done;
    const published = good.filter((event) => event.type !== 'ServiceHoursRecorded').map((event) => event.id);
    const messages = await consumeUntil(
      testKafka(brokers),
      setup.topics,
      (received) => received.length >= published.length,
    );
    t.same(messages.map((message) => message.headers['event-id']).sort(), [...published].sort());
  });

  t.test(
    "metrics count each event once; copies for partners' topics apart; a ':' partner id is skipped with one warning",
    async (t) => {
      const setup = await setUp(t, brokers);
      const histories = new Map([
        ['volA', volunteerHistory('volA', 2, 'p1')],
        ['volB', volunteerHistory('volB', 2, 'p2')],
        ['volC', volunteerHistory('volC', 2, 'acme:east')],
      ]);
      await appendInterleaved(setup.store, histories);
      const { relay, done } = setup.startRelay();
      await caughtUp(relay, setup.store);
      await relay.stop();
      await done;
      const metrics = relay.metrics();
      t.equal(metrics.publishFailuresTotal, 0, 'nothing was resent, so every count is exact');
      // Per volunteer: registration, then per round confirmation, earning, hold and capture.
      t.equal(metrics.publishedTotal, 3 * (1 + 2 * 4), 'each event counted once, on its family topic');
      t.same(metrics.publishedByType, {
        VolunteerRegistered: 3,
        ServiceHoursConfirmed: 6,
        PointsEarned: 6,
        PointsHeld: 6,
        PointsCaptured: 6,
      });
      t.equal(metrics.partnerPublishedTotal, 2 * 2 * 2, "p1's and p2's holds and captures on their topics");
      t.equal(
        metrics.partnerSkippedTotal,
        2 * 2,
        "acme:east's holds and captures have no topic of their own",
      );
      const warnings = setup.logLines.filter((line) =>
        String(line.msg).includes('cannot name a Kafka topic'),
      );
      t.match(
        warnings,
        [{ level: 40, partnerId: 'acme:east', eventType: 'PointsHeld' }],
        'one warning per run',
      );
      t.equal(warnings.length, 1);
      // The relay has stopped: the topics' end offsets are final.
      t.equal(await messageCount(testKafka(brokers), setup.topics), metrics.publishedTotal);
      for (const partnerId of PARTNERS) {
        t.equal(await messageCount(testKafka(brokers), [setup.partnerTopic(partnerId)]), 4, partnerId);
      }
    },
  );

  // Found over PostgreSQL: after a restore from a backup older than the relay's checkpoint (the
  // data directory kept), the relay went on from its checkpoint, so every new event at a position
  // up to it was never published, while its lag read 0.
  t.test('a checkpoint beyond the store (a restored backup) does not skip the new events', async (t) => {
    const setup = await setUp(t, brokers);
    const histories = new Map([['vol-restored', volunteerHistory('vol-restored', 2)]]);
    await appendInterleaved(setup.store, histories);
    const head = await setup.store.headPosition();
    // The checkpoint of the ledger before the restore: 50 positions further on.
    await createFileCheckpointStore(setup.checkpointPath).save(head + 50n);

    // Written after the restore, before the relay starts: positions its checkpoint has passed.
    const newVolunteer = new Map([['vol-new', volunteerHistory('vol-new', 1)]]);
    await appendInterleaved(setup.store, newVolunteer);
    const relay = setup.startRelay();
    await caughtUp(relay.relay, setup.store);
    const metrics = relay.relay.metrics();
    await relay.relay.stop();
    await relay.done;
    t.ok(
      (await setup.store.headPosition()) < head + 50n,
      'the new events took positions the checkpoint had passed',
    );
    t.equal(metrics.checkpointPosition, await setup.store.headPosition(), 'the checkpoint follows the store');
    t.equal(metrics.lagPositions, 0n);
    const warning = setup.logLines.find((line) => String(line.msg).includes('beyond the store'));
    t.match(warning, { level: 50, checkpointPosition: String(head + 50n) });
    t.match(String(warning?.msg), /publishing everything again from the beginning/);

    const expected = expectedIds(setup.prefix, newVolunteer);
    const wanted = new Set([...expected.values()].flat());
    t.ok(wanted.size > 0);
    const messages = await consumeUntil(testKafka(brokers), setup.topics, (received) =>
      [...wanted].every((id) => received.some((message) => message.headers['event-id'] === id)),
    );
    t.same(
      [...wanted].filter((id) => !messages.some((message) => message.headers['event-id'] === id)),
      [],
      'every event appended after the restore is published',
    );
  });
}
