/**
 * The broker stops and starts while the relay runs and the ledger keeps appending: the relay
 * backs off with logs, never advances past an unacknowledged event, and afterwards every event
 * is on the broker. The test runs its own broker through scripts/kafka.sh (own run directory and
 * ports), so stopping it cannot disturb other test files that share the default broker.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { pino } from 'pino';
import t from 'tap';
import { createFileCheckpointStore } from '../src/checkpoint-store.js';
import { createKafkaPublisher } from '../src/kafka-publisher.js';
import { createKafkaRelay } from '../src/relay.js';
import { consumeUntil, createTopics, dedupedIds, testKafka } from './consumer.js';
import { appendInterleaved, expectedIds, volunteerHistory } from './fixtures.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

const run = promisify(execFile);
const kafkaScript = fileURLToPath(new URL('../../../scripts/kafka.sh', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// Only the presence of a Kafka setup is needed from the variable; this test starts its own broker.
if (requireServerUrl('KAFKA_BROKERS') !== undefined) {
  t.test('broker stopped and started mid-run: nothing is missing afterwards', async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'kafka-relay-restart-'));
    const port = await freePort();
    const environment = {
      ...process.env,
      KAFKA_RUN_DIR: join(directory, 'broker'),
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
    };
    const kafkaSh = (command: 'start' | 'stop') => run('bash', [kafkaScript, command], { env: environment });
    await kafkaSh('start');
    t.teardown(async () => {
      await kafkaSh('stop');
      rmSync(directory, { recursive: true, force: true });
    });
    const brokers = `127.0.0.1:${port}`;
    const prefix = 'restart.';
    const topics = await createTopics(testKafka(brokers), prefix);

    const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
    t.teardown(() => store.close());
    const logLines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => logLines.push(JSON.parse(line) as never) },
    );
    const publisher = createKafkaPublisher({ brokers: [brokers], clientId: 'restart-test', logger });
    const relay = createKafkaRelay({
      store,
      publisher,
      checkpoints: createFileCheckpointStore(join(directory, 'checkpoint.json')),
      logger,
      topicPrefix: prefix,
      limits: { batchEventsMax: 20, backoffInitialMs: 100, backoffMaxMs: 1000 },
    });
    const done = relay.run();

    const histories = new Map(
      Array.from({ length: 4 }, (_, index) => [`vol${index}`, volunteerHistory(`vol${index}`, 6)]),
    );
    const part = (from: number, to: number) =>
      new Map([...histories].map(([id, events]) => [id, events.slice(from, to)]));
    await appendInterleaved(store, part(0, 10));
    await kafkaSh('stop');
    await appendInterleaved(store, part(10, 20));
    // Give the relay time to notice the broker is gone and back off at least once.
    const deadline = Date.now() + 30_000;
    while (relay.metrics().publishFailuresTotal === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.ok(
      relay.metrics().publishFailuresTotal > 0,
      'the relay saw failed publishes while the broker was down',
    );
    t.equal(relay.metrics().state, 'backing-off');
    const checkpointWhileDown = relay.metrics().checkpointPosition;
    // Two more failed attempts, not a pause: each is a point at which a relay that checkpointed
    // without the broker's acknowledgement would have moved its checkpoint.
    const failuresWhileDown = relay.metrics().publishFailuresTotal;
    while (relay.metrics().publishFailuresTotal < failuresWhileDown + 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.ok(
      relay.metrics().publishFailuresTotal >= failuresWhileDown + 2,
      'the relay tried again while the broker was down',
    );
    t.equal(
      relay.metrics().checkpointPosition,
      checkpointWhileDown,
      'no checkpoint advance without the broker',
    );
    t.ok(checkpointWhileDown < (await store.headPosition()), 'while events wait to be published');
    t.ok(
      logLines.some(
        (line) => line.level === 40 && /backing off/.test(String(line.msg)) && line.toPosition !== undefined,
      ),
      'each failed attempt is logged with the positions it resends',
    );

    await kafkaSh('start');
    await appendInterleaved(store, part(20, Infinity));
    const head = await store.headPosition();
    while (relay.metrics().checkpointPosition < head) {
      if (Date.now() > deadline + 60_000) throw new Error('relay did not catch up after the broker restart');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.equal(relay.metrics().state, 'running');
    t.ok(
      logLines.some((line) => /publish recovered/.test(String(line.msg))),
      'recovery is logged',
    );
    await relay.stop();
    await done;
    await publisher.close();

    const expected = expectedIds(prefix, histories);
    const wanted = new Set([...expected.values()].flat());
    const messages = await consumeUntil(testKafka(brokers), topics, (received) =>
      [...wanted].every((id) => received.some((message) => message.headers['event-id'] === id)),
    );
    t.same(
      dedupedIds(messages),
      expected,
      'every event, once deduplicated, in per-volunteer order per topic',
    );
  });
}
