import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { verifyStreamChain } from '@timebank/event-store';
import type { RecordedEvent } from '@timebank/event-store';
import { createSqliteEventStore } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-crash-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

interface Line {
  readonly kind: 'attempt' | 'ack' | 'conflict';
  readonly streamName: string;
  readonly ids: readonly string[];
  readonly firstRevision?: string;
}

/** Runs the writer until it has acknowledged `acksBeforeKill` appends, waits `delayMs`, then SIGKILLs it. */
async function runAndKill(
  path: string,
  runId: number,
  acksBeforeKill: number,
  delayMs: number,
): Promise<Line[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), path, String(runId)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: Line[] = [];
  let acks = 0;
  let killTimer: NodeJS.Timeout | undefined;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  for await (const text of createInterface({ input: child.stdout })) {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      continue; // Only a line cut by the kill can be partial; it was never a whole acknowledgement.
    }
    lines.push(line);
    if (line.kind === 'ack') acks += 1;
    if (acks === acksBeforeKill && killTimer === undefined) {
      killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the writer ended by itself (signal ${signal}) before the kill`);
  return lines;
}

t.test('SIGKILL under load loses no acknowledged append and exposes no partial one', async (t) => {
  const path = join(directory, 'crash.db');
  const lines: Line[] = [];
  for (let run = 0; run < 3; run += 1) {
    const acksBeforeKill = 50 + Math.floor(Math.random() * 300);
    const delayMs = Math.floor(Math.random() * 200);
    t.comment(`run ${run}: kill ${delayMs} ms after ack ${acksBeforeKill}`);
    lines.push(...(await runAndKill(path, run, acksBeforeKill, delayMs)));
  }
  const integrity = new Database(path);
  t.equal(integrity.pragma('integrity_check', { simple: true }), 'ok', 'the database file is intact');
  integrity.close();

  const store = createSqliteEventStore({ path });
  t.teardown(() => store.close());
  const log: RecordedEvent[] = [];
  for (let page = await store.readAll(); page.length > 0;) {
    log.push(...page);
    page = await store.readAll({ fromPosition: page.at(-1)?.position ?? 0n });
  }
  const byId = new Map(log.map((event) => [event.id, event]));
  t.equal(byId.size, log.length, 'no event id twice');

  const acks = lines.filter((line) => line.kind === 'ack');
  t.ok(acks.length >= 150, `${acks.length} acknowledged appends to check`);
  const lost = acks.filter((ack) =>
    ack.ids.some(
      (id, index) =>
        byId.get(id)?.streamName !== ack.streamName ||
        byId.get(id)?.revision !== BigInt(ack.firstRevision ?? -1) + BigInt(index),
    ),
  );
  t.same(lost, [], 'every acknowledged append is stored where it was acknowledged');

  const attempts = lines.filter((line) => line.kind === 'attempt');
  const partial = attempts.filter((attempt) => {
    const present = attempt.ids.filter((id) => byId.has(id)).length;
    return present !== 0 && present !== attempt.ids.length;
  });
  t.same(partial, [], 'every attempted append is either wholly stored or wholly absent');
  const attemptedIds = new Set(attempts.flatMap((attempt) => attempt.ids));
  t.ok(
    log.every((event) => attemptedIds.has(event.id)),
    'every stored event belongs to an attempted append',
  );
  const answered = new Set(lines.filter((line) => line.kind !== 'attempt').map((line) => line.ids[0]));
  const inFlight = attempts.filter((attempt) => !answered.has(attempt.ids[0]));
  const committedUnacknowledged = inFlight.filter((attempt) => attempt.ids.every((id) => byId.has(id)));
  t.ok(
    inFlight.length > 0,
    `${inFlight.length} appends were in flight at the kills; ${committedUnacknowledged.length} of them had committed`,
  );

  const streams = new Set(log.map((event) => event.streamName));
  for (const streamName of streams) {
    const events = await store.readStream(streamName);
    const verdict = verifyStreamChain(streamName, events);
    if (!verdict.ok) t.fail(`${streamName}: ${verdict.reason} at revision ${verdict.revision}`);
  }
  t.pass(`${streams.size} streams are gapless and their hash chains verify`);
  t.ok(
    log.every((event, index) => index === 0 || event.position > (log[index - 1]?.position ?? 0n)),
    'global positions strictly increase',
  );
});
