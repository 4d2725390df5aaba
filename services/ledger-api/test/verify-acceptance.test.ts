/**
 * The acceptance test for the auditor's verify: the real server (`src/server.ts` as a process)
 * on a fresh ledger, a journey over real HTTP (keys issued and revoked, a registration, service
 * recorded and confirmed, idempotent repeats), then `pnpm ledger verify` as a process: exit 0 and
 * a clean report. One byte of one stored event changed behind the ledger's back: exit 1, naming
 * that stream and revision. On SQLite, and on PostgreSQL when POSTGRES_URL is set.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import t, { type Test } from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';
import { freshPostgresSchema } from './fixtures.js';
import { startServer, stopServer } from './server-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const postgresUrl = requireServerUrl('POSTGRES_URL');

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A valid resident ID number of someone born 1985-06-15 (an adult); never a real person's. */
function nationalIdNumber(sequence: number): string {
  const body = `13010219850615${String(sequence).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index]!, 0);
  return body + CHECK[sum % 11]!;
}

/**
 * The first-run administrator key: printed on stdout, or written to a file whose path is printed
 * or which lies in the data directory (where a key file would keep it out of collected logs).
 */
function bootstrapKey(stdout: string, directories: readonly string[]): string {
  const KEY = /tbk_[A-Za-z0-9_-]{20,}/;
  const printed = KEY.exec(stdout)?.[0];
  if (printed !== undefined) return printed;
  const printedPaths = [...stdout.matchAll(/(\/[^\s'"]+)/g)].map((match) => match[1]!);
  const candidates = [
    ...printedPaths,
    ...directories.flatMap((directory) => readdirSync(directory).map((name) => join(directory, name))),
  ];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      const found = KEY.exec(readFileSync(path, 'utf8'))?.[0];
      if (found !== undefined) return found;
    } catch {
      // A directory or an unreadable file: not the key file.
    }
  }
  throw new Error(`no bootstrap key found in the server's output:\n${stdout}`);
}

/** The journey; returns the volunteer's stream, whose first event the test later alters. */
async function journey(t: Test, url: string, adminKey: string): Promise<string> {
  let counter = 0;
  const call = async (method: string, path: string, key: string, body?: unknown, idempotencyKey?: string) => {
    counter += 1;
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': idempotencyKey ?? `journey-${counter}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const expect = async (status: number, pending: ReturnType<typeof call>, what: string) => {
    const response = await pending;
    t.equal(response.status, status, what);
    if (response.status !== status) t.comment(JSON.stringify(response.body));
    return response;
  };
  await expect(
    201,
    call('POST', '/v1/admin/organisations', adminKey, {
      organisationId: 'org1',
      name: 'Qiaoxi Social Work Station',
      community: 'c1',
    }),
    'organisation registered',
  );

  const keyRequest = {
    role: 'organiser',
    scope: { kind: 'organisation', id: 'org1' },
    label: 'Organiser, Qiaoxi',
  };
  const issued = await expect(
    201,
    call('POST', '/v1/admin/api-keys', adminKey, keyRequest, 'issue-organiser'),
    'organiser key issued',
  );
  const repeat = await expect(
    201,
    call('POST', '/v1/admin/api-keys', adminKey, keyRequest, 'issue-organiser'),
    'the same issue repeated',
  );
  t.equal(repeat.headers.get('idempotent-replayed'), 'true', 'the repeat is replayed, not issued again');
  const organiserKey = String(issued.body.key);
  const keyId = String(issued.body.keyId);

  const registration = {
    name: 'Zhang Wei',
    nationalIdNumber: nationalIdNumber(1),
    phone: '+86-311-5550000',
    community: 'c1',
  };
  const registered = await expect(
    201,
    call('POST', '/v1/volunteers', adminKey, registration, 'register-zhang'),
    'volunteer registered',
  );
  const again = await expect(
    201,
    call('POST', '/v1/volunteers', adminKey, registration, 'register-zhang'),
    'the same registration repeated',
  );
  t.equal(again.headers.get('idempotent-replayed'), 'true');
  const volunteerId = String(registered.body.volunteerId);

  const hour = 3_600_000;
  const start = Math.floor((Date.now() - 30 * hour) / 60_000) * 60_000;
  const recorded = await expect(
    201,
    call('POST', `/v1/volunteers/${volunteerId}/service-records`, organiserKey, {
      activity: 'Reading to elders',
      organisationId: 'org1',
      startAt: new Date(start).toISOString(),
      endAt: new Date(start + 2 * hour).toISOString(),
    }),
    'service recorded by the organiser',
  );
  const confirmPath = `/v1/volunteers/${volunteerId}/service-records/${String(recorded.body.recordId)}/confirm`;
  await expect(200, call('POST', confirmPath, organiserKey, {}, 'confirm-1'), 'service confirmed');
  await expect(200, call('POST', confirmPath, organiserKey, {}, 'confirm-1'), 'the confirmation repeated');

  await expect(
    200,
    call('POST', `/v1/admin/api-keys/${keyId}/revoke`, adminKey, { reason: 'left the station' }),
    'organiser key revoked',
  );
  await expect(
    401,
    call('GET', `/v1/volunteers/${volunteerId}`, organiserKey),
    'the revoked key no longer works',
  );
  return `volunteer-${volunteerId}`;
}

