/**
 * The write path's costs and its idempotency contract for command routes: a write is one group
 * commit (its events and its key's claim together), a cached stream nobody else touched is not
 * read again, and a repeat is answered from the claim by rebuilding the response from the
 * command's own events — also after a restart, by a ledger with a cold cache.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqliteEventStore, type SqliteEventStore } from '@timebank/event-store-sqlite';
import { createLedger } from '@timebank/application';
import { IdempotencyRecords } from '../src/http/idempotency.js';
import { createLogger } from '../src/http/logging.js';
import { resolveNationalIdKey, wireLedgerApi } from '../src/wiring.js';
import { portOnly } from '@timebank/event-store/testing';
import { problemOf } from './harness.js';
import { hoursAgo, startWorld } from './fixtures.js';
import { EVENT_STORE_FILE, openPersonalKeys } from '@timebank/ledger-opener';

const service = (hoursBack: number) => ({
  activity: 'Reading to elders',
  organisationId: 'c1',
  startAt: hoursAgo(hoursBack + 1),
  endAt: hoursAgo(hoursBack),
});

t.test('a write is one group commit and reads no stream the ledger already holds', async (t) => {
  const w = await startWorld(t);
  const store = w.store as SqliteEventStore;
  const volunteerId = await w.registerVolunteer(1);
  await w.grantMandate(volunteerId);
  // Warm: the first write may fold the policy stream; from then on everything is cached.
  t.equal(
    (await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.desk, service(10))).statusCode,
    201,
  );
  const commits = store.groupCommitStats();
  const reads = w.ledger.streamReads;
  const recorded = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.desk, service(8));
  t.equal(recorded.statusCode, 201);
  const after = store.groupCommitStats();
  t.equal(after.transactions - commits.transactions, 1, 'one transaction, so one fsync to wait for');
  t.equal(after.appends - commits.appends, 1, "one append: the command's events with the key's claim");
  t.equal(w.ledger.streamReads, reads, 'no stream re-read: the change log vouched for the cache');

  const balance = await w.get(`/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`, w.partner);
  t.equal(balance.statusCode, 200);
  t.equal(w.ledger.streamReads, reads, 'the query is answered from the cache too');
});

t.test('command routes: a repeat is rebuilt from the events its claim points at', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(2);
  const otherVolunteerId = await w.registerVolunteer(3);
  const url = `/v1/volunteers/${volunteerId}/service-records`;
  // One body for every repeat: `service` rounds to the minute, and a slow run may cross one.
  const sixHoursBack = service(6);
  const first = await w.post(url, w.desk, sixHoursBack, 'record-once');
  t.equal(first.statusCode, 201);
  const head = await w.store.headPosition();

  const repeat = await w.post(url, w.desk, sixHoursBack, 'record-once');
  t.equal(repeat.statusCode, 201);
  t.equal(repeat.headers['idempotent-replayed'], 'true');
  t.same(repeat.json(), first.json(), 'the same body, position included');
  t.equal(await w.store.headPosition(), head, 'the repeat appended nothing');

  const otherBody = await w.post(url, w.desk, service(4), 'record-once');
  t.equal(otherBody.statusCode, 409);
  t.equal(problemOf(t, otherBody).code, 'IDEMPOTENCY_KEY_REUSED');
  const otherTarget = await w.post(
    `/v1/volunteers/${otherVolunteerId}/service-records`,
    w.desk,
    sixHoursBack,
    'record-once',
  );
  t.equal(otherTarget.statusCode, 409, 'the key is global to the API key, not per volunteer');
  t.equal(problemOf(t, otherTarget).code, 'IDEMPOTENCY_KEY_REUSED');
  t.equal(await w.store.headPosition(), head, 'neither refused request appended anything');

  // A restart: a new ledger (cold cache) and a new app over the same store rebuild the response.
  await w.close();
  const restarted = await wireLedgerApi({
    config: w.context.config,
    store: w.store,
    logger: createLogger({ level: 'silent' }),
  });
  t.teardown(() => restarted.close());
  const afterRestart = await restarted.app.inject({
    method: 'POST',
    url,
    headers: w.headers(w.desk, 'record-once'),
    payload: sixHoursBack,
  });
  t.equal(afterRestart.statusCode, 201);
  t.equal(afterRestart.headers['idempotent-replayed'], 'true');
  t.same(afterRestart.json(), first.json());
  const refused = await restarted.app.inject({
    method: 'POST',
    url,
    headers: w.headers(w.desk, 'record-once'),
    payload: service(4),
  });
  t.equal(refused.statusCode, 409);
  t.equal(await w.store.headPosition(), head);
});

t.test(
  'without claims in the append: a claim whose write appended nothing lets the same request run again, and only it',
  async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'timebank-claims-'));
    const sqlite = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
    t.teardown(async () => {
      await sqlite.close();
      rmSync(directory, { recursive: true, force: true });
    });
    // As an engine without `IdempotencyClaims` (EventStoreDB) offers it: claims are events.
    const store = portOnly(sqlite);
    const records = new IdempotencyRecords({ store, cacheEntriesMax: 10 });
    const response = { statusCode: 201, body: { done: true } };
    const rebuilt: string[] = [];
    const rebuild = async (streamName: string) => {
      rebuilt.push(streamName);
      return undefined; // the claimed write left no events
    };
    await t.rejects(
      records.run({
        scopedKey: 'k:1',
        requestHash: 'hash-a',
        execute: async (claim) => {
          claim?.('volunteer-x');
          throw new Error('the write failed after claiming');
        },
        rebuild,
      }),
      /failed after claiming/,
    );
    const other = await records
      .run({ scopedKey: 'k:1', requestHash: 'hash-b', execute: async () => response, rebuild })
      .then(
        () => 'answered',
        (error: unknown) => (error as { code?: string }).code,
      );
    t.equal(other, 'IDEMPOTENCY_KEY_REUSED', 'the claim binds the key to its request');
    let claimOffered: unknown = 'not called';
    const again = await records.run({
      scopedKey: 'k:1',
      requestHash: 'hash-a',
      execute: async (claim) => {
        claimOffered = claim;
        return response;
      },
      rebuild,
    });
    t.same(again, { ...response, replayed: false }, 'the same request runs again');
    t.equal(claimOffered, undefined, 'the existing claim already covers it');
    t.same(rebuilt, ['volunteer-x'], 'the repeat looked for the events where the claim points');
    const stream = await store.readStream(`idempotency-${createHash('sha256').update('k:1').digest('hex')}`);
    t.same(
      stream.map((event) => event.type),
      ['IdempotencyKeyClaimed'],
      'one claim, no response record: the response is rebuilt from events',
    );
  },
);

t.test('the query sees a redemption another process made through its own connection', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(4);
  await w.earn(volunteerId, 3, 5);
  await w.grantMandate(volunteerId);
  const url = `/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`;
  const before = (await w.get(url, w.partner)).json<{ redeemableCentipoints: number }>();
  t.equal(before.redeemableCentipoints, 300, 'cached now');
  // Another process: a second connection to the same file, with a ledger of its own.
  const otherStore = createSqliteEventStore({ path: (w.store as SqliteEventStore).path });
  t.teardown(() => otherStore.close());
  // It opens the personal-data key store too, as every process that folds volunteer streams must.
  const otherKeys = await openPersonalKeys(w.context.config.store, { masterKey: w.context.config.masterKey });
  t.teardown(() => otherKeys.close());
  const otherLedger = createLedger({
    store: otherStore,
    clock: () => Date.now(),
    nationalIdKey: resolveNationalIdKey(w.context.config),
    personalKeys: otherKeys.keys,
  });
  await otherLedger.execute({
    type: 'RedeemPoints',
    idempotencyKey: 'elsewhere',
    actor: { id: 'other-process', role: 'partner', partnerId: 'p1' },
    volunteerId,
    partnerId: 'p1',
    offerId: 'meal',
    centipoints: 100,
  });
  const after = (await w.get(url, w.partner)).json<{ redeemableCentipoints: number }>();
  t.equal(after.redeemableCentipoints, 200, 'the cached volunteer was re-read, not served stale');
});
