/**
 * Benchmark of the relay against a real broker, run as a child process by
 * scripts/bench/kafka-relay.ts, which reads the one JSON line it prints:
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 tsx scripts/bench/relay-bench.ts [--quick]
 *
 * prints one JSON line `{ eventsPerSecond, lagP50Ms, lagP99Ms, events, lagEvents }`.
 * 1. Throughput: N PointsEarned events already in a SQLite store; a relay starts from 0 and the
 *    clock runs until its checkpoint reaches the head (every event acknowledged by the broker).
 * 2. Lag: a consumer group is joined, events are appended at a steady rate while the relay
 *    follows live, and each message's lag is consume time − the store's recorded time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import {
  createFileCheckpointStore,
  createKafkaPublisher,
  createKafkaRelay,
  EVENT_FAMILIES,
  topicFor,
} from '@timebank/kafka-relay';

const SIZES = {
  quick: { throughputEvents: 10_000, lagEvents: 2_000, lagEventsPerSecond: 2_000 },
  /** 100,000 events as in the issue; the lag phase runs 10 s at 2,000 events/s, a busy city's peak ×100. */
  full: { throughputEvents: 100_000, lagEvents: 20_000, lagEventsPerSecond: 2_000 },
};
/** Volunteers the events are spread over: enough keys to use every partition evenly. */
const VOLUNTEERS = 1000;
/** Events per append while loading the store; the store's limit is 1,000. */
const LOAD_APPEND_EVENTS = 500;

function pointsEarned(n: number): { stream: string; event: NewEvent } {
  const volunteerId = `v${n % VOLUNTEERS}`;
  return {
    stream: `volunteer-${volunteerId}`,
    event: {
      id: randomUUID(),
      type: 'PointsEarned',
      data: {
        idempotencyKey: `bench-${n}`,
        fromAccount: 'issuance',
        toAccount: `volunteer:${volunteerId}`,
        centipoints: 150,
        volunteerId,
        recordId: `r${n}`,
        policyVersion: 0,
        durationMinutes: 90,
        ratePerHourCentipoints: 100,
        qualityGrade: 'standard',
        qualityMultiplierPercent: 100,
        uncappedCentipoints: 150,
        serviceDay: 20_513,
        expiresAt: null,
        earnedAt: '2026-03-01T10:30:00.000Z',
      },
      metadata: { schemaVersion: 1, correlationId: randomUUID() },
    },
  };
}

/** Appends events n..n+count-1, grouped per stream, with `any` (the bench owns the store). */
async function append(store: EventStore, from: number, count: number): Promise<void> {
  const byStream = new Map<string, NewEvent[]>();
  for (let n = from; n < from + count; n += 1) {
    const { stream, event } = pointsEarned(n);
    byStream.set(stream, [...(byStream.get(stream) ?? []), event]);
  }
  await Promise.all(
    [...byStream].map(([stream, events]) =>
      store.appendToStream(stream, events, { expectedRevision: 'any' }),
    ),
  );
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

// eslint-disable-next-line max-lines-per-function -- not yet split: the throughput and the lag phase share one broker set-up and teardown
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const size = values.quick ? SIZES.quick : SIZES.full;
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const directory = mkdtempSync(join(tmpdir(), 'kafka-relay-bench-'));
  const kafka = new Kafka({ clientId: 'relay-bench', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const logger = pino({ level: 'warn' });
  const topicsCreated: string[] = [];
  try {
    const phase = async (name: string) => {
      const prefix = `bench-${name}-${randomUUID().slice(0, 8)}.`;
      const topics = EVENT_FAMILIES.map((family) => topicFor(prefix, family));
      await admin.createTopics({
        topics: topics.map((topic) => ({ topic, numPartitions: 3 })),
        waitForLeaders: true,
      });
      topicsCreated.push(...topics);
      const store = createSqliteEventStore({ path: join(directory, `${name}.sqlite`) });
      const publisher = createKafkaPublisher({ brokers, clientId: `relay-bench-${name}`, logger });
      const relay = createKafkaRelay({
        store,
        publisher,
        checkpoints: createFileCheckpointStore(join(directory, `${name}.checkpoint.json`)),
        logger,
        topicPrefix: prefix,
      });
      return { prefix, topics, store, publisher, relay };
    };

    // 1. Throughput from a full store.
    const throughput = await phase('throughput');
    for (let n = 0; n < size.throughputEvents; n += LOAD_APPEND_EVENTS) {
      await append(throughput.store, n, Math.min(LOAD_APPEND_EVENTS, size.throughputEvents - n));
    }
    const head = await throughput.store.headPosition();
    const startedMs = performance.now();
    const running = throughput.relay.run();
    while (throughput.relay.metrics().checkpointPosition < head) await sleep(5);
    const seconds = (performance.now() - startedMs) / 1000;
    await throughput.relay.stop();
    await running;
    await throughput.publisher.close();
    await throughput.store.close();

    // 2. End-to-end lag while following live.
    const live = await phase('lag');
    const consumer = kafka.consumer({ groupId: `relay-bench-${randomUUID()}` });
    const lags: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: live.topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const message of batch.messages) {
          const { occurredAt } = JSON.parse(String(message.value)) as { occurredAt: string };
          lags.push(now - Date.parse(occurredAt));
        }
      },
    });
    await joined;
    const liveRun = live.relay.run();
    const perTick = Math.max(1, Math.round(size.lagEventsPerSecond / 100));
    for (let n = 0; n < size.lagEvents; n += perTick) {
      await append(live.store, n, Math.min(perTick, size.lagEvents - n));
      await sleep(10);
    }
    const deadline = Date.now() + 60_000;
    while (lags.length < size.lagEvents && Date.now() < deadline) await sleep(20);
    await consumer.disconnect();
    await live.relay.stop();
    await liveRun;
    await live.publisher.close();
    await live.store.close();
    if (lags.length < size.lagEvents)
      throw new Error(`consumer saw ${lags.length} of ${size.lagEvents} messages`);
    lags.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        events: size.throughputEvents,
        eventsPerSecond: size.throughputEvents / seconds,
        lagEvents: size.lagEvents,
        lagP50Ms: percentile(lags, 0.5),
        lagP99Ms: percentile(lags, 0.99),
      }),
    );
  } finally {
    await admin.deleteTopics({ topics: topicsCreated }).catch(() => undefined);
    await admin.disconnect();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
