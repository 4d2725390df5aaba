/**
 * Crash safety: a child process appends under load and is killed with SIGKILL at a random moment.
 * Afterwards every acknowledged append is present, every stream's revisions are gapless, no part
 * of any append is visible without the rest (acknowledged or not), positions are gapless, and
 * every hash chain verifies.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { verifyStreamChain, type RecordedEvent } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.js';
import { dropSchema, freshSchemaName } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');
const CHILD = fileURLToPath(new URL('./fixtures/append-under-load.ts', import.meta.url));
/** Kill rounds per run: each kills a fresh child at a new random moment. */
const ROUNDS = 3;

interface Ack {
  readonly appendId: string;
  readonly streamName: string;
  readonly nextExpectedRevision: bigint;
  readonly count: number;
}

/** Runs the child until it has acknowledged a random number of appends, then SIGKILLs it. */
async function runAndKill(connectionString: string, schema: string, prefix: string): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, connectionString, schema, prefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks: Ack[] = [];
  const killAfterAcks = randomInt(200, 3000);
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [word, appendId, streamName, revision, count] = line.split(' ');
      if (word !== 'ack' || appendId === undefined || streamName === undefined) continue;
      acks.push({ appendId, streamName, nextExpectedRevision: BigInt(revision ?? ''), count: Number(count) });
      if (acks.length === killAfterAcks) {
        // A further random delay, so that the kill lands anywhere in a group commit's life.
        setTimeout(() => child.kill('SIGKILL'), randomInt(0, 20));
      }
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const signal = await exited;
  clearTimeout(timer);
  if (signal !== 'SIGKILL') throw new Error(`child ended by ${String(signal)}, not by SIGKILL`);
  return acks;
}

async function readWholeLog(store: PostgresEventStore): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for (let page = await store.readAll(); page.length > 0;) {
    log.push(...page);
    page = await store.readAll({ fromPosition: page.at(-1)?.position ?? 0n });
  }
  return log;
}

if (url !== undefined) {
  t.test('SIGKILL under load loses no acknowledged append and tears no append apart', async (t) => {
    const schema = freshSchemaName();
    t.teardown(() => dropSchema(url, schema));
    const acks: Ack[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      acks.push(...(await runAndKill(url, schema, `round${round}`)));
    }
    const store = await createPostgresEventStore({ connectionString: url, schema });
    t.teardown(() => store.close());
    const log = await readWholeLog(store);
    t.ok(acks.length >= ROUNDS * 200, `the children acknowledged ${acks.length} appends`);

    t.same(
      log.map((event) => event.position),
      Array.from({ length: log.length }, (_, index) => BigInt(index + 1)),
      'global positions are gapless',
    );
    const byAppend = new Map<string, RecordedEvent[]>();
    const byStream = new Map<string, RecordedEvent[]>();
    for (const event of log) {
      const appendId = typeof event.data.appendId === 'string' ? event.data.appendId : '';
      byAppend.set(appendId, [...(byAppend.get(appendId) ?? []), event]);
      byStream.set(event.streamName, [...(byStream.get(event.streamName) ?? []), event]);
    }
    const missing = acks.filter((ack) => {
      const events = byAppend.get(ack.appendId) ?? [];
      return events.length !== ack.count || events.at(-1)?.revision !== ack.nextExpectedRevision;
    });
    t.same(missing, [], 'every acknowledged append is stored whole at the revision it was told');

    const torn = [...byAppend.entries()].filter(([, events]) => {
      const first = events[0];
      return (
        first === undefined ||
        events.length !== Number(first.data.count) ||
        events.some(
          (event, index) =>
            event.data.index !== index ||
            event.streamName !== first.streamName ||
            event.revision !== first.revision + BigInt(index),
        )
      );
    });
    t.same(torn, [], 'every stored append is whole and contiguous, acknowledged or not');
    const acknowledged = new Set(acks.map((ack) => ack.appendId));
    t.comment(
      `${byAppend.size - acknowledged.size} appends committed without their acknowledgement being seen`,
    );

    const broken = [...byStream.entries()].flatMap(([streamName, events]) => {
      const verdict = verifyStreamChain(streamName, events);
      return verdict.ok ? [] : [verdict];
    });
    t.same(
      broken,
      [],
      `every one of ${byStream.size} streams has gapless revisions and a verifying hash chain`,
    );
  });
}
