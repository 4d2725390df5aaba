/**
 * No broker answers (KAFKA_BROKERS names a port where nothing listens): the relay backs off and
 * says how far behind it is. Its lag must grow with what is appended meanwhile: an operator
 * alerting on `kafka_relay_lag_positions` would otherwise read "nothing behind" for as long as
 * the broker is down. Needs no broker, so it always runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { volunteerStream } from '@timebank/domain';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { pino } from 'pino';
import t from 'tap';
import { createFileCheckpointStore } from '../src/checkpoint-store.js';
import { createKafkaPublisher } from '../src/kafka-publisher.js';
import { createKafkaRelay, type KafkaRelay } from '../src/relay.js';
import { volunteerHistory } from './fixtures.js';

/** A loopback port where nothing listens: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test('with no broker the relay backs off and its lag counts every event appended', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'kafka-relay-unreachable-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  const logLines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line) as never) },
  );
  const publisher = createKafkaPublisher({
    brokers: [`127.0.0.1:${await closedPort()}`],
    clientId: 'relay-unreachable-test',
    logger,
  });
  const relay: KafkaRelay = createKafkaRelay({
    store,
    publisher,
    checkpoints: createFileCheckpointStore(join(directory, 'checkpoint.json')),
    logger,
    topicPrefix: 'unused.',
    limits: { backoffInitialMs: 50, backoffMaxMs: 100 },
  });
  const done = relay.run().finally(() => publisher.close());
  t.teardown(async () => {
    await relay.stop();
    await done;
  });

  await store.appendToStream(volunteerStream('v1'), volunteerHistory('v1', 1), {
    expectedRevision: 'no_stream',
  });
  await until('a failed publish', () => relay.metrics().publishFailuresTotal >= 1);
  const headBefore = await store.headPosition();
  await until('the lag to cover the first append', () => relay.metrics().lagPositions === headBefore);
  t.equal(relay.metrics().state, 'backing-off');
  t.equal(relay.metrics().checkpointPosition, 0n, 'nothing acknowledged');

  // Appends made while the relay waits behind the unreachable broker count too.
  await store.appendToStream(volunteerStream('v2'), volunteerHistory('v2', 1), {
    expectedRevision: 'no_stream',
  });
  const headAfter = await store.headPosition();
  t.ok(headAfter > headBefore);
  await until('the lag to cover the later append', () => relay.metrics().lagPositions === headAfter);
  t.equal(relay.metrics().headPosition, headAfter);

  const failures = logLines.filter(
    (line) => line.msg === 'kafka publish failed; backing off and resending the batch',
  );
  t.ok(failures.length >= 1, 'each failed attempt is logged');
  t.ok(
    failures.every((line) => line.level === 40),
    'at warn, not error',
  );
  // It said the topics "could not be checked or created … grant the relay Create on them", which
  // sent an operator to the broker's rights when no broker was answering at all.
  const said = JSON.stringify(failures[0]);
  t.match(said, /kafka brokers \S+ do not answer/);
  t.notMatch(said, /grant the relay Create/);
});
