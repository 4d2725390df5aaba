import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { verifyLedger } from '../src/audit/verify.js';
import { openSqliteReadModels } from '../src/dialect/sqlite.js';
import { Projector } from '../src/projector.js';
import { LIVE_PREFIX } from '../src/tables.js';
import { generateLedger } from '../src/testing/index.js';

const child = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'projector-child.ts');

/** Starts the projector child, waits until it has committed past `afterPosition`, then SIGKILLs it. */
async function killMidway(directory: string, afterPosition: bigint, head: bigint): Promise<bigint> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    process_.on('exit', (_code, signal) => resolve(signal)),
  );
  let seen = 0n;
  for await (const line of createInterface({ input: process_.stdout })) {
    if (!/^\d+$/.test(line)) continue;
    seen = BigInt(line);
    if (seen > afterPosition || seen >= head) {
      // A random few milliseconds later, so the kill lands anywhere inside the next batches.
      setTimeout(() => process_.kill('SIGKILL'), Math.floor(Math.random() * 15));
      break;
    }
  }
  process_.stdout.destroy();
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the projector child ended by itself (${signal})`);
  return seen;
}

t.test('SIGKILL of the projector mid-batch loses nothing and doubles nothing', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-projector-crash-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const store = createSqliteEventStore({ path: join(directory, 'events.sqlite') });
  const events = await generateLedger(store, { volunteers: 1000, eventsTarget: 30_000 });
  const head = await store.headPosition();
  t.ok(events >= 30_000);

  let reached = 0n;
  for (let kill = 0; kill < 3; kill += 1) {
    reached = await killMidway(directory, reached + head / 5n, head);
    t.comment(`kill ${kill} after checkpoint ${reached} of ${head}`);
  }
  t.ok(reached < head, 'the last kill happened before the projector finished');

  const db = openSqliteReadModels({ path: join(directory, 'read-models.sqlite') });
  const projector = new Projector({ store, db });
  await projector.start();
  await projector.waitForPosition(head, { timeoutMs: 60_000 });
  await projector.stop();

  // Exact totals from the events themselves: each confirmed record is 60 minutes.
  let confirmed = 0;
  let earned = 0;
  for (
    let page = await store.readAll();
    page.length > 0;
    page = await store.readAll({ fromPosition: page.at(-1)?.position ?? 0n })
  ) {
    for (const event of page) {
      if (event.type === 'ServiceHoursConfirmed') confirmed += 60;
      if (event.type === 'PointsEarned') earned += event.data.centipoints as number;
    }
  }
  const [totals] = await db.query(
    `SELECT SUM(confirmed_minutes) AS minutes, SUM(earned_centipoints) AS earned FROM ${LIVE_PREFIX}volunteer_summary`,
  );
  t.same(totals, { minutes: confirmed, earned }, 'every event counted exactly once');

  const report = await verifyLedger({ store, db });
  t.same(report.findings, [], 'the recovered read models equal a clean replay, row by row');
  await db.close();
  await store.close();
});
