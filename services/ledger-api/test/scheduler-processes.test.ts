/**
 * Two API processes over one PostgreSQL schema, both with the scheduler on: one holds the sweep
 * lease and expires the due holds, each exactly once (counted in the store); when it dies, the
 * other takes the lease over and expires what falls due next.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import type { ServerProcess } from './server-process.js';
import {
  allEvents,
  heldTotal,
  holdOutcomes,
  placeHolds,
  processesSchema,
  startTwoProcesses,
  waitFor,
} from './scheduler-support.js';

const url = requireServerUrl('POSTGRES_URL');
const HOLDS = 300;

async function sweeps(server: ServerProcess): Promise<number> {
  const text = await fetch(`${server.url}/metrics`).then((response) => response.text());
  return Number(/^ledger_scheduler_sweeps_total (\d+)$/m.exec(text)?.[1] ?? 'NaN');
}

t.test(
  'two processes sweeping one PostgreSQL ledger store each effect once',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const shared = processesSchema(t, url!, 'ledger_sweep');
    const { schema, directory, servers } = shared;
    const environment = {
      ...shared.environment,
      // Processes sharing one schema share the master key (separate data directories, as on two machines).
      LEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      LEDGER_SWEEP_INTERVAL_MS: '100',
      RATE_LIMIT_REQUESTS_MAX: '1000000',
    };
    const dataDir = (name: string) => join(directory, name, 'data');
    const { a, b, admin, partner, volunteerIds } = await startTwoProcesses(
      t,
      servers,
      {
        a: { ...environment, LEDGER_DATA_DIR: dataDir('a') },
        b: { ...environment, LEDGER_DATA_DIR: dataDir('b') },
      },
      6,
    );
    await placeHolds([a, b], partner, volunteerIds, HOLDS);
    t.ok(
      await waitFor(async () => (await heldTotal(a, admin, volunteerIds)) === 0, 60_000),
      'every hold expired',
    );
    const [sweepsA, sweepsB] = [await sweeps(a), await sweeps(b)];
    t.ok((sweepsA === 0) !== (sweepsB === 0), `one process swept (a: ${sweepsA}, b: ${sweepsB})`);

    // The holder dies without a word; its session ends and the other process takes the lease.
    const [holder, survivor] = sweepsA > 0 ? [a, b] : [b, a];
    holder.child.kill('SIGKILL');
    await new Promise((resolve) => holder.child.once('exit', resolve));
    servers.splice(servers.indexOf(holder), 1);
    await placeHolds([survivor], partner, volunteerIds, 20);
    t.ok(
      await waitFor(async () => (await heldTotal(survivor, admin, volunteerIds)) === 0, 60_000),
      'the survivor expires what falls due after the holder died',
    );
    t.ok((await sweeps(survivor)) > 0, 'the survivor holds the lease now');

    const store = await createPostgresEventStore({ connectionString: url!, schema });
    const outcomes = holdOutcomes(await allEvents(store));
    await store.close();
    t.equal(outcomes.placed, HOLDS + 20);
    t.equal(outcomes.expiries.size, HOLDS + 20, 'every hold expired');
    t.ok(
      [...outcomes.expiries.values()].every((count) => count === 1),
      'each exactly once',
    );
    t.equal(outcomes.balanceSum, 0, 'Σ balances = 0');
  },
);
