/**
 * `pnpm ledger migrate --from <old data dir> --data-dir <new empty dir>` (SQLite only): copies a
 * ledger written before personal fields were sealed into a new store with a new hash chain, so
 * that its personal fields are sealed from then on (docs/privacy.md, "Ledgers created before this
 * change"). Every event is appended in its global order to the same stream, with the same id,
 * type, metadata and data, through the sealing store; values already sealed pass through. Each
 * registration's national-ID hash is claimed in the new key store first, so that a later
 * registration of the same person is still refused. An existing key store (a ledger that already
 * ran with sealing) is copied first, and an erased subject's plain fields are written as they read
 * after erasure. The national-ID key file is copied. The new
 * store is rebuilt and verified at the end; the old directory is left untouched for archiving.
 */
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  dataSubjectOf,
  erasedReplacement,
  hasPersonalFields,
  isSealed,
  mapPersonalFields,
  sealingStore,
  type PersonalKeys,
} from '@timebank/application';
import type { EventStore, JsonObject, RecordedEvent } from '@timebank/event-store';
import {
  createFileCheckpointStore,
  type DataDirLock,
  EVENT_STORE_FILE,
  directoryProblem,
  lockDataDir,
  MASTER_KEY_FILE,
  NATIONAL_ID_KEY_FILE,
  openEventStore,
  openLedger,
  openPersonalKeys,
  PERSONAL_KEYS_FILE,
  REACTOR_CHECKPOINT_FILE,
  RELAY_CHECKPOINT_FILE,
} from '@timebank/ledger-opener';
import { ProjectionError, rebuildReadModels, verifyLedger } from '@timebank/projections';
import { MIGRATION_ON_STDERR } from './schema-logger.js';

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
  /** Called once the key store is copied, before any event is read: a test writes beside it there. */
  readonly afterKeysCopied?: () => Promise<void>;
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
  // Both directories are this command's alone while it runs: no server may write the old ledger
  // (its events after the copy would be lost) nor start on the new one half-built.
  const source = lockDataDir(from);
  try {
    // Created only once the old ledger is this command's: a refusal before leaves nothing behind.
    const problem = directoryProblem(dataDir);
    if (problem !== undefined) throw refused(`migrate: --data-dir ${options.dataDir}: ${problem}`);
    const target = lockDataDir(dataDir);
    try {
      return await migrateLocked(options, { from, source }, { dataDir, target });
    } finally {
      target.release();
    }
  } finally {
    source.release();
  }
}

