/**
 * What sealing personal fields costs: the same registrations into two SQLite stores
 * in one run, one ledger plain and one sealing (AES-256-GCM per field, data keys in
 * `personal-keys.sqlite`, random ids claimed in its duplicate index). The two take turns in
 * short rounds and each rate is the median of its rounds, so a busy moment on a shared machine
 * falls on both alike. Then a cold ledger folds every volunteer (opening their fields), and a
 * read-model rebuild runs over each store (it reads ciphertext as stored and opens nothing).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLedger, PersonalKeys, type Ledger } from '@timebank/application';
import { createSqliteEventStore, type SqliteEventStore } from '@timebank/event-store-sqlite';
import { EVENT_STORE_FILE, openPersonalKeyStore, openReadModels } from '@timebank/ledger-opener';
import { rebuildReadModels } from '../../packages/projections/src/index.js';
import { NOW_MS, registration } from './support/ledger-world.js';
import { figure, type Benchmark, type Figure } from './types.js';

const NATIONAL_ID_KEY = 'bench-key-0123456789abcdef0123456789abcdef';
/** Registrations in flight, as in the other ledger benchmarks. */
const CALLERS = 16;
const SIZES = { quick: { perRound: 200, rounds: 3 }, full: { perRound: 2000, rounds: 5 } };

interface Side {
  readonly label: string;
  readonly directory: string;
  readonly store: SqliteEventStore;
  readonly ledger: Ledger;
  newLedger(): Ledger;
  close(): Promise<void>;
}

async function openSide(label: string, sealed: boolean): Promise<Side> {
  const directory = mkdtempSync(join(tmpdir(), `timebank-bench-${label}-`));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  const keyStore = sealed ? await openPersonalKeyStore({ engine: 'sqlite', dataDir: directory }) : null;
  const masterKey = randomBytes(32);
  const newLedger = (): Ledger =>
    createLedger({
      store,
      clock: () => NOW_MS,
      nationalIdKey: NATIONAL_ID_KEY,
      ...(keyStore === null ? {} : { personalKeys: new PersonalKeys(keyStore, masterKey) }),
    });
  return {
    label,
    directory,
    store,
    ledger: newLedger(),
    newLedger,
    async close() {
      await keyStore?.close();
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Registers volunteers `first …` with CALLERS in flight; returns registrations per second. */
async function registerRound(
  side: Side,
  first: number,
  count: number,
): Promise<{ rate: number; ids: string[] }> {
  const ids: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < count) {
        const slot = next++;
        const result = await side.ledger.execute(registration(first + slot));
        ids.push(result.streamName.slice('volunteer-'.length));
      }
    }),
  );
  return { rate: count / ((performance.now() - started) / 1000), ids };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Folds every volunteer with a fresh ledger (cold cache): reads their streams and opens each sealed field. */
async function coldLoadRate(side: Side, ids: readonly string[]): Promise<number> {
  const ledger = side.newLedger();
  const started = performance.now();
  for (const id of ids) await ledger.load('volunteer', id);
  return ids.length / ((performance.now() - started) / 1000);
}

async function rebuildRate(side: Side): Promise<number> {
  const modelsDirectory = mkdtempSync(join(tmpdir(), `timebank-bench-${side.label}-models-`));
  const db = await openReadModels({ engine: 'sqlite', dataDir: modelsDirectory });
  try {
    const result = await rebuildReadModels({ store: side.store, db });
    return result.events / Math.max(result.elapsedMs / 1000, 1e-3);
  } finally {
    await db.close();
    rmSync(modelsDirectory, { recursive: true, force: true });
  }
}

export const personalDataBenchmark: Benchmark = {
  name: 'personal-data',
  describe: ({ quick }) => {
    const size = quick ? SIZES.quick : SIZES.full;
    return `Registrations through the ledger into two fresh SQLite stores, plain and sealing (AES-256-GCM per personal field, per-volunteer data keys in \`personal-keys.sqlite\`, random ids through its duplicate index); ${size.rounds} rounds of ${size.perRound} registrations each, ${CALLERS} callers, alternating between the two. Then a cold ledger folds every volunteer, and \`rebuildReadModels\` runs over each store.`;
  },
  async run({ quick }): Promise<Figure[]> {
    const size = quick ? SIZES.quick : SIZES.full;
    const plain = await openSide('plain', false);
    const sealed = await openSide('sealed', true);
    try {
      const rates = { plain: [] as number[], sealed: [] as number[] };
      const ids = { plain: [] as string[], sealed: [] as string[] };
      for (let round = 0; round < size.rounds; round += 1) {
        for (const [name, side] of [
          ['plain', plain],
          ['sealed', sealed],
        ] as const) {
          const result = await registerRound(side, round * size.perRound, size.perRound);
          rates[name].push(result.rate);
          ids[name].push(...result.ids);
        }
      }
      const loadPlain = await coldLoadRate(plain, ids.plain);
      const loadSealed = await coldLoadRate(sealed, ids.sealed);
      const rebuildPlain = await rebuildRate(plain);
      const rebuildSealed = await rebuildRate(sealed);
      const total = size.rounds * size.perRound;
      return [
        figure({
          name: 'registrations with sealing',
          value: Math.round(median(rates.sealed)),
          unit: 'registrations/s',
          baseline: { name: 'plain', value: Math.round(median(rates.plain)) },
          note: `${total} registrations per store, median of ${size.rounds} interleaved rounds; sealing adds one durable key-store transaction (the duplicate-index claim and the new data key) and seven AES-GCM seals per registration.`,
        }),
        figure({
          name: 'cold fold of a volunteer, fields opened',
          value: Math.round(loadSealed),
          unit: 'volunteers/s',
          baseline: { name: 'plain', value: Math.round(loadPlain) },
          note: 'A fresh ledger loads every volunteer once: one stream read, and with sealing one key-store read and the fields opened.',
        }),
        figure({
          name: 'read-model rebuild over sealed events',
          value: Math.round(rebuildSealed),
          unit: 'events/s',
          baseline: { name: 'plain', value: Math.round(rebuildPlain) },
          note: 'Read models hold no personal field, so a rebuild opens nothing: the difference is the larger stored events.',
        }),
      ];
    } finally {
      await plain.close();
      await sealed.close();
    }
  },
};
