/** A kafkajs consumer for the tests: reads topics from the beginning until a condition holds. */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { EVENT_FAMILIES, partnerTopicFor, topicFor } from '../src/integration-events/catalogue.js';

export interface ConsumedMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function testKafka(brokers: string): Kafka {
  return new Kafka({ clientId: 'kafka-relay-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/**
 * Creates the three family topics under `prefix`, or the topics of `partnerIds`, 3 partitions
 * each, and returns their names.
 */
export async function createTopics(
  kafka: Kafka,
  prefix: string,
  partnerIds?: readonly string[],
): Promise<string[]> {
  const topics =
    partnerIds === undefined
      ? EVENT_FAMILIES.map((family) => topicFor(prefix, family))
      : partnerIds.map((partnerId) => partnerTopicFor(prefix, partnerId) ?? '');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })) });
    await leadersElected(admin, topics);
  } finally {
    await admin.disconnect();
  }
  return topics;
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs' own `waitForLeaders` gives up on
 * the first UNKNOWN_TOPIC_OR_PARTITION, which a loaded broker answers for a moment right after
 * creating a topic (a relay test failed so once, under a parallel test run).
 */
async function leadersElected(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready = found.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready && found.length === topics.length) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deletes the topics; best effort (a test's cleanup must not fail the test). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics });
  } catch {
    // The broker may already be gone at the end of a run.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Messages stored in `topics` (the sum of every partition's high watermark, on fresh topics).
 * Once the relay has stopped, this is final: a test can read exactly that many instead of
 * waiting a while to see whether more arrive.
 */
export async function messageCount(kafka: Kafka, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let count = 0;
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) count += Number(partition.high);
    }
    return count;
  } finally {
    await admin.disconnect();
  }
}

/** Consumes `topics` from the beginning in a fresh group until `done(messages)` or the timeout. */
export async function consumeUntil(
  kafka: Kafka,
  topics: string[],
  done: (messages: readonly ConsumedMessage[]) => boolean,
  timeoutMs = 60_000,
): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({ groupId: `kafka-relay-test-${randomUUID()}` });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer timed out after ${timeoutMs} ms with ${messages.length} messages`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            messages.push({ topic, key: String(message.key), value: String(message.value), headers });
            if (done(messages)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** First occurrence of each event id, grouped by `<topic>|<key>` in the order received. */
export function dedupedIds(messages: readonly ConsumedMessage[]): Map<string, string[]> {
  const seen = new Set<string>();
  const byKey = new Map<string, string[]>();
  for (const message of messages) {
    const id = message.headers['event-id'] ?? '';
    if (seen.has(id)) continue;
    seen.add(id);
    const key = `${message.topic}|${message.key}`;
    let ids = byKey.get(key);
    if (ids === undefined) byKey.set(key, (ids = []));
    ids.push(id);
  }
  return byKey;
}