function ledgerVerify(args: readonly string[]) {
  return spawnSync('pnpm', ['--silent', 'ledger', 'verify', '--quiet', ...args], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

/**
 * One bit of one byte inside the registration's community (the name is stored sealed,
 * docs/privacy.md): still valid JSON and a valid community.
 */
function flipOneByte(data: string): string {
  const at = data.indexOf('"community":"c1"') + '"community":"'.length;
  if (at < '"community":"'.length) throw new Error('the registration does not store the community');
  return data.slice(0, at) + String.fromCharCode(data.charCodeAt(at) ^ 1) + data.slice(at + 1);
}

async function verifyJourney(
  t: Test,
  options: {
    environment: Record<string, string>;
    cwd: string;
    keyDirectories: readonly string[];
    cliArgs: readonly string[];
    tamper: (streamName: string) => Promise<void>;
  },
): Promise<void> {
  const server = await startServer(options.environment, options.cwd);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const stream = await journey(t, server.url, bootstrapKey(server.stdout(), options.keyDirectories));
  t.equal(await stopServer(server.child), 0, 'the server stops cleanly');

  const clean = ledgerVerify(options.cliArgs);
  t.equal(clean.status, 0, `verify exits 0 on the ledger the API wrote\n${clean.stdout}${clean.stderr}`);
  t.match(clean.stdout, /^OK: \d+ events in \d+ streams/m, 'a clean report');
  t.notMatch(clean.stdout, /FAIL/, 'no finding');

  await options.tamper(stream);
  const tampered = ledgerVerify(options.cliArgs);
  t.equal(tampered.status, 1, 'verify exits 1 after one byte changed');
  t.match(
    tampered.stdout,
    `FAIL [hash-chain] ${stream}@0: stored hash does not match content`,
    'naming that stream and revision',
  );
}

t.test('SQLite: the ledger the server wrote verifies, and one changed byte is named', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-acceptance-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  await verifyJourney(t, {
    environment: { LEDGER_DATA_DIR: directory },
    cwd: directory,
    keyDirectories: [directory],
    cliArgs: ['--data-dir', directory],
    async tamper(stream) {
      const raw = new Database(join(directory, EVENT_STORE_FILE));
      try {
        const row = raw
          .prepare(
            'SELECT data FROM events WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = ?) AND revision = 0',
          )
          .get(stream) as { data: string };
        raw
          .prepare(
            'UPDATE events SET data = ? WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = ?) AND revision = 0',
          )
          .run(flipOneByte(row.data), stream);
      } finally {
        raw.close();
      }
    },
  });
});

t.test(
  'PostgreSQL: the ledger the server wrote verifies, and one changed byte is named',
  { skip: postgresUrl === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const url = postgresUrl!;
    const directory = mkdtempSync(join(tmpdir(), 'timebank-acceptance-'));
    t.teardown(() => rmSync(directory, { recursive: true, force: true }));
    const schema = freshPostgresSchema(t, url, 'acceptance');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    t.teardown(() => admin.end());
    const events = `${admin.escapeIdentifier(schema)}.events`;
    await verifyJourney(t, {
      environment: {
        LEDGER_STORE: 'postgres',
        POSTGRES_URL: url,
        POSTGRES_SCHEMA: schema,
        LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
        LEDGER_DATA_DIR: directory,
      },
      cwd: directory,
      keyDirectories: [directory, join(directory, 'data')].filter((path) => existsSync(path)),
      cliArgs: ['--store', 'postgres', '--postgres-url', url, '--postgres-schema', schema],
      async tamper(stream) {
        // Events are immutable by trigger; someone with the table owner's rights can still switch it off.
        const { rows } = await admin.query<{ data: string }>(
          `SELECT data::text AS data FROM ${events} WHERE stream_name = $1 AND revision = 0`,
          [stream],
        );
        await admin.query(`ALTER TABLE ${events} DISABLE TRIGGER events_are_immutable`);
        await admin.query(`UPDATE ${events} SET data = $2::json WHERE stream_name = $1 AND revision = 0`, [
          stream,
          flipOneByte(rows[0]!.data),
        ]);
        await admin.query(`ALTER TABLE ${events} ENABLE TRIGGER events_are_immutable`);
      },
    });
  },
);
