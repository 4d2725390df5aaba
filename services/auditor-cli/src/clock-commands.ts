/**
 * `pnpm ledger tick` (one sweep of the ledger's clock, as the API runs it every
 * LEDGER_SWEEP_INTERVAL_MS) and `pnpm ledger due` (what is due and overdue). Both first bring the
 * read models up to the store's head, since the due index is one of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createLedger,
  createScheduler,
  holdExpiryJob,
  pointsExpiryJob,
  reactionHealingJob,
  type PersonalKeys,
  type TickReport,
} from '@timebank/application';
import {
  createFileCheckpointStore,
  NATIONAL_ID_KEY_FILE,
  openPersonalKeys,
  openSweepLease,
  REACTOR_CHECKPOINT_FILE,
  openLedger,
  type OpenedLedger,
} from '@timebank/ledger-opener';
import { createDueIndexQueries, Projector, type DueItem } from '@timebank/projections';
import type { Backend } from './args.js';
import { configured, configuredNationalIdKey } from './privacy-commands.js';
import { CURRENT_READ_MODELS, MIGRATION_ON_STDERR } from './schema-logger.js';

/** How long to wait for the read models to reach the head before giving up, in ms. 10 min: a large catch-up. */
const CATCH_UP_TIMEOUT_MS = 600_000;
/** Items `due` lists in each section. 100: a screen's worth; `--json` consumers page with the API later. */
const LIST_ITEMS_MAX = 100;

async function catchUp(backends: OpenedLedger): Promise<void> {
  const projector = new Projector({ store: backends.store, db: backends.readModels });
  await projector.start();
  try {
    const head = await backends.store.headPosition();
    if (!(await projector.waitFor(head, CATCH_UP_TIMEOUT_MS)))
      throw new Error(`the read models did not reach position ${head} in time`);
  } finally {
    await projector.stop();
  }
}

/**
 * The national-ID key only seeds the ledger's hash; expiring a hold never uses it. Taken from the
 * environment or the SQLite data directory like the API does, else a placeholder of the right size.
 */
function nationalIdKeyOf(backend: Backend, environment: NodeJS.ProcessEnv): string {
  // A key set but malformed is refused as the API refuses it, not replaced by the placeholder.
  const configured = configuredNationalIdKey(environment);
  if (configured !== null) return configured;
  const path = join(resolve(backend.readModelDataDir), NATIONAL_ID_KEY_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  return 'unused-by-the-clock-commands-0000000000';
}

export async function tick(
  backends: OpenedLedger,
  backend: Backend,
  environment: NodeJS.ProcessEnv,
): Promise<TickReport> {
  await catchUp(backends);
  // The API seals personal fields (privacy.md): deciding an expiry folds the volunteer's stream,
  // whose registration must open (its birth date is parsed), so the clock needs the keys too.
  const keys = await openPersonalKeys(backend.store, {
    masterKey: configured(environment, 'LEDGER_MASTER_KEY'),
    readModelDataDir: backend.readModelDataDir,
  });
  try {
    return await sweepOnce(backends, backend, environment, keys.keys);
  } finally {
    await keys.close();
  }
}

async function sweepOnce(
  backends: OpenedLedger,
  backend: Backend,
  environment: NodeJS.ProcessEnv,
  personalKeys: PersonalKeys,
): Promise<TickReport> {
  const clock = () => Date.now();
  const ledger = createLedger({
    store: backends.store,
    clock,
    nationalIdKey: nationalIdKeyOf(backend, environment),
    personalKeys,
  });
  const queries = createDueIndexQueries(backends.readModels);
  const scheduler = createScheduler({
    clock,
    lease: openSweepLease(backend.store),
    jobs: [
      holdExpiryJob({
        ledger,
        source: {
          dueHolds: async (dueBy, limit, after) =>
            (await queries.due(dueBy, limit, after, 'expire-hold')).map((item) => ({
              ...item,
              holdId: item.subjectId,
            })),
        },
      }),
      pointsExpiryJob({
        ledger,
        source: {
          dueLots: async (dueBy, limit, after) =>
            (await queries.due(dueBy, limit, after, 'expire-points')).map((item) => ({
              ...item,
              recordId: item.subjectId,
            })),
        },
      }),
      reactionHealingJob({
        store: backends.store,
        ledger,
        checkpoints: createFileCheckpointStore(
          join(resolve(backend.readModelDataDir), REACTOR_CHECKPOINT_FILE),
        ),
      }),
    ],
    onError: (error, job) => {
      throw new Error(`${job}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    },
  });
  try {
    return await scheduler.tick();
  } finally {
    await scheduler.stop();
  }
}

export interface DueListing {
  readonly now: string;
  readonly overdue: readonly DueItem[];
  readonly upcoming: readonly DueItem[];
}

export async function listDue(backends: OpenedLedger): Promise<DueListing> {
  await catchUp(backends);
  const now = new Date().toISOString();
  const queries = createDueIndexQueries(backends.readModels);
  return {
    now,
    overdue: await queries.due(now, LIST_ITEMS_MAX),
    upcoming: await queries.upcoming(now, LIST_ITEMS_MAX),
  };
}

export function formatDue(listing: DueListing): string {
  const nowMs = Date.parse(listing.now);
  const line = (item: DueItem, label: string) => {
    const lagSeconds = Math.round((nowMs - Date.parse(item.dueAt)) / 1000);
    const when = lagSeconds >= 0 ? `${lagSeconds} s overdue` : `in ${-lagSeconds} s`;
    return `${label} ${item.key} due ${item.dueAt} (${when}) volunteer ${item.volunteerId}\n`;
  };
  return (
    listing.overdue.map((item) => line(item, 'OVERDUE')).join('') +
    listing.upcoming.map((item) => line(item, 'DUE    ')).join('') +
    `${listing.overdue.length} overdue, ${listing.upcoming.length} upcoming (at most ${LIST_ITEMS_MAX} each) at ${listing.now}\n`
  );
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Runs `tick` or `due` on the ledger `command.backend` names and returns what to print on stdout. */
export async function clockCommand(
  command: { readonly name: 'tick' | 'due'; readonly backend: Backend; readonly json: boolean },
  environment: NodeJS.ProcessEnv,
): Promise<string> {
  const backends = await openLedger(command.backend.store, {
    mustExist: true,
    readModelDataDir: command.backend.readModelDataDir,
    ...CURRENT_READ_MODELS,
    ...MIGRATION_ON_STDERR,
  });
  try {
    if (command.name === 'due') {
      const listing = await listDue(backends);
      return command.json ? json(listing) : formatDue(listing);
    }
    const report = await tick(backends, command.backend, environment);
    if (command.json) return json(report);
    if (!report.leaseHeld) return 'another process holds the sweep lease; nothing done\n';
    const effects = Object.entries(report.effects).map(([job, events]) => `${job} ${events} events`);
    return `swept: ${effects.join(', ')}\n`;
  } finally {
    await backends.close();
  }
}
