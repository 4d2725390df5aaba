/**
 * Issue #17's acceptance through the real server (`src/server.ts` as a process, over HTTP) and
 * the real `pnpm ledger` commands: a volunteer with a distinctive name, phone and ID number is
 * registered and serves; a backup is taken; none of the three strings is in any file under the
 * data directory, in `pnpm ledger export` or on the Kafka topic. After erasure the key and the
 * index entry are gone, the erasure is on the erasure list, the search still finds nothing,
 * `verify` and `rebuild` pass and hours and points are unchanged (statistics, as-of). Then the
 * backup taken before the erasure is restored with the live erasure list: the key is destroyed
 * again in the restored key store, and a server on the restored directory reads the name as erased.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { ERASED_TEXT } from '@timebank/domain';
import { requireServerUrl } from '@timebank/event-store/testing';
import { ERASURE_LIST_FILE, PERSONAL_KEYS_FILE } from '@timebank/ledger-opener';
import { nationalIdNumber } from './fixtures.js';
import { startServer, stopServer, type ServerProcess } from './server-process.js';
import { filesUnder, secretsIn } from './raw-search.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const brokers = requireServerUrl('KAFKA_BROKERS');
const run = promisify(execFile);

const NAME = 'Situ Mingyuexian';
const PHONE = '+86-311-8765409';
const ID_NUMBER = nationalIdNumber(7_654_321);
const SECRETS = [NAME, PHONE, ID_NUMBER, ID_NUMBER.slice(0, 17)];

/** Every secret found in `bytes`, as `<where>: <secret>`. */
const leaks = (where: string, bytes: Buffer): string[] => secretsIn(SECRETS, where, bytes);

