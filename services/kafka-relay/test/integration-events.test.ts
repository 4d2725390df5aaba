/**
 * The integration event contract without a broker: what each domain event becomes (read back
 * from a real SQLite store), that identity data never leaves, that invalid data is refused, that
 * docs/events.md is current, plus the checkpoint file and the configuration.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { volunteerStream } from '@timebank/domain';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import t from 'tap';
import { createFileCheckpointStore } from '../src/checkpoint-store.js';
import { parseConfig } from '../src/config.js';
import { INTEGRATION_EVENTS, partnerTopicFor } from '../src/integration-events/catalogue.js';
import { mapEvent } from '../src/integration-events/mapper.js';
import { renderEventsDoc } from '../src/integration-events/events-doc.js';
import { createServiceRecordFinder } from '../src/service-record-finder.js';
import { domainEvent, volunteerHistory } from './fixtures.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

function temporaryDirectory(t: { teardown(fn: () => void): void }): string {
  const directory = mkdtempSync(join(tmpdir(), 'kafka-relay-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

t.test('each domain event maps to its integration event, validated and without identity data', async (t) => {
  const store = createSqliteEventStore({ path: join(temporaryDirectory(t), EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  const history = volunteerHistory('v1', 1);
  await store.appendToStream(volunteerStream('v1'), history, { expectedRevision: 'no_stream' });
  const recorded = await store.readAll();
  const findRecord = createServiceRecordFinder(store);
  const results = await Promise.all(recorded.map(async (event) => mapEvent(event, 'test.', findRecord)));
  t.same(
    results.map((result) => (result.kind === 'publish' ? result.message.headers['event-type'] : result.kind)),
    [
      'VolunteerRegistered',
      'internal',
      'ServiceHoursConfirmed',
      'PointsEarned',
      'PointsHeld',
      'PointsCaptured',
    ],
  );
  for (const [index, result] of results.entries()) {
    if (result.kind !== 'publish') continue;
    const event = recorded[index]!;
    const value = JSON.parse(result.message.value) as {
      id: string;
      type: string;
      data: Record<string, unknown>;
    };
    t.equal(result.message.key, 'v1', 'keyed by volunteer id');
    t.equal(value.id, event.id, 'the value carries the event id');
    t.same(result.message.headers, {
      'event-id': event.id,
      'event-type': value.type,
      'schema-version': '1',
      'global-position': event.position.toString(),
      'correlation-id': event.metadata.correlationId,
    });
    const text = result.message.value;
    for (const secret of ['Li Wei', 'ab'.repeat(32), '1301**********1234', '+8613800000000', 'Nv1']) {
      t.notOk(text.includes(secret), `${value.type} does not carry ${secret}`);
    }
  }
  const confirmed = results[2];
  t.match(confirmed?.kind === 'publish' ? JSON.parse(confirmed.message.value) : undefined, {
    data: { durationMinutes: 60, organisationId: 'org1', recordId: 'r0', qualityGrade: 'good' },
  });
  t.equal(confirmed?.kind === 'publish' ? confirmed.message.topic : '', 'test.timebank.service-records.v1');
});

t.test(
  "a hold and its outcomes go also to the partner's own topic, identical; other events do not",
  async (t) => {
    const store = createSqliteEventStore({ path: join(temporaryDirectory(t), EVENT_STORE_FILE) });
    t.teardown(() => store.close());
    const actor = (partnerId: string) => ({ id: `${partnerId}-user`, role: 'partner', partnerId });
    const movement = (fromAccount: string, toAccount: string) => ({
      fromAccount,
      toAccount,
      centipoints: 100,
    });
    const outcomes = (partnerId: string, holdId: string) => [
      domainEvent('PointsHeld', {
        idempotencyKey: `hold-${holdId}`,
        ...movement('volunteer:v1', 'held:v1'),
        volunteerId: 'v1',
        holdId,
        partnerId,
        offerId: 'meal',
        heldAt: '2026-03-01T08:00:00.000Z',
        expiresAt: '2026-03-01T09:00:00.000Z',
        actor: actor(partnerId),
      }),
      domainEvent('PointsCaptured', {
        idempotencyKey: `capture-${holdId}`,
        ...movement('held:v1', `partner:${partnerId}`),
        volunteerId: 'v1',
        holdId,
        partnerId,
        capturedAt: '2026-03-01T08:10:00.000Z',
        actor: actor(partnerId),
      }),
      domainEvent('PointsReleased', {
        idempotencyKey: `release-${holdId}`,
        ...movement('held:v1', 'volunteer:v1'),
        volunteerId: 'v1',
        holdId,
        partnerId,
        releasedAt: '2026-03-01T08:10:00.000Z',
        actor: actor(partnerId),
      }),
      domainEvent('PointsHoldExpired', {
        idempotencyKey: `expire-${holdId}`,
        ...movement('held:v1', 'volunteer:v1'),
        volunteerId: 'v1',
        holdId,
        partnerId,
        expiredAt: '2026-03-01T09:00:00.000Z',
      }),
    ];
    const history = volunteerHistory('v1', 1);
    await store.appendToStream(
      volunteerStream('v1'),
      [...history, ...outcomes('canteen.north-2', 'h7'), ...outcomes('acme:east', 'h8')],
      { expectedRevision: 'no_stream' },
    );
    const findRecord = createServiceRecordFinder(store);
    const results = await Promise.all(
      (await store.readAll()).map(async (event) => mapEvent(event, 'test.', findRecord)),
    );
    const published = results.filter((result) => result.kind === 'publish');
    t.same(
      published.map((result) => [result.message.headers['event-type'], result.partnerMessage?.topic ?? null]),
      [
        ['VolunteerRegistered', null],
        ['ServiceHoursConfirmed', null],
        ['PointsEarned', null],
        ['PointsHeld', 'test.timebank.partner.p1.points.v1'],
        ['PointsCaptured', 'test.timebank.partner.p1.points.v1'],
        ['PointsHeld', 'test.timebank.partner.canteen.north-2.points.v1'],
        ['PointsCaptured', 'test.timebank.partner.canteen.north-2.points.v1'],
        ['PointsReleased', 'test.timebank.partner.canteen.north-2.points.v1'],
        ['PointsHoldExpired', 'test.timebank.partner.canteen.north-2.points.v1'],
        // `:` is a valid ledger id character but not a Kafka topic character: no partner topic.
        ['PointsHeld', null],
        ['PointsCaptured', null],
        ['PointsReleased', null],
        ['PointsHoldExpired', null],
      ],
    );
    for (const result of published) {
      const { partnerMessage, message } = result;
      if (partnerMessage === undefined) continue;
      t.equal(message.topic, 'test.timebank.points.v1', 'the family topic stays as it was');
      t.equal(message.partnerCopy, undefined, 'the family message is not a copy');
      t.same(
        { key: partnerMessage.key, value: partnerMessage.value, headers: partnerMessage.headers },
        { key: message.key, value: message.value, headers: message.headers },
        'same key, value and headers',
      );
      t.equal(partnerMessage.partnerCopy, true);
    }
    t.same(
      published.map((result) => result.partnerWithoutTopic ?? null).filter((id) => id !== null),
      ['acme:east', 'acme:east', 'acme:east', 'acme:east'],
      'the relay is told which partner got no topic',
    );
  },
);

t.test('a partner topic name is one Kafka accepts, or none', (t) => {
  t.equal(partnerTopicFor('', 'p1'), 'timebank.partner.p1.points.v1');
  t.equal(partnerTopicFor('city-a.', 'Shop_1.x-y'), 'city-a.timebank.partner.Shop_1.x-y.points.v1');
  t.equal(partnerTopicFor('', 'a:b'), undefined, '`:` is refused by Kafka');
  // The longest prefix (KAFKA_TOPIC_PREFIX: 100) and the longest id (ID_PATTERN: 100) still fit 249.
  t.equal(partnerTopicFor('x'.repeat(100), 'p'.repeat(100))?.length, 227);
  t.equal(partnerTopicFor('x'.repeat(200), 'p'.repeat(100)), undefined, 'longer than 249 characters');
  t.end();
});

t.test('PointsHeld says which consent authorised it, never the code or its hash', async (t) => {
  const store = createSqliteEventStore({ path: join(temporaryDirectory(t), EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  const codeHash = 'c0'.repeat(32);
  const held = (holdId: string, consent: Record<string, string> | undefined) =>
    domainEvent('PointsHeld', {
      idempotencyKey: `hold-${holdId}`,
      fromAccount: 'volunteer:v1',
      toAccount: 'held:v1',
      centipoints: 100,
      volunteerId: 'v1',
      holdId,
      partnerId: 'p1',
      offerId: 'meal',
      heldAt: '2026-03-01T08:00:00.000Z',
      expiresAt: '2026-03-01T09:00:00.000Z',
      actor: { id: 'p1-user', role: 'partner', partnerId: 'p1' },
      ...(consent === undefined ? {} : { consent }),
    });
  await store.appendToStream(
    volunteerStream('v1'),
    [held('h1', { form: 'spendCode', codeHash }), held('h2', { form: 'mandate' }), held('h3', undefined)],
    { expectedRevision: 'no_stream' },
  );
  const findRecord = createServiceRecordFinder(store);
  const published = await Promise.all(
    (await store.readAll()).map(async (event) => mapEvent(event, 'test.', findRecord)),
  );
  const forms = published.map((result) =>
    result.kind === 'publish'
      ? (JSON.parse(result.message.value) as { data: { consentForm: string } })
      : null,
  );
  t.same(
    forms.map((value) => value?.data.consentForm),
    ['spendCode', 'mandate', 'none'],
  );
  for (const result of published)
    if (result.kind === 'publish') t.notOk(result.message.value.includes(codeHash), 'no code hash leaves');
});

t.test('a 低偿 hold and capture carry the cash co-payment; points-only ones stay as before', async (t) => {
  const store = createSqliteEventStore({ path: join(temporaryDirectory(t), EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  const actor = { id: 'p1-user', role: 'partner', partnerId: 'p1' };
  const hold = (holdId: string, cash: { cashCopayFen?: number }) => [
    domainEvent('PointsHeld', {
      idempotencyKey: `hold-${holdId}`,
      fromAccount: 'volunteer:v1',
      toAccount: 'held:v1',
      centipoints: 100,
      volunteerId: 'v1',
      holdId,
      partnerId: 'p1',
      offerId: 'lunch',
      heldAt: '2026-03-01T08:00:00.000Z',
      expiresAt: '2026-03-01T08:00:00.000Z',
      actor,
      consent: { form: 'mandate' },
      ...cash,
    }),
    domainEvent('PointsCaptured', {
      idempotencyKey: `hold-${holdId}`,
      fromAccount: 'held:v1',
      toAccount: 'partner:p1',
      centipoints: 100,
      volunteerId: 'v1',
      holdId,
      partnerId: 'p1',
      capturedAt: '2026-03-01T08:00:00.000Z',
      actor,
      ...cash,
    }),
  ];
  await store.appendToStream(
    volunteerStream('v1'),
    [...hold('h1', { cashCopayFen: 500 }), ...hold('h2', {})],
    {
      expectedRevision: 'no_stream',
    },
  );
  const findRecord = createServiceRecordFinder(store);
  const published = await Promise.all(
    (await store.readAll()).map(async (event) => mapEvent(event, 'test.', findRecord)),
  );
  t.same(
    published.map((result) =>
      result.kind === 'publish'
        ? (JSON.parse(result.message.value) as { data: { cashCopayFen?: number } }).data.cashCopayFen
        : result.kind,
    ),
    [500, 500, undefined, undefined],
    'the optional field is present only with cash, so older consumers see no change',
  );
});

t.test('data that fails its integration schema is reported invalid, with the failing field', async (t) => {
  const store = createSqliteEventStore({ path: join(temporaryDirectory(t), EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  await store.appendToStream(
    volunteerStream('v2'),
    [
      {
        id: crypto.randomUUID(),
        type: 'PointsEarned',
        data: { volunteerId: 'v2', centipoints: 'lots' },
        metadata: { schemaVersion: 1 },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  const [event] = await store.readAll();
  const result = await mapEvent(event!, '', createServiceRecordFinder(store));
  t.equal(result.kind, 'invalid');
  t.match(result.kind === 'invalid' ? result.issues : '', /centipoints/);
  // A confirmation of a record that does not exist cannot be published either.
  await store.appendToStream(
    volunteerStream('v3'),
    [
      {
        id: crypto.randomUUID(),
        type: 'ServiceHoursConfirmed',
        data: {
          volunteerId: 'v3',
          recordId: 'nope',
          qualityGrade: 'good',
          confirmedAt: '2026-03-01T08:00:00.000Z',
        },
        metadata: { schemaVersion: 1 },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  const confirmation = (await store.readAll({ fromPosition: event!.position }))[0];
  const unknownRecord = await mapEvent(confirmation!, '', createServiceRecordFinder(store));
  t.match(unknownRecord, { kind: 'invalid', issues: /durationMinutes/ });
});

t.test('every integration schema is strict: an extra field is refused', async (t) => {
  for (const definition of Object.values(INTEGRATION_EVENTS)) {
    const result = definition.schema.safeParse({ volunteerId: 'v1', name: 'Li Wei' });
    t.notOk(result.success, definition.type);
    t.match(result.error?.message ?? '', /name|Unrecognized/);
  }
});

const EVENTS_DOC_PATH = fileURLToPath(new URL('../../../docs/events.md', import.meta.url));

/** The document as scripts/write-events-doc.ts writes it: rendered, then formatted by the repository's prettier. */
async function formattedEventsDoc(): Promise<string> {
  const options = await resolveConfig(EVENTS_DOC_PATH);
  return format(renderEventsDoc(), { ...options, filepath: EVENTS_DOC_PATH });
}

