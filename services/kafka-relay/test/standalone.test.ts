/**
 * The standalone relay as an operator starts it (docs/events.md, "Relay operations"):
 * `KAFKA_BROKERS=… pnpm --filter @timebank/kafka-relay start` from the repository root. pnpm runs
 * the script in services/kafka-relay and passes the directory it was started in as INIT_CWD.
 *
 * - Idle on SQLite (nothing to publish yet), it keeps running and waits for the ledger's writes;
 *   it used to exit with code 13 (an unsettled top-level await) as soon as it caught up, because
 *   the only timer left, the SQLite change poll, does not keep the process alive.
 * - A relative LEDGER_DATA_DIR (the default `./data` too) is the one under the directory pnpm was
 *   started in, as for `pnpm start`; it used to be services/kafka-relay/data.
 * - A data directory without a ledger is refused (exit 1) rather than given a new, empty
 *   ledger.sqlite the relay would watch for ever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { volunteerStream } from '@timebank/domain';
import { openEventStore } from '@timebank/ledger-opener';
import { domainEvent } from './fixtures.js';

const brokers = requireServerUrl('KAFKA_BROKERS');
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What the package's `start` script runs its entry through (a bundle; no tsx loader thread). */
const launcher = join(packageDir, '..', '..', 'scripts', 'launch.mjs');

interface Relay {
  readonly child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** What `pnpm --filter @timebank/kafka-relay start` runs, started from `initCwd`. */
function startRelay(initCwd: string, environment: Record<string, string>): Relay {
  const child = spawn(process.execPath, [launcher, join('src', 'main.ts')], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', INIT_CWD: initCwd, LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ledgerIn(dataDir: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const store = await openEventStore({ engine: 'sqlite', dataDir });
  await store.close();
}

if (brokers !== undefined) {
  t.test('idle on SQLite, the relay keeps running and stops cleanly on SIGTERM', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'relay-standalone-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    await ledgerIn(join(root, 'data'));
    const hadPackageData = existsSync(join(packageDir, 'data'));
    const relay = startRelay(root, {
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: `standalone-${randomUUID()}.`,
    });
    t.teardown(() => relay.child.kill('SIGKILL'));
    await until(() => relay.output().includes('kafka relay caught up'), 'the relay to catch up');
    const early = await Promise.race([
      relay.exited.then((code) => `exited with ${code}`),
      new Promise<string>((resolve) => setTimeout(() => resolve('running'), 1500)),
    ]);
    t.equal(early, 'running', `still running after catching up\n${relay.output()}`);

    // It watches the ledger it was pointed at: an event written there now is relayed.
    const store = await openEventStore({ engine: 'sqlite', dataDir: join(root, 'data') });
    await store.appendToStream(
      volunteerStream('v1'),
      [
        domainEvent('VolunteerRegistered', {
          idempotencyKey: 'register-v1',
          volunteerId: 'v1',
          volunteerNumber: 'Nv1',
          name: 'Li Wei',
          nationalIdHash: 'ab'.repeat(32),
          nationalIdMasked: '1301**********1234',
          phone: '+8613800000000',
          community: 'Qiaoxi',
          registeredAt: '2026-03-01T08:00:00.000Z',
          actor: { id: 'desk-1', role: 'registration_desk', organisationId: 'org1' },
        }),
      ],
      { expectedRevision: 'no_stream' },
    );
    await store.close();
    // LEDGER_DATA_DIR is unset: ./data under the directory pnpm was started in.
    const checkpoint = join(root, 'data', 'kafka-relay.checkpoint.json');
    await until(
      () => existsSync(checkpoint) && readFileSync(checkpoint, 'utf8').includes('"position":"1"'),
      'the checkpoint in <root>/data to reach position 1',
    );
    // (A services/kafka-relay/data left by an earlier relay run before this fix proves nothing.)
    if (!hadPackageData) {
      t.notOk(existsSync(join(packageDir, 'data')), 'nothing was created under services/kafka-relay');
    }

    relay.child.kill('SIGTERM');
    t.equal(await relay.exited, 0, 'SIGTERM stops it with exit code 0');
    t.match(relay.output(), /kafka relay stopped/);
  });

  t.test('a data directory without a ledger is refused, and no ledger is created', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'relay-standalone-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const relay = startRelay(root, { KAFKA_BROKERS: brokers, LEDGER_DATA_DIR: 'no-such-data' });
    t.teardown(() => relay.child.kill('SIGKILL'));
    t.equal(await relay.exited, 1, relay.output());
    t.match(relay.output(), /no ledger at .*no-such-data.*ledger\.sqlite.*LEDGER_DATA_DIR/);
    t.notOk(existsSync(join(root, 'no-such-data')), 'no directory created');
  });

  // Found by a tester: a mistyped POSTGRES_SCHEMA created that schema, empty, and the relay
  // followed it for ever with lag 0; a checkpoint path that is a directory or a bad file stopped the
  // relay only after it had opened the store, with a stack trace.
  const postgresUrl = requireServerUrl('POSTGRES_URL');
  if (postgresUrl !== undefined) {
    t.test('a PostgreSQL schema without a ledger is refused, and not created', async (t) => {
      const root = mkdtempSync(join(tmpdir(), 'relay-standalone-'));
      t.teardown(() => rmSync(root, { recursive: true, force: true }));
      const schema = `relay_typo_${randomUUID().slice(0, 8)}`;
      const relay = startRelay(root, {
        KAFKA_BROKERS: brokers,
        LEDGER_STORE: 'postgres',
        POSTGRES_URL: postgresUrl,
        POSTGRES_SCHEMA: schema,
        RELAY_CHECKPOINT_PATH: join(root, 'checkpoint.json'),
      });
      t.teardown(() => relay.child.kill('SIGKILL'));
      t.equal(await relay.exited, 1, relay.output());
      t.match(relay.output(), new RegExp(`no event store in postgres schema ${schema}`));
      // Opening it as a store that must exist finds no store there (nor creates one).
      const refused: unknown = await openEventStore(
        { engine: 'postgres', url: postgresUrl, schema },
        { mustExist: true },
      ).catch((error: unknown) => error);
      t.match(refused, { reason: 'missing' }, 'no schema created');
    });
  }

  t.test(
    'a checkpoint path that is no checkpoint is refused in one line, before the store opens',
    async (t) => {
      const root = mkdtempSync(join(tmpdir(), 'relay-standalone-'));
      t.teardown(() => rmSync(root, { recursive: true, force: true }));
      await ledgerIn(join(root, 'data'));
      writeFileSync(join(root, 'bad.json'), '{"position":"-5"}');
      for (const path of [root, join(root, 'bad.json')]) {
        const relay = startRelay(root, {
          KAFKA_BROKERS: brokers,
          LEDGER_DATA_DIR: 'data',
          RELAY_CHECKPOINT_PATH: path,
        });
        t.teardown(() => relay.child.kill('SIGKILL'));
        t.equal(await relay.exited, 2, relay.output());
        t.match(
          relay.output(),
          /^kafka-relay: RELAY_CHECKPOINT_PATH: must name the relay's checkpoint file; .+\n$/,
        );
        t.notMatch(relay.output(), /\n\s+at /, 'no stack trace');
      }
    },
  );
}
