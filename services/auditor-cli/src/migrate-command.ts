/**
 * `pnpm ledger migrate --from <old data dir> --data-dir <new empty dir>` (SQLite only): copies a
 * ledger written before personal fields were sealed into a new store with a new hash chain, so
 * that its personal fields are sealed from then on (docs/privacy.md, "Ledgers from before
 * sealing"). Every event is appended in its global order to the same stream, with the same id,
 * type, metadata and data, through the sealing store; values already sealed pass through. Each
 * registration's national-ID hash is claimed in the new key store first, so that a later
 * registration of the same person is still refused. The national-ID key file is copied. The new
 * store is rebuilt and verified at the end; the old directory is left untouched for archiving.
 */
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sealingStore } from '@timebank/application';
import type { EventStore, RecordedEvent } from '@timebank/event-store';
import {
  createFileCheckpointStore,
  EVENT_STORE_FILE,
  NATIONAL_ID_KEY_FILE,
  openEventStore,
  openLedger,
  openPersonalKeys,
  REACTOR_CHECKPOINT_FILE,
  RELAY_CHECKPOINT_FILE,
} from '@timebank/ledger-opener';
import { ProjectionError, rebuildReadModels, verifyLedger } from '@timebank/projections';

/** Events read from the old store per batch. */
const READ_BATCH_MAX = 500;
/** Progress goes to stderr every this many events. */
const PROGRESS_EVERY_EVENTS = 5_000;

export interface MigrateOptions {
  readonly from: string;
  readonly dataDir: string;
  /** LEDGER_MASTER_KEY, or null to generate `master.key` in the new directory. */
  readonly masterKey: string | null;
  readonly onProgress?: (line: string) => void;
}

export interface MigrateResult {
  readonly events: number;
  readonly streams: number;
  readonly registrationsClaimed: number;
  readonly nationalIdKeyCopied: boolean;
  /** The followers' checkpoints found in the old directory, carried over to the new positions. */
  readonly checkpointsCarried: string[];
  readonly verified: boolean;
  readonly findings: number;
}

function refused(message: string): ProjectionError {
  return new ProjectionError('PROJECTION_INVALID_ARGUMENT', message);
}

/** Refuses before anything is written: the source must hold a store, the target must be new or empty. */
function checkDirectories(from: string, dataDir: string): void {
  if (!existsSync(join(from, EVENT_STORE_FILE))) {
    throw refused(`migrate: no event store at ${join(from, EVENT_STORE_FILE)} (check --from)`);
  }
  if (from === dataDir) throw refused('migrate: --from and --data-dir must be different directories');
  if (!existsSync(dataDir)) return;
  if (!statSync(dataDir).isDirectory()) throw refused(`migrate: ${dataDir} is not a directory`);
  if (readdirSync(dataDir).length > 0) {
    throw refused(`migrate: ${dataDir} is not empty; migrate into a new or empty directory`);
  }
}

async function* eventsInOrder(store: EventStore): AsyncGenerator<RecordedEvent> {
  let fromPosition: bigint | undefined;
  for (;;) {
    const batch = await store.readAll({
      maxCount: READ_BATCH_MAX,
      ...(fromPosition === undefined ? {} : { fromPosition }),
    });
    if (batch.length === 0) return;
    yield* batch;
    fromPosition = batch.at(-1)!.position;
  }
}

export async function runMigrate(options: MigrateOptions): Promise<MigrateResult> {
  const from = resolve(options.from);
  const dataDir = resolve(options.dataDir);
  checkDirectories(from, dataDir);
  const progress = options.onProgress ?? (() => undefined);
  const source = await openEventStore({ engine: 'sqlite', dataDir: from }, { mustExist: true });
  const target = await openEventStore({ engine: 'sqlite', dataDir });
  const keys = await openPersonalKeys({ engine: 'sqlite', dataDir }, { masterKey: options.masterKey });
  let events = 0;
  let registrationsClaimed = 0;
  const streams = new Set<string>();
  /** Old global position → new one, in order, to carry the followers' checkpoints over. */
  const positions: (readonly [bigint, bigint])[] = [];
  try {
    const sealing = sealingStore(target, keys.keys);
    for await (const event of eventsInOrder(source)) {
      const nationalIdHash = event.data.nationalIdHash;
      const volunteerId = event.data.volunteerId;
      if (event.type === 'VolunteerRegistered' && typeof nationalIdHash === 'string') {
        if (typeof volunteerId !== 'string')
          throw new Error(`${event.id}: VolunteerRegistered without volunteerId`);
        // Before the append: the claim stores the volunteer's data key, which then seals the event.
        const owner = await keys.keys.claimRegistration(nationalIdHash, volunteerId);
        if (owner !== volunteerId) {
          throw new Error(`${event.streamName}: national-ID hash already registered to volunteer ${owner}`);
        }
        registrationsClaimed += 1;
      }
      const appended = await sealing.appendToStream(
        event.streamName,
        [{ id: event.id, type: event.type, data: event.data, metadata: event.metadata }],
        { expectedRevision: event.revision === 0n ? 'no_stream' : event.revision - 1n },
      );
      positions.push([event.position, appended.position]);
      streams.add(event.streamName);
      events += 1;
      if (events % PROGRESS_EVERY_EVENTS === 0) progress(`migrate: ${events} events copied`);
    }
  } finally {
    await keys.close();
    await target.close();
    await source.close();
  }
  progress(`migrate: ${events} events in ${streams.size} streams copied; rebuilding and verifying`);
  const nationalIdKeyCopied = existsSync(join(from, NATIONAL_ID_KEY_FILE));
  if (nationalIdKeyCopied)
    copyFileSync(join(from, NATIONAL_ID_KEY_FILE), join(dataDir, NATIONAL_ID_KEY_FILE));
  const checkpointsCarried = await carryCheckpoints(from, dataDir, positions);
  const opened = await openLedger(
    { engine: 'sqlite', dataDir },
    { mustExist: true, readModelDataDir: dataDir },
  );
  try {
    await rebuildReadModels({ store: opened.store, db: opened.readModels });
    const report = await verifyLedger({ store: opened.store, db: opened.readModels });
    return {
      events,
      streams: streams.size,
      registrationsClaimed,
      nationalIdKeyCopied,
      checkpointsCarried,
      verified: report.ok,
      findings: report.findings.length,
    };
  } finally {
    await opened.close();
  }
}

/**
 * The reactor's and the Kafka relay's checkpoints (when kept in the old directory) move to the
 * new position of the last event they covered, so that neither runs or publishes everything again.
 */
async function carryCheckpoints(
  from: string,
  dataDir: string,
  positions: readonly (readonly [bigint, bigint])[],
): Promise<string[]> {
  const carried: string[] = [];
  for (const name of [REACTOR_CHECKPOINT_FILE, RELAY_CHECKPOINT_FILE]) {
    if (!existsSync(join(from, name))) continue;
    const old = await createFileCheckpointStore(join(from, name)).load();
    let mapped = 0n;
    for (const [oldPosition, newPosition] of positions) {
      if (oldPosition > old) break;
      mapped = newPosition;
    }
    await createFileCheckpointStore(join(dataDir, name)).save(mapped);
    carried.push(name);
  }
  return carried;
}