t.test('docs/events.md is what the catalogue renders', async (t) => {
  t.equal(
    readFileSync(EVENTS_DOC_PATH, 'utf8'),
    await formattedEventsDoc(),
    'regenerate with: pnpm --filter @timebank/kafka-relay docs:events',
  );
});

t.test(
  'the checkpoint file: absent reads as 0, survives reopening, never moves back, refuses garbage',
  async (t) => {
    const path = join(temporaryDirectory(t), 'nested', 'checkpoint.json');
    const first = createFileCheckpointStore(path);
    t.equal(await first.load(), 0n);
    await first.save(42n);
    await first.save(9_007_199_254_740_993n);
    const reopened = createFileCheckpointStore(path);
    t.equal(await reopened.load(), 9_007_199_254_740_993n, 'beyond 2^53, as a bigint');
    await t.rejects(reopened.save(41n), /backwards/);
    writeFileSync(path, '{"position":"-1"}');
    await t.rejects(createFileCheckpointStore(path).load(), /malformed/);
  },
);

t.test('configuration: defaults, and bad values name their variable', async (t) => {
  const config = parseConfig({ KAFKA_BROKERS: '127.0.0.1:9092,10.0.0.2:9092' });
  t.same(config.brokers, ['127.0.0.1:9092', '10.0.0.2:9092']);
  t.equal(config.onInvalidEvent, 'stop');
  t.equal(config.batchEventsMax, 1000);
  t.equal(config.pendingBatchesMax, 4);
  t.same(config.store, { engine: 'sqlite', dataDir: './data' });
  t.ok(Object.isFrozen(config));
  t.throws(() => parseConfig({}), /KAFKA_BROKERS/);
  t.throws(() => parseConfig({ KAFKA_BROKERS: 'localhost' }), /KAFKA_BROKERS: must be a comma-separated/);
  // The same rules as the ledger API's (docs/operations.md): a port Kafka cannot have is refused
  // here rather than failing every connect for ever, an empty value is unset, and a number out of
  // range says what is allowed.
  t.throws(() => parseConfig({ KAFKA_BROKERS: '127.0.0.1:99999' }), /KAFKA_BROKERS: .*each port 1 to 65535/);
  t.throws(() => parseConfig({ KAFKA_BROKERS: '127.0.0.1:0' }), /KAFKA_BROKERS: .*each port 1 to 65535/);
  t.equal(parseConfig({ KAFKA_BROKERS: 'a:1', RELAY_BATCH_EVENTS_MAX: '' }).batchEventsMax, 1000);
  t.equal(parseConfig({ KAFKA_BROKERS: 'a:1', LEDGER_STORE: ' ' }).store.engine, 'sqlite');
  t.throws(() => parseConfig({ KAFKA_BROKERS: '' }), /KAFKA_BROKERS: is required/);
  t.throws(
    () => parseConfig({ KAFKA_BROKERS: 'a:1', RELAY_PENDING_BATCHES_MAX: '-1' }),
    /RELAY_PENDING_BATCHES_MAX: must be a whole number of batches from 1 to 64 \(got "-1"\)/,
  );
  const secret = (() => {
    try {
      parseConfig({
        KAFKA_BROKERS: 'a:1',
        LEDGER_STORE: 'postgres',
        POSTGRES_URL: 'postgres://u:secret@h/db',
        POSTGRES_CONNECT_TIMEOUT_MS: 'x',
      });
      return 'no error';
    } catch (error) {
      return (error as Error).message;
    }
  })();
  t.match(secret, /POSTGRES_CONNECT_TIMEOUT_MS: /);
  t.notMatch(secret, /secret/, 'a URL that may carry a password is never echoed');

  t.throws(
    () => parseConfig({ KAFKA_BROKERS: 'a:1', RELAY_BATCH_EVENTS_MAX: 'many' }),
    /RELAY_BATCH_EVENTS_MAX/,
  );
  t.throws(
    () => parseConfig({ KAFKA_BROKERS: 'a:1', RELAY_PENDING_BATCHES_MAX: '0' }),
    /RELAY_PENDING_BATCHES_MAX/,
  );
  t.throws(
    () => parseConfig({ KAFKA_BROKERS: 'a:1', RELAY_ON_INVALID_EVENT: 'ignore' }),
    /RELAY_ON_INVALID_EVENT/,
  );
  t.throws(() => parseConfig({ KAFKA_BROKERS: 'a:1', LEDGER_STORE: 'postgres' }), /POSTGRES_URL/);
});

