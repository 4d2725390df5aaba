/**
 * Issue #17's acceptance, on SQLite: a volunteer with a distinctive name, phone and ID number is
 * registered through the real app, serves, gets a certificate and is published to Kafka. None of
 * the three strings is in any file under the data directory (event store, WAL, read models, key
 * store, checkpoints), in an auditor export, in the logs or on the Kafka topic. After erasure the
 * data key and the index entry are gone, the search still finds nothing, verification and a
 * full rebuild pass, hours and points are unchanged, and the stream refuses every command.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { ERASED_TEXT } from '@timebank/domain';
import { requireServerUrl } from '@timebank/event-store/testing';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { exportLedger } from '@timebank/projections';
import { checkLedgerAfterErasure } from './erasure-checks.js';
import { nationalIdNumber, startWorld, type World } from './fixtures.js';
import { filesUnder, secretsIn } from './raw-search.js';

const brokers = requireServerUrl('KAFKA_BROKERS');
const run = promisify(execFile);

const NAME = 'Ouyang Zhenxiu';
const PHONE = '+86-311-7654321';
const ID_NUMBER = nationalIdNumber(4_567_891);
/** Free text that names people: a dispute's words and the reason given for a star bar. */
const DISPUTE_TEXT = 'Missing hours: ask my neighbour Situ Mingyue, 13912345678';
const BAR_REASON = 'Hours signed by Huangfu Lanting were invented';
const SECRETS = [NAME, PHONE, ID_NUMBER, ID_NUMBER.slice(0, 17), 'Situ Mingyue', 'Huangfu Lanting'];

const ISSUER = {
  organisationName: 'Qiaoxi Volunteer Service Station',
  personInCharge: 'Zhang Min',
  handler: 'Wang Fang',
  contact: '0311-5550000',
};

/** Every secret found in `bytes`, as `<where>: <secret>`. */
const leaks = (where: string, bytes: Buffer): string[] => secretsIn(SECRETS, where, bytes);

/** Reads a topic from the beginning with kcat (a client other than ours). */
async function readTopic(topic: string, count: number, timeoutMs: number): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { stdout } = await run(
        'kcat',
        ['-b', brokers!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'],
        {
          encoding: 'buffer',
          timeout: 15_000,
        },
      );
      if (stdout.toString('utf8').split('\n').filter(Boolean).length >= count || Date.now() > deadline)
        return stdout;
    } catch {
      // The topic does not exist until the relay's first message creates it.
      if (Date.now() > deadline) return Buffer.alloc(0);
    }
    await sleep(500);
  }
}

/** Searches everything, and checks that each source really holds the volunteer (the search is not vacuous). */
async function searchEverywhere(
  t: Test,
  w: World,
  topicPrefix: string | null,
  volunteerId: string,
): Promise<string[]> {
  const found: string[] = [];
  const holds = (bytes: Buffer): boolean => bytes.includes(Buffer.from(volunteerId, 'utf8'));
  const storeFile = readFileSync(join(w.directory, EVENT_STORE_FILE));
  const storeWal = join(w.directory, `${EVENT_STORE_FILE}-wal`);
  t.ok(holds(storeFile) || holds(readFileSync(storeWal)), 'the event store holds the volunteer');
  for (const path of filesUnder(w.directory)) found.push(...leaks(path, readFileSync(path)));
  const exportDirectory = mkdtempSync(join(tmpdir(), 'timebank-export-'));
  t.teardown(() => rmSync(exportDirectory, { recursive: true, force: true }));
  await exportLedger({ store: w.store, directory: exportDirectory });
  const exported = filesUnder(exportDirectory).map((path) => [path, readFileSync(path)] as const);
  t.ok(
    exported.some(([, bytes]) => holds(bytes)),
    'the export holds the volunteer',
  );
  for (const [path, bytes] of exported) found.push(...leaks(`export ${path}`, bytes));
  found.push(...leaks('logs', Buffer.from(w.logs.join('\n'), 'utf8')));
  if (topicPrefix !== null) {
    const topic = await readTopic(`${topicPrefix}timebank.volunteers.v1`, 1, 30_000);
    t.ok(holds(topic), 'the Kafka topic holds the volunteer');
    found.push(...leaks('kafka', topic));
  }
  return found;
}

async function caughtUp(w: World, position: string): Promise<void> {
  if (!(await w.projector.waitFor(BigInt(position), 10_000)))
    throw new Error('the projector did not catch up');
}

async function summary(w: World, volunteerId: string) {
  const response = await w.get(`/v1/volunteers/${volunteerId}`, w.admin);
  return response.json<{ name: string; confirmedMinutes: number; availableCentipoints: number }>();
}

