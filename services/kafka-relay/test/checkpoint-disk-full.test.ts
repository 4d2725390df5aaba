/**
 * The relay's checkpoint on a disk that is full (a 1 MiB tmpfs filled by a file; mounting needs
 * root, as CI and the development machine run, and elsewhere the test skips and says why), with
 * the real broker: publishing goes on while every save fails, the relay keeps running and says
 * so in one error line, and once space is freed the checkpoint reaches the head and the relay
 * says it saved again. It used to stop for good on the first failed save.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fillDisk, smallDisk, requireServerUrl } from '@timebank/event-store/testing';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { pino } from 'pino';
import t from 'tap';
import { createFileCheckpointStore } from '../src/checkpoint-store.js';
import { createKafkaPublisher } from '../src/kafka-publisher.js';
import { createKafkaRelay } from '../src/relay.js';
import { consumeUntil, createTopics, deleteTopics, testKafka } from './consumer.js';
import { appendInterleaved, expectedIds, volunteerHistory } from './fixtures.js';

const brokers = requireServerUrl('KAFKA_BROKERS');
const disk = smallDisk('kafka-relay-disk-full-', '1m');
const { directory, small } = disk;
t.teardown(() => disk.cleanup());

/** Polls `condition` every 20 ms for up to 30 s; whether it came true. */
async function eventually(condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (!condition() && Date.now() < deadline) await sleep(20);
  return condition();
}

t.test(
  'a checkpoint that cannot be saved: publishing goes on, the relay keeps running, and saves again once there is space',
  { skip: brokers === undefined ? 'KAFKA_BROKERS is not set' : disk.skip },
  async (t) => {
    const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
    t.teardown(() => store.close());
    const kafka = testKafka(brokers!);
    const prefix = `disk-full-${randomUUID().slice(0, 8)}.`;
    const topics = await createTopics(kafka, prefix);
    t.teardown(() => deleteTopics(kafka, topics));
    const histories = new Map(
      Array.from({ length: 4 }, (_, index) => [`vol${index}`, volunteerHistory(`vol${index}`, 5)]),
    );
    await appendInterleaved(store, histories);
    const head = await store.headPosition();

    const lines: { msg: string; level: number }[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
          done();
        },
      }),
    );
    const filler = join(small, 'filler');
    fillDisk(filler);
    const publisher = createKafkaPublisher({
      brokers: brokers!.split(','),
      clientId: 'disk-full-test',
      logger,
    });
    const relay = createKafkaRelay({
      store,
      publisher,
      checkpoints: createFileCheckpointStore(join(small, 'relay.checkpoint.json')),
      logger,
      topicPrefix: prefix,
      limits: { batchEventsMax: 10, backoffInitialMs: 50, backoffMaxMs: 200 },
    });
    const running = relay.run();
    t.teardown(async () => {
      await relay.stop();
      await running.catch(() => undefined);
      await publisher.close();
    });

    const expected = expectedIds(prefix, histories);
    const wanted = new Set([...expected.values()].flat());
    t.ok(
      await eventually(() => relay.metrics().publishedTotal >= wanted.size),
      `every event published with the disk full (${relay.metrics().publishedTotal} of ${wanted.size})`,
    );
    await sleep(500);
    t.not(relay.metrics().state, 'failed', 'the relay keeps running');
    t.equal(relay.metrics().checkpointPosition, 0n, 'no checkpoint saved');
    t.equal(relay.metrics().lagPositions, head, 'the lag shows it');
    const failures = lines.filter((line) => line.msg.startsWith('kafka relay checkpoint not saved'));
    t.equal(failures.length, 1, 'one error line, not one per retry');
    t.equal(failures[0]?.level, 50, 'at error level');

    rmSync(filler);
    t.ok(
      await eventually(() => relay.metrics().checkpointPosition === head),
      'the checkpoint reaches the head once space is freed',
    );
    t.ok(
      lines.some((line) => line.msg === 'kafka relay checkpoint saved again'),
      'and the relay says so',
    );
    t.equal(
      await createFileCheckpointStore(join(small, 'relay.checkpoint.json')).load(),
      head,
      'in the file',
    );
    const messages = await consumeUntil(kafka, topics, (received) => {
      const ids = new Set(received.map((message) => message.headers['event-id']));
      return [...wanted].every((id) => ids.has(id));
    });
    t.ok(messages.length >= wanted.size, 'every event reached the broker');
  },
);