t.test("a volunteer's erasure is published with the id alone, so consumers can erase too", async (t) => {
  const store = createSqliteEventStore({ path: join(temporaryDirectory(t), EVENT_STORE_FILE) });
  t.teardown(() => store.close());
  const history = volunteerHistory('v1', 0);
  const erased = domainEvent('PersonalDataErased', {
    idempotencyKey: 'v1-erase',
    volunteerId: 'v1',
    reason: 'consent_withdrawn',
    erasedAt: '2026-12-01T00:00:00.000Z',
    actor: { id: 'admin-1', role: 'administrator' },
  });
  await store.appendToStream(volunteerStream('v1'), [...history, erased], { expectedRevision: 'no_stream' });
  const recorded = (await store.readAll()).at(-1)!;
  const result = await mapEvent(recorded, 'test.', createServiceRecordFinder(store));
  t.equal(result.kind, 'publish');
  if (result.kind !== 'publish') return;
  t.equal(result.message.topic, 'test.timebank.volunteers.v1');
  t.equal(result.message.key, 'v1');
  t.same(JSON.parse(result.message.value), {
    id: recorded.id,
    type: 'VolunteerDataErased',
    schemaVersion: 1,
    position: recorded.position.toString(),
    occurredAt: recorded.recordedAt,
    data: { volunteerId: 'v1', erasedAt: '2026-12-01T00:00:00.000Z' },
  });
  t.notOk(result.message.value.includes('consent_withdrawn'), 'not even the reason leaves');
});