t.test('nothing personal is stored in the clear, and erasure leaves the ledger verifiable', async (t) => {
  const topicPrefix = brokers === undefined ? null : `t${randomUUID().slice(0, 8)}.`;
  if (topicPrefix === null) t.comment('KAFKA_BROKERS is not set: the Kafka topic is not searched');
  const w = await startWorld(
    t,
    topicPrefix === null ? {} : { KAFKA_BROKERS: brokers!, KAFKA_TOPIC_PREFIX: topicPrefix },
  );
  const registered = await w.post('/v1/volunteers', w.desk, {
    name: NAME,
    nationalIdNumber: ID_NUMBER,
    phone: PHONE,
    community: 'c1',
  });
  t.equal(registered.statusCode, 201, registered.body);
  const { volunteerId } = registered.json<{ volunteerId: string }>();
  t.match(volunteerId, /^v[0-9a-f]{32}$/);
  t.not(
    volunteerId,
    `v${w.ledger.nationalIdHash(ID_NUMBER).slice(0, 32)}`,
    'the id is not derived from the ID number',
  );
  await w.earn(volunteerId, 3, 30);
  const certificate = await w.post(`/v1/volunteers/${volunteerId}/certificates`, w.desk, { issuer: ISSUER });
  t.equal(certificate.statusCode, 201, certificate.body);
  const { certificateNumber } = certificate.json<{ certificateNumber: string }>();
  t.equal((await summary(w, volunteerId)).name, NAME, 'the desk still reads the name');
  const dispute = await w.post(`/v1/volunteers/${volunteerId}/disputes`, w.desk, {
    kind: 'missing_hours',
    organisationId: 'org1',
    text: DISPUTE_TEXT,
  });
  t.equal(dispute.statusCode, 201, dispute.body);
  const bar = await w.post(`/v1/admin/volunteers/${volunteerId}/star-bar`, w.admin, {
    until: new Date(Date.now() + 400 * 86_400_000).toISOString(),
    reason: BAR_REASON,
  });
  t.equal(bar.statusCode, 200, bar.body);
  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.desk);
  t.match(history.body, NAME, 'history is shown opened');
  t.match(history.body, DISPUTE_TEXT, "the volunteer's words are shown opened");
  t.match(history.body, BAR_REASON, 'and so is the reason for the bar');

  const before = await summary(w, volunteerId);
  await caughtUp(w, String(await w.store.headPosition()));
  t.same(
    await searchEverywhere(t, w, topicPrefix, volunteerId),
    [],
    'no name, phone or ID number anywhere before erasure',
  );

  const audit = await w.get(`/v1/audit/events`, w.auditor);
  t.equal(audit.statusCode, 200);
  t.match(audit.body, /sealed:v1:/, 'auditors read ciphertext');

  const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.statusCode, 200, erased.body);
  const keyStore = w.personalKeys.store;
  t.match(
    await keyStore.dataKey(volunteerId),
    { state: 'erased' },
    'the data key is destroyed (a tombstone)',
  );
  t.equal(
    await keyStore.findRegistration(w.ledger.nationalIdHash(ID_NUMBER)),
    null,
    'the index entry is gone',
  );

  const after = await summary(w, volunteerId);
  t.equal(after.name, ERASED_TEXT, 'reads show the placeholder');
  const historyAfter = await w.get(`/v1/volunteers/${volunteerId}/history`, w.admin);
  t.notMatch(historyAfter.body, 'Situ Mingyue', 'the dispute text is gone from the history');
  t.notMatch(historyAfter.body, 'Huangfu Lanting', 'and so is the reason for the bar');
  t.equal(after.confirmedMinutes, before.confirmedMinutes, 'hours unchanged');
  t.equal(after.availableCentipoints, before.availableCentipoints, 'points unchanged');
  const verification = await w.get(`/v1/certificates/${certificateNumber}/verification`, w.admin);
  t.match(verification.json(), {
    status: 'valid',
    certificate: { holderDataErased: true, holderName: ERASED_TEXT },
  });

  const refused = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.admin, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt: new Date(Date.now() - 5 * 3_600_000).toISOString().slice(0, 16) + ':00.000Z',
    endAt: new Date(Date.now() - 4 * 3_600_000).toISOString().slice(0, 16) + ':00.000Z',
  });
  t.equal(refused.statusCode, 410, 'a later command for the erased volunteer is refused');
  t.equal(refused.json<{ code: string }>().code, 'VOLUNTEER_PERSONAL_DATA_ERASED');
  await t.rejects(
    w.personalKeys.keys.forSealing(volunteerId),
    { code: 'VOLUNTEER_PERSONAL_DATA_ERASED' },
    'no key is minted again',
  );

  await caughtUp(w, String(await w.store.headPosition()));
  t.same(await searchEverywhere(t, w, topicPrefix, volunteerId), [], 'nothing found after erasure either');
  await checkLedgerAfterErasure(t, w);
  const asOf = await w.ledger.loadAsOf({ position: await w.store.headPosition() }, 'volunteer', volunteerId);
  t.equal(asOf.state.confirmedMinutes, before.confirmedMinutes, 'as-of reads keep the hours');

  const again = await w.post('/v1/volunteers', w.desk, {
    name: NAME,
    nationalIdNumber: ID_NUMBER,
    phone: PHONE,
    community: 'c1',
  });
  t.equal(again.statusCode, 201, 'the person may register afresh, under a new id');
  t.not(again.json<{ volunteerId: string }>().volunteerId, volunteerId);
});

t.test('ten concurrent registrations of one person yield exactly one volunteer', async (t) => {
  const w = await startWorld(t);
  const responses = await Promise.all(
    Array.from({ length: 10 }, () =>
      w.post('/v1/volunteers', w.desk, {
        name: 'Concurrent Person',
        nationalIdNumber: nationalIdNumber(1_234_567),
        phone: '13800000009',
        community: 'c1',
      }),
    ),
  );
  const statuses = responses.map((response) => response.statusCode).sort();
  t.same(statuses, [201, ...Array<number>(9).fill(409)], 'one success, nine VOLUNTEER_ALREADY_REGISTERED');
  for (const response of responses.filter((candidate) => candidate.statusCode === 409)) {
    t.equal(response.json<{ code: string }>().code, 'VOLUNTEER_ALREADY_REGISTERED');
  }
});