/** The first-run administrator key, printed or written to a file in the data directory. */
function bootstrapKey(stdout: string, directory: string): string {
  const KEY = /tbk_[A-Za-z0-9_-]{20,}/;
  const printed = KEY.exec(stdout)?.[0];
  if (printed !== undefined) return printed;
  const paths = [
    ...[...stdout.matchAll(/(\/[^\s'"]+)/g)].map((match) => match[1]!),
    ...readdirSync(directory).map((name) => join(directory, name)),
  ];
  for (const path of paths) {
    if (!existsSync(path) || statSync(path).isDirectory()) continue;
    const found = KEY.exec(readFileSync(path, 'utf8'))?.[0];
    if (found !== undefined) return found;
  }
  throw new Error(`no bootstrap key in the server's output:\n${stdout}`);
}

function ledger(args: readonly string[]) {
  return spawnSync('pnpm', ['--silent', 'ledger', ...args], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

async function readTopic(topic: string, timeoutMs: number): Promise<Buffer> {
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
      if (stdout.length > 0 || Date.now() > deadline) return stdout;
    } catch {
      // The topic does not exist until the relay's first message creates it.
      if (Date.now() > deadline) return Buffer.alloc(0);
    }
    await sleep(500);
  }
}

function client(server: ServerProcess, key: string) {
  let counter = 0;
  return async (method: string, path: string, body?: unknown) => {
    counter += 1;
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': `privacy-${randomUUID()}-${counter}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

/** Every file under the data directory, a fresh `pnpm ledger export` and the topic, searched. */
async function searchEverywhere(t: Test, directory: string, volunteerId: string, topic: string | null) {
  const found: string[] = [];
  for (const path of filesUnder(directory)) found.push(...leaks(path, readFileSync(path)));
  const exportDirectory = mkdtempSync(join(tmpdir(), 'timebank-export-'));
  rmSync(exportDirectory, { recursive: true });
  t.teardown(() => rmSync(exportDirectory, { recursive: true, force: true }));
  const exported = ledger(['export', '--data-dir', directory, '--out', exportDirectory]);
  t.equal(exported.status, 0, `pnpm ledger export exits 0\n${exported.stderr}`);
  const files = filesUnder(exportDirectory).map((path) => [path, readFileSync(path)] as const);
  t.ok(
    files.some(([, bytes]) => bytes.includes(Buffer.from(volunteerId))),
    'the export holds the volunteer (the search is not vacuous)',
  );
  for (const [path, bytes] of files) found.push(...leaks(`export ${path}`, bytes));
  if (topic !== null) {
    const bytes = await readTopic(topic, 30_000);
    t.ok(bytes.includes(Buffer.from(volunteerId)), 'the Kafka topic holds the volunteer');
    found.push(...leaks('kafka', bytes));
  }
  return found;
}

function keyStoreRows(directory: string, volunteerId: string) {
  const db = new Database(join(directory, PERSONAL_KEYS_FILE), { readonly: true });
  try {
    const key = db.prepare('SELECT wrapped_key FROM data_keys WHERE volunteer_id = ?').get(volunteerId) as
      { wrapped_key: Buffer | null } | undefined;
    const index = db
      .prepare('SELECT count(*) AS n FROM registrations WHERE volunteer_id = ?')
      .get(volunteerId) as {
      n: number;
    };
    return { key, indexEntries: index.n };
  } finally {
    db.close();
  }
}

t.test('through the real server: nothing personal in the clear, erasure survives a restore', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-privacy-server-'));
  const backup = join(mkdtempSync(join(tmpdir(), 'timebank-privacy-backup-')), 'backup');
  const restored = join(mkdtempSync(join(tmpdir(), 'timebank-privacy-restored-')), 'data');
  t.teardown(() => {
    for (const path of [directory, dirname(backup), dirname(restored)])
      rmSync(path, { recursive: true, force: true });
  });
  const topicPrefix = brokers === undefined ? null : `p${randomUUID().slice(0, 8)}.`;
  if (topicPrefix === null) t.comment('KAFKA_BROKERS is not set: the Kafka topic is not searched');
  const topic = topicPrefix === null ? null : `${topicPrefix}timebank.volunteers.v1`;
  const server = await startServer(
    {
      LEDGER_DATA_DIR: directory,
      ...(topicPrefix === null ? {} : { KAFKA_BROKERS: brokers!, KAFKA_TOPIC_PREFIX: topicPrefix }),
    },
    directory,
  );
  t.teardown(() => void server.child.kill('SIGKILL'));
  const adminKey = bootstrapKey(server.stdout(), directory);
  const call = client(server, adminKey);
  t.equal(
    (
      await call('POST', '/v1/admin/organisations', {
        organisationId: 'org1',
        name: 'Qiaoxi Station',
        community: 'c1',
      })
    ).status,
    201,
  );
  const registered = await call('POST', '/v1/volunteers', {
    name: NAME,
    nationalIdNumber: ID_NUMBER,
    phone: PHONE,
    community: 'c1',
  });
  t.equal(registered.status, 201, JSON.stringify(registered.body));
  const volunteerId = String(registered.body.volunteerId);
  const hour = 3_600_000;
  const start = Math.floor((Date.now() - 30 * hour) / 60_000) * 60_000;
  const recorded = await call('POST', `/v1/volunteers/${volunteerId}/service-records`, {
    activity: 'Reading to elders',
    organisationId: 'org1',
    startAt: new Date(start).toISOString(),
    endAt: new Date(start + 2 * hour).toISOString(),
  });
  t.equal(recorded.status, 201, JSON.stringify(recorded.body));
  const confirmed = await call(
    'POST',
    `/v1/volunteers/${volunteerId}/service-records/${String(recorded.body.recordId)}/confirm`,
    {},
  );
  t.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  const position = confirmed.body.position;
  t.type(position, 'string', 'the write answers its position');
  const minPosition = typeof position === 'string' ? `?minPosition=${position}` : '';
  const before = await call('GET', `/v1/volunteers/${volunteerId}`);
  t.equal(before.body.name, NAME, 'the desk reads the name before erasure');
  const statisticsBefore = await call('GET', `/v1/communities/c1/statistics${minPosition}`);
  t.equal(statisticsBefore.status, 200, JSON.stringify(statisticsBefore.body));

  const backedUp = ledger(['backup', '--data-dir', directory, '--out', backup, '--quiet']);
  t.equal(backedUp.status, 0, `backup while the server runs\n${backedUp.stderr}`);
  t.same(
    await searchEverywhere(t, directory, volunteerId, topic),
    [],
    'no name, phone or ID number before erasure',
  );

  const erased = await call('POST', `/v1/admin/volunteers/${volunteerId}/erasure`, {
    reason: 'consent_withdrawn',
  });
  t.equal(erased.status, 200, JSON.stringify(erased.body));
  const after = await call('GET', `/v1/volunteers/${volunteerId}`);
  t.equal(after.body.name, ERASED_TEXT, 'reads show the placeholder');
  t.equal(after.body.confirmedMinutes, before.body.confirmedMinutes, 'hours unchanged');
  t.equal(after.body.availableCentipoints, before.body.availableCentipoints, 'points unchanged');
  const statisticsAfter = await call(
    'GET',
    `/v1/communities/c1/statistics?minPosition=${String(erased.body.position)}`,
  );
  // `activeSince` is "now minus the activity window", so it moves with the clock.
  const { activeSince: _before, ...statisticsKept } = statisticsBefore.body;
  const { activeSince: _after, ...statisticsNow } = statisticsAfter.body;
  t.same(statisticsNow, statisticsKept, 'statistics unchanged');
  const asOf = await call('GET', `/v1/audit/volunteers/${volunteerId}/as-of?at=${new Date().toISOString()}`);
  t.equal(asOf.status, 200, JSON.stringify(asOf.body));
  t.match(
    asOf.body,
    {
      summary: {
        confirmedMinutes: before.body.confirmedMinutes,
        availableCentipoints: before.body.availableCentipoints,
      },
    },
    'as-of keeps hours and points',
  );
  t.equal(await stopServer(server.child), 0, 'the server stops cleanly');

  t.same(
    keyStoreRows(directory, volunteerId),
    { key: { wrapped_key: null }, indexEntries: 0 },
    'key and index entry gone',
  );
  const list = readFileSync(join(directory, ERASURE_LIST_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  t.equal(list.length, 1, 'one line');
  t.match(list, [{ volunteerId, reason: 'consent_withdrawn' }], 'the erasure is on the erasure list');
  t.same(await searchEverywhere(t, directory, volunteerId, topic), [], 'nothing found after erasure either');
  const verified = ledger(['verify', '--quiet', '--data-dir', directory]);
  t.equal(verified.status, 0, `verify passes after erasure\n${verified.stdout}${verified.stderr}`);
  const rebuilt = ledger(['rebuild', '--quiet', '--data-dir', directory]);
  t.equal(rebuilt.status, 0, `rebuild passes after erasure\n${rebuilt.stdout}${rebuilt.stderr}`);

  t.match(keyStoreRows(join(backup), volunteerId), { indexEntries: 1 }, 'the backup predates the erasure');
  t.not(keyStoreRows(backup, volunteerId).key?.wrapped_key, null, 'and holds the key');
  const restoredRun = ledger([
    'restore',
    '--from',
    backup,
    '--data-dir',
    restored,
    '--erasure-list',
    join(directory, ERASURE_LIST_FILE),
    '--quiet',
  ]);
  t.equal(
    restoredRun.status,
    0,
    `restore exits 0 (verify passes)\n${restoredRun.stdout}${restoredRun.stderr}`,
  );
  t.match(restoredRun.stdout, /re-applied 1 erasures \(1 erased\)/);
  t.same(
    keyStoreRows(restored, volunteerId),
    { key: { wrapped_key: null }, indexEntries: 0 },
    'the key and index entry are destroyed in the restored key store',
  );
  const again = await startServer({ LEDGER_DATA_DIR: restored, LEDGER_SWEEP_INTERVAL_MS: '0' }, restored);
  t.teardown(() => void again.child.kill('SIGKILL'));
  const onRestored = await client(again, adminKey)('GET', `/v1/volunteers/${volunteerId}`);
  t.equal(onRestored.status, 200, JSON.stringify(onRestored.body));
  t.equal(onRestored.body.name, ERASED_TEXT, 'the restored ledger reads the name as erased');
  t.equal(onRestored.body.confirmedMinutes, before.body.confirmedMinutes, 'with the hours kept');
  t.equal(await stopServer(again.child), 0);
  const verifiedRestored = ledger(['verify', '--quiet', '--data-dir', restored]);
  t.equal(verifiedRestored.status, 0, `verify passes on the restored ledger\n${verifiedRestored.stdout}`);
});