async function migrateLocked(
  options: MigrateOptions,
  { from, source: sourceLock }: { from: string; source: DataDirLock },
  { dataDir, target: targetLock }: { dataDir: string; target: DataDirLock },
): Promise<MigrateResult> {
  const progress = options.onProgress ?? (() => undefined);
  const source = await openEventStore(
    { engine: 'sqlite', dataDir: from },
    { mustExist: true, dataDirLock: sourceLock, ...MIGRATION_ON_STDERR },
  );
  const target = await openEventStore({ engine: 'sqlite', dataDir }, { dataDirLock: targetLock });
  // The lock keeps servers out, not import-records, erase-due or tick, which write beside a running
  // server. Their writes after this point would be lost to the copy: events past `head`, and data
  // keys made or erased after the key store's copy (sealed fields no key opens, or an erasure
  // undone). Both are read before the copy and again at the end; any change fails the migration.
  const head = await source.headPosition();
  const keyStoreBefore = keyStoreStamp(from);
  copyKeyStore(from, dataDir);
  await options.afterKeysCopied?.();
  const keys = await openPersonalKeys({ engine: 'sqlite', dataDir }, { masterKey: options.masterKey });
  let events = 0;
  let registrationsClaimed = 0;
  const streams = new Set<string>();
  /** Old global position → new one, in order, to carry the followers' checkpoints over. */
  const positions: (readonly [bigint, bigint])[] = [];
  try {
    const sealing = sealingStore(target, keys.keys);
    for await (const event of eventsInOrder(source)) {
      if (event.position > head) break;
      const erased = hasPersonalFields(event.type) && (await isErased(keys.keys, event));
      if (!erased && (await claimRegistration(keys.keys, event))) registrationsClaimed += 1;
      // An erased subject's plaintext is what the old chain could not forget: it is not copied.
      const data = erased ? forgotten(event.type, event.data) : event.data;
      const appended = await (erased ? target : sealing).appendToStream(
        event.streamName,
        [{ id: event.id, type: event.type, data, metadata: event.metadata }],
        { expectedRevision: event.revision === 0n ? 'no_stream' : event.revision - 1n },
      );
      positions.push([event.position, appended.position]);
      streams.add(event.streamName);
      events += 1;
      if (events % PROGRESS_EVERY_EVENTS === 0) progress(`migrate: ${events} events copied`);
    }
    await assertNotWrittenMeanwhile(source, { from, dataDir, head, keyStoreBefore });
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

/**
 * A ledger that ran with sealing already has a key store: it is copied (with the master key file)
 * so that the sealed values, the duplicate index and the erasures' tombstones carry over. The API
 * is stopped, so the SQLite files (and a -wal left over) are copied as they are.
 */
/** Fails the migration when `from` was written after its head and key store were read (see above). */
async function assertNotWrittenMeanwhile(
  source: EventStore,
  {
    from,
    dataDir,
    head,
    keyStoreBefore,
  }: { from: string; dataDir: string; head: bigint; keyStoreBefore: string },
): Promise<void> {
  const written = (await source.headPosition()) - head;
  if (written > 0n || keyStoreStamp(from) !== keyStoreBefore) {
    throw new Error(
      `${from} was written while it was being migrated (` +
        (written > 0n ? `${written} events appended` : 'its personal-data keys changed') +
        '; import-records, erase-due or tick ran beside it): the copy would miss those writes. ' +
        `Remove ${dataDir}, then run migrate again with nothing else writing to ${from}`,
    );
  }
}

/** Size and modification time of the key store's files: changed by every write to it. */
function keyStoreStamp(from: string): string {
  return [PERSONAL_KEYS_FILE, `${PERSONAL_KEYS_FILE}-wal`]
    .map((name) => {
      const path = join(from, name);
      if (!existsSync(path)) return '-';
      const stats = statSync(path);
      return `${stats.size}@${stats.mtimeMs}`;
    })
    .join(' ');
}

function copyKeyStore(from: string, dataDir: string): void {
  for (const name of [PERSONAL_KEYS_FILE, `${PERSONAL_KEYS_FILE}-wal`, MASTER_KEY_FILE]) {
    if (existsSync(join(from, name))) copyFileSync(join(from, name), join(dataDir, name));
  }
}

async function isErased(keys: PersonalKeys, event: RecordedEvent): Promise<boolean> {
  return (await keys.store.dataKey(dataSubjectOf(event)))?.state === 'erased';
}

/** Plain personal fields replaced as erased fields read; sealed ones stay (their key is gone). */
function forgotten(type: string, data: JsonObject): JsonObject {
  return mapPersonalFields(type, data, (value, path) => (isSealed(value) ? value : erasedReplacement(path)));
}

/**
 * Claims a plain `nationalIdHash` of a registration in the new duplicate index, before the append
 * so that the claim's data key seals the event. A volunteer who already has a key (a key store
 * carried over) keeps it. Returns whether an entry was claimed.
 */
async function claimRegistration(keys: PersonalKeys, event: RecordedEvent): Promise<boolean> {
  const { nationalIdHash, volunteerId } = event.data;
  if (event.type !== 'VolunteerRegistered' || typeof nationalIdHash !== 'string' || isSealed(nationalIdHash))
    return false;
  if (typeof volunteerId !== 'string')
    throw new Error(`${event.id}: VolunteerRegistered without volunteerId`);
  const stored = await keys.store.dataKey(volunteerId);
  const owner =
    stored?.state === 'active'
      ? await keys.store.claimRegistration(nationalIdHash, volunteerId, stored.wrappedKey)
      : await keys.claimRegistration(nationalIdHash, volunteerId);
  if (owner !== volunteerId) {
    throw new Error(`${event.streamName}: national-ID hash already registered to volunteer ${owner}`);
  }
  return true;
}
