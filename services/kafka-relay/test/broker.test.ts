/**
 * Proves the broker that scripts/kafka.sh starts is usable by everything the relay relies on:
 * kafkajs' idempotent producer with acks=-1 (needs the transaction state log on one node), a
 * kafkajs consumer group (join, fetch, commit) and kcat, a consumer written with another client,
 * reading the same messages with their keys and headers.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';

const run = promisify(execFile);
const brokers = requireServerUrl('KAFKA_BROKERS');

if (brokers !== undefined) {
  const kafka = new Kafka({
    clientId: 'broker-test',
    brokers: brokers.split(','),
    logLevel: logLevel.WARN,
  });

  t.test('kafkajs idempotent producer, consumer group and kcat agree on messages and headers', async (t) => {
    const topic = `broker-test-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    t.teardown(() => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const sent = Array.from({ length: 30 }, (_, index) => ({
      key: `volunteer-${index % 5}`,
      value: JSON.stringify({ index }),
      headers: { 'event-id': randomUUID(), 'event-type': 'BrokerProbe' },
    }));
    const acknowledged = await producer.send({ topic, acks: -1, messages: sent });
    t.equal(
      acknowledged.reduce((sum, partition) => sum + partition.errorCode, 0),
      0,
      'every partition acknowledged without error',
    );

    const consumer = kafka.consumer({ groupId: `broker-test-${randomUUID()}` });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; index: number; eventId: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('consumer group saw too few messages')), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const { index } = JSON.parse(String(message.value)) as { index: number };
            received.push({
              key: String(message.key),
              index,
              eventId: String(message.headers?.['event-id']),
            });
            if (received.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    t.same(
      received.map((message) => message.eventId).sort(),
      sent.map((message) => message.headers['event-id']).sort(),
      'the consumer group received every message exactly once',
    );
    for (const key of new Set(sent.map((message) => message.key))) {
      const indexes = received.filter((message) => message.key === key).map((message) => message.index);
      t.same(
        indexes,
        [...indexes].sort((a, b) => a - b),
        `${key}: messages arrive in send order`,
      );
    }

    // kcat: librdkafka, not kafkajs. %k key, %h headers (k=v,k=v), %s value; -e exits at the end.
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
    const lines = stdout.trim().split('\n');
    t.equal(lines.length, sent.length, 'kcat reads every message');
    const byEventId = new Map<string, (typeof sent)[number]>(
      sent.map((message) => [message.headers['event-id'], message]),
    );
    for (const line of lines) {
      const [key, headers, value] = line.split('\t');
      const eventId = /event-id=([0-9a-f-]{36})/.exec(headers ?? '')?.[1];
      const original = eventId === undefined ? undefined : byEventId.get(eventId);
      t.ok(original, `kcat sees the event-id header in ${JSON.stringify(headers)}`);
      t.equal(key, original?.key);
      t.equal(value, original?.value);
      t.match(headers, /event-type=BrokerProbe/);
    }
  });
}
