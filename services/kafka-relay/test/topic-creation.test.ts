/**
 * The publisher creates the topics it sends to instead of relying on the broker's
 * auto-creation, which clusters with ACLs usually switch off (`auto.create.topics.enable=false`):
 * there a partner registered without its topic held back every later event of the city. Its
 * producer asks the broker not to auto-create, so these tests see what such a broker does.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createKafkaPublisher } from '../src/kafka-publisher.js';
import type { IntegrationMessage } from '../src/integration-events/mapper.js';
import { deleteTopics, messageCount, testKafka } from './consumer.js';

const brokers = requireServerUrl('KAFKA_BROKERS');

function capturedLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const message = (topic: string, index: number): IntegrationMessage => ({
  topic,
  key: `volunteer-${index % 3}`,
  value: JSON.stringify({ index }),
  headers: { 'event-id': randomUUID() },
});

if (brokers !== undefined) {
  const kafka = testKafka(brokers);

  t.test('a send to topics that do not exist creates them, with the broker defaults', async (t) => {
    const topics = [`topic-creation-${randomUUID()}`, `topic-creation-${randomUUID()}`];
    t.teardown(() => deleteTopics(kafka, topics));
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const before = new Set(await admin.listTopics());
    t.notOk(
      topics.some((topic) => before.has(topic)),
      'neither topic exists before the send',
    );

    const { logger, lines } = capturedLogger();
    const publisher = createKafkaPublisher({
      brokers: brokers.split(','),
      clientId: 'topic-creation',
      logger,
    });
    t.teardown(() => publisher.close());
    await publisher.publish([message(topics[0]!, 0), message(topics[1]!, 1), message(topics[0]!, 2)]);
    await publisher.publish([message(topics[0]!, 3), message(topics[1]!, 4)]);

    t.equal(await messageCount(kafka, topics), 5, 'every message of both sends is on the new topics');
    const metadata = await admin.fetchTopicMetadata({ topics });
    for (const topic of metadata.topics) {
      // scripts/kafka.sh runs the broker with num.partitions=3 (docs/operations.md).
      t.equal(topic.partitions.length, 3, `${topic.name} has the broker's default partition count`);
    }
    const created = lines.filter((line) => line.msg === 'kafka topics created');
    t.equal(created.length, 1, 'the topics were created once, by the first send');
    t.same(created[0]?.topics, topics, 'the log names the topics created');
  });

  t.test('a topic that cannot be created fails the send, naming it and what to do', async (t) => {
    // A topic name Kafka refuses (over 249 characters): the broker answers INVALID_TOPIC_EXCEPTION.
    const topic = `topic-creation-${'x'.repeat(260)}`;
    const { logger } = capturedLogger();
    const publisher = createKafkaPublisher({
      brokers: brokers.split(','),
      clientId: 'topic-creation',
      logger,
    });
    t.teardown(() => publisher.close());
    const error = await publisher.publish([message(topic, 0)]).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    t.ok(error, 'the send fails');
    t.match(error?.message ?? '', topic, 'the error names the topic');
    t.match(error?.message ?? '', /create them, or grant the relay Create on them \(docs\/operations\.md\)/);
  });
}
