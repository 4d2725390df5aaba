/**
 * Everything the API appends is in the ledger's event catalogue: a journey over HTTP leaves a log
 * in which every event parses against it, and an append of a type (or data) outside it is
 * refused before anything is stored, so a writer cannot drift from what the verifier reads.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseLedgerEvent } from '@timebank/domain';
import type { RecordedEvent } from '@timebank/event-store';
import { UncataloguedEventError } from '../src/http/catalogued-store.js';
import { startWorld } from './fixtures.js';

async function everyEvent(read: (after: bigint) => Promise<RecordedEvent[]>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let after = 0n; ;) {
    const page = await read(after);
    const last = page.at(-1);
    if (last === undefined) return events;
    events.push(...page);
    after = last.position;
  }
}

t.test('every event a journey over HTTP stores is in the catalogue', async (t) => {
  const world = await startWorld(t);
  const volunteerId = await world.registerVolunteer(1);
  await world.earn(volunteerId, 2, 30);
  const issued = await world.post('/v1/admin/api-keys', world.admin, {
    role: 'desk',
    scope: { kind: 'community', id: 'c1' },
    label: 'Desk, Qiaoxi',
  });
  t.equal(issued.statusCode, 201);
  const revoke = () =>
    world.post(
      `/v1/admin/api-keys/${issued.json<{ keyId: string }>().keyId}/revoke`,
      world.admin,
      { reason: 'desk closed' },
      'revoke-once',
    );
  t.equal((await revoke()).statusCode, 200);
  t.equal((await revoke()).headers['idempotent-replayed'], 'true', 'a repeat is answered from its record');

  const events = await everyEvent((after) => world.store.readAll({ fromPosition: after }));
  const types = new Set(events.map((event) => event.type));
  for (const type of [
    'ApiKeyIssued',
    'ApiKeyRevoked',
    // Not IdempotencyKeyClaimed: on SQLite a claim is a row written with the command's events;
    // the event remains in the catalogue for EventStoreDB and for stores older than the rows.
    'IdempotentResponseRecorded',
  ]) {
    t.ok(types.has(type), `the journey stored ${type}`);
  }
  const unparsed = events.flatMap((event) => {
    try {
      parseLedgerEvent(event.type, event.data, event.metadata.schemaVersion);
      return [];
    } catch (error) {
      return [`${event.streamName}@${event.revision}: ${String(error)}`];
    }
  });
  t.same(unparsed, [], `all ${events.length} events parse against the catalogue`);
});

t.test('an append outside the catalogue is refused and stores nothing', async (t) => {
  const world = await startWorld(t);
  const head = await world.store.headPosition();
  const append = (type: string, data: Record<string, string>, schemaVersion = 1) =>
    world.context.store.appendToStream(
      'access-keys',
      [{ id: randomUUID(), type, data, metadata: { schemaVersion } }],
      { expectedRevision: 'any' },
    );
  await t.rejects(
    append('ApiKeyForged', { keyId: randomUUID() }),
    new UncataloguedEventError(
      "ApiKeyForged appended to access-keys: the type is not in the ledger's event catalogue (packages/domain/src/events/catalogue.ts)",
    ),
  );
  await t.rejects(append('ApiKeyRevoked', { keyId: randomUUID(), revokedBy: 'test', reason: 'x' }, 2), {
    name: 'UncataloguedEventError',
    message: /schema version 2, the catalogue says 1/,
  });
  await t.rejects(append('ApiKeyRevoked', { keyId: 'not-a-uuid', revokedBy: 'test', reason: 'x' }), {
    name: 'UncataloguedEventError',
    message: /ApiKeyRevoked appended to access-keys: event ApiKeyRevoked data is invalid/,
  });
  t.equal(await world.store.headPosition(), head, 'nothing was appended');
});

/**
 * Every module of the ledger that appends to a store, and why its types are catalogued. A new
 * writer fails this test until it takes its types from the catalogue and is listed here.
 */
const WRITERS: Readonly<Record<string, string>> = {
  'packages/application/src/command-handler.ts': 'domain events, versions from the catalogue',
  'packages/application/src/personal-data/sealing-store.ts':
    "passes the command handler's events through, personal fields sealed",
  'services/ledger-api/src/auth/api-keys.ts': 'AccessKeyEventType names and schemas',
  'services/ledger-api/src/auth/volunteer-credentials.ts': 'VolunteerCredentialEventType names and schemas',
  'services/ledger-api/src/http/idempotency.ts': 'IdempotencyEventType names and schemas',
  'services/ledger-api/src/http/catalogued-store.ts': 'the guard itself',
  'services/ledger-api/src/http/instrumented-store.ts': 'passes appends through to the guard',
  'services/ledger-api/src/wiring.ts': 'passes appends through to the guard, then wakes the projector thread',
  'packages/event-store-esdb/src/esdb-event-store.ts':
    'the adapter: its id claims are system events, never read back',
  'packages/projections/src/testing/generate.ts': 'test data of domain events, built from the domain',
  'services/auditor-cli/src/migrate-command.ts':
    "copies an existing ledger's stored events, personal fields sealed; verify runs on the copy",
};
/**
 * Folders of code that appends made-up events on purpose (the store contract suite, benchmarks) or
 * only passes a caller's append through to a store (the port's test helpers, e.g. `portOnly`).
 */
const NOT_THE_LEDGER = [
  /^packages\/event-store\/src\/contract\//,
  /^packages\/event-store\/src\/testing\//,
  /\/bench\//,
];

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

t.test('every module that appends events is a catalogued writer', async (t) => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const appending = ['packages', 'services']
    .flatMap((top) => readdirSync(join(root, top)).map((name) => join(root, top, name, 'src')))
    .flatMap((directory) => {
      try {
        return sources(directory);
      } catch {
        return [];
      }
    })
    .map((path) => relative(root, path))
    .filter((path) => !NOT_THE_LEDGER.some((pattern) => pattern.test(path)))
    .filter((path) => readFileSync(join(root, path), 'utf8').includes('.appendToStream('));
  t.same(
    appending.filter((path) => WRITERS[path] === undefined),
    [],
    'no writer outside the list (take its types from the catalogue, then list it)',
  );
  t.ok(appending.includes('services/ledger-api/src/auth/api-keys.ts'), 'the scan finds the known writers');
});
