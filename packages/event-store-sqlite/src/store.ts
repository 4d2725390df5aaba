/**
 * The SQLite event store: the embedded default engine. One connection per store; appends go
 * through group commit; reads and subscriptions use the same connection, which only ever sees
 * committed data because every transaction runs synchronously on the main thread.
 */
import type Database from 'better-sqlite3';
import { assertValidClaim, DEFAULT_STORE_LIMITS, encodeAppend } from '@timebank/event-store';
import type {
  AppendOptions,
  AppendResult,
  EncodedEvent,
  EventPayload,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreLimits,
  StoreWith,
  SubscribeOptions,
  ChangeToken,
  StreamChanges,
  Subscription,
} from '@timebank/event-store';
import { createAppender, DEFAULT_HEAD_CACHE_STREAMS_MAX } from './append.js';
import { ChangeSignal } from './change-signal.js';
import { claimReader } from './claims.js';
import { LocalChangeLog } from './local-change-log.js';
import { openDatabase, type MigrationHooks } from './database.js';
import { DEFAULT_GROUP_COMMIT_LIMITS, GroupCommitter, inProcessBatchWriter } from './group-commit.js';
import { WriterThread } from './writer-thread.js';
import type { GroupCommitLimits, GroupCommitStats } from './group-commit.js';
import {
  EVENT_COLUMNS,
  EVENTS_WITH_NAMES,
  PAYLOAD_COLUMNS,
  toEventPayload,
  toRecordedEvent,
} from './rows.js';
import type { EventRow, PayloadRow } from './rows.js';
import { createSubscription } from './subscription.js';

export interface SqliteEventStoreOptions {
  /** Database file; created with the schema if missing. */
  readonly path: string;
  /** The file must hold a store already: see `OpenOptions.mustExist`. */
  readonly mustExist?: boolean;
  readonly limits?: Partial<StoreLimits>;
  readonly groupCommit?: Partial<GroupCommitLimits>;
  /**
   * How often a waiting subscription checks for commits by other processes, in milliseconds.
   * Local commits wake it at once. Default 50 ms: a cheap PRAGMA, invisible next to human latency.
   */
  readonly pollIntervalMs?: number;
  /** Events a subscription reads per page, its whole buffer. Default 1,000. */
  readonly subscriptionPageEvents?: number;
  /** How long a writer waits for another process's write lock, in milliseconds. Default 5,000. */
  readonly busyTimeoutMs?: number;
  /** WAL pages after which a commit checkpoints; default 10,000 (see `OpenOptions`). */
  readonly walAutocheckpointPages?: number;
  /**
   * SQLite's page cache of each of the store's connections, in KiB. Default: SQLite's as built,
   * 16,000 KiB in better-sqlite3, which serves the server's reads of recent streams. A process that
   * reads the history through once (the `pnpm ledger` commands: rebuild, verify, export) rereads
   * no page, and the operating system's page cache holds the file anyway: there a cache of ~1 MiB
   * keeps ~15 MiB of pages that would never be read again out of its memory.
   */
  readonly pageCacheKib?: number;
  /**
   * Appends `streamChangesSince` remembers, in appends. Default 10,000: two seconds of appends at
   * the group-commit rate this machine reaches, so a cache that looks at least that often never
   * has to re-read everything; about 1 MB.
   */
  readonly changeLogEntriesMax?: number;
  /**
   * Stream heads the append path keeps in memory, in streams (least recently used forgotten first).
   * Default 10,000 (about 2 MB, see `DEFAULT_HEAD_CACHE_STREAMS_MAX`); a miss costs one indexed lookup.
   */
  readonly headCacheStreamsMax?: number;
  /**
   * Run the write connection in its own worker thread (writer-worker.ts): INSERTs, COMMIT and its
   * fsync, and WAL checkpoints leave the calling thread, which only posts one message per group
   * commit. Durability is unchanged: an append resolves after the COMMIT that holds it returned.
   * Default false.
   */
  readonly writerThread?: boolean;
  /**
   * Told about a schema migration on open (an older file's layout copied into this code's, in one
   * transaction that can take minutes on a large store): its start, progress and finish. Default:
   * nobody is told.
   */
  readonly migration?: MigrationHooks;
}

/**
 * The SQLite store, with a view of the live connection settings for operational checks. It offers
 * the optional capabilities of the port: its appends all pass through this connection (a change
 * log), it can read `$all` without the auditors' fields (a payload reader), and it stores
 * idempotency claims in the append's transaction.
 */
export interface SqliteEventStore extends StoreWith<
  'streamChangesSince' | 'readAllPayloads' | 'readIdempotencyClaim'
> {
  readonly engine: 'sqlite';
  readonly path: string;
  /** Journal mode, `synchronous` level and autocheckpoint size as the open connection reports them now. */
  connectionSettings(): {
    readonly journalMode: string;
    readonly synchronous: number;
    readonly walAutocheckpointPages: number;
    /** The page cache's limit, in KiB (`pageCacheKib`). */
    readonly pageCacheKib: number;
  };
  /** Group-commit counters since this store was opened. */
  groupCommitStats(): GroupCommitStats;
  /**
   * Wakes waiting subscriptions at once: another connection (a writer in another thread of this
   * process) says it committed, sooner than the `data_version` poll would notice. Harmless when
   * nothing changed: a woken subscription reads an empty page and waits again.
   */
  notifyExternalCommit(): void;
}

/** Largest revision SQLite's INTEGER holds; "end" when reading backwards. */
const REVISION_MAX = 9_223_372_036_854_775_807n;

/** The connection's page cache limit in KiB: `cache_size` is KiB when negative, pages when positive. */
function pageCacheKibOf(db: Database.Database): number {
  const size = Number(db.pragma('cache_size', { simple: true }));
  return size < 0 ? -size : (size * Number(db.pragma('page_size', { simple: true }))) / 1024;
}

/** Opens (or creates) the store at `options.path`. */
// eslint-disable-next-line max-lines-per-function -- not yet split: a factory closing over one open connection and its prepared statements; its seam is a class per concern, a follow-up
export function createSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const limits: StoreLimits = { ...DEFAULT_STORE_LIMITS, ...options.limits };
  // Validated before the file is opened, so a bad option leaves nothing open.
  const changeLog = new LocalChangeLog(options.changeLogEntriesMax ?? 10_000);
  const headCacheStreamsMax = options.headCacheStreamsMax ?? DEFAULT_HEAD_CACHE_STREAMS_MAX;
  if (!Number.isSafeInteger(headCacheStreamsMax) || headCacheStreamsMax < 0) {
    throw new RangeError(
      `headCacheStreamsMax must be a whole number ≥ 0, got ${String(headCacheStreamsMax)}`,
    );
  }
  const openOptions = {
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    walAutocheckpointPages: options.walAutocheckpointPages ?? 10_000,
    ...(options.pageCacheKib === undefined ? {} : { pageCacheKib: options.pageCacheKib }),
    ...(options.mustExist === true ? { mustExist: true } : {}),
  };
  const db = openDatabase(options.path, openOptions, options.migration);
  const readForwards = db.prepare<[string, bigint, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WITH_NAMES}
      WHERE s.stream_name = ? AND e.revision >= ? ORDER BY e.revision LIMIT ?`,
  );
  const readBackwards = db.prepare<[string, bigint, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WITH_NAMES}
      WHERE s.stream_name = ? AND e.revision <= ? ORDER BY e.revision DESC LIMIT ?`,
  );
  const readAfter = db.prepare<[bigint, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WITH_NAMES} WHERE e.position > ? ORDER BY e.position LIMIT ?`,
  );
  const readPayloadsAfter = db.prepare<[bigint, number], PayloadRow>(
    `SELECT ${PAYLOAD_COLUMNS} FROM ${EVENTS_WITH_NAMES} WHERE e.position > ? ORDER BY e.position LIMIT ?`,
  );
  const claimOf = claimReader(db);
  const selectHead = db.prepare<[], { head: bigint | null }>('SELECT max(position) AS head FROM events');
  for (const statement of [readForwards, readBackwards, readAfter, readPayloadsAfter]) statement.raw(true);

  const signal = new ChangeSignal(
    () => db.pragma('data_version', { simple: true }),
    options.pollIntervalMs ?? 50,
  );
  const selectDataVersion = db.prepare<[], bigint>('PRAGMA data_version').pluck();
  const writer =
    options.writerThread === true
      ? new WriterThread({ path: options.path, headCacheStreamsMax, ...openOptions })
      : undefined;
  // With a writer thread every commit is another connection's to `db`, so `data_version` alone no
  // longer tells foreign commits apart: see `threadedChangesSince`.
  let knownHead = selectHead.get()?.head ?? 0n;
  let foreignEpoch = 0n;
  let baselineDataVersion: bigint | undefined;
  const committer = new GroupCommitter(
    writer?.write ?? inProcessBatchWriter(db, createAppender(db, { headCacheStreamsMax })),
    { ...DEFAULT_GROUP_COMMIT_LIMITS, ...options.groupCommit },
    (committed, report) => {
      for (const change of committed) changeLog.record(change);
      if (report.foreignCommit) foreignEpoch += 1n;
      if (report.headAfter > knownHead) knownHead = report.headAfter;
      // Look again at the next call, against the head this batch reported.
      baselineDataVersion = undefined;
      if (committed.length > 0) signal.notify();
    },
  );
  /**
   * streamChangesSince with a writer thread. A commit by anyone but the writer is caught either by
   * the writer (its `data_version` moved between two of its batches: `foreignCommit`) or here: this
   * connection's `data_version` moved and the store's head is beyond what the writer reported,
   * plus the events of the batch in flight. One PRAGMA per call, one head lookup per change.
   */
  const threadedChangesSince = (token: ChangeToken | null): StreamChanges => {
    const dataVersion = selectDataVersion.get();
    if (dataVersion !== baselineDataVersion) {
      baselineDataVersion = dataVersion;
      const head = selectHead.get()?.head ?? 0n;
      if (head > knownHead + BigInt(committer.inFlightEvents)) {
        foreignEpoch += 1n;
        knownHead = head;
      }
    }
    const sequence = changeLog.sequence;
    const changes =
      token === null || token.dataVersion !== foreignEpoch ? 'unknown' : changeLog.since(token.sequence);
    return { token: { sequence, dataVersion: foreignEpoch }, changes };
  };
  const subscriptions = new Set<Subscription>();
  // `closing` refuses new appends while queued ones drain; `closed` refuses everything.
  let closing = false;
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error(`event store ${options.path} is closed`);
  };
  const countOf = (maxCount: number | undefined): number => {
    if (maxCount === undefined) return limits.readBatchMax;
    if (!Number.isInteger(maxCount) || maxCount < 0)
      throw new RangeError(`maxCount ${maxCount} is not a count`);
    return Math.min(maxCount, limits.readBatchMax);
  };
  const readPage = (position: bigint, maxCount: number): RecordedEvent[] =>
    readAfter.all(position, maxCount).map(toRecordedEvent);

  return {
    engine: 'sqlite',
    path: options.path,

    async appendToStream(
      streamName: string,
      events: readonly NewEvent[],
      append: AppendOptions,
    ): Promise<AppendResult> {
      if (closing) throw new Error(`event store ${options.path} is closing`);
      const encoded = encodeAppend(streamName, events, append.expectedRevision, limits);
      assertValidClaim(append.idempotencyClaim);
      return committer.submit({
        streamName,
        // Only what is stored is kept: the caller may change its objects after this returns.
        events: events.map((event, index) => ({
          id: event.id,
          type: event.type,
          encoded: encoded[index] as EncodedEvent,
        })),
        expectedRevision: append.expectedRevision,
        ...(append.idempotencyClaim === undefined ? {} : { claim: { ...append.idempotencyClaim } }),
      });
    },

    async readIdempotencyClaim(keyHash: string) {
      assertOpen();
      return claimOf(keyHash);
    },

    async readStream(streamName: string, read: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
      assertOpen();
      const maxCount = countOf(read.maxCount);
      const from = read.fromRevision;
      if (read.direction === 'backwards') {
        const start = from === undefined || from === 'end' ? REVISION_MAX : from === 'start' ? 0n : from;
        return readBackwards.all(streamName, start, maxCount).map(toRecordedEvent);
      }
      if (from === 'end') return [];
      return readForwards
        .all(streamName, from === undefined || from === 'start' ? 0n : from, maxCount)
        .map(toRecordedEvent);
    },

    async readAll(read: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      assertOpen();
      return readPage(read.fromPosition ?? 0n, countOf(read.maxCount));
    },

    async readAllPayloads(read: ReadAllOptions = {}): Promise<EventPayload[]> {
      assertOpen();
      return readPayloadsAfter.all(read.fromPosition ?? 0n, countOf(read.maxCount)).map(toEventPayload);
    },

    subscribeToAll(subscribe: SubscribeOptions = {}): Subscription {
      assertOpen();
      const source = { readPage, signal, pageEvents: options.subscriptionPageEvents ?? 1000 };
      const subscription = createSubscription(source, subscribe, () => subscriptions.delete(subscription));
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition(): Promise<bigint> {
      assertOpen();
      return selectHead.get()?.head ?? 0n;
    },

    streamChangesSince(token) {
      assertOpen();
      if (writer !== undefined) return threadedChangesSince(token);
      // Read together, synchronously: no commit of ours can fall between the two.
      const dataVersion = selectDataVersion.get();
      const sequence = changeLog.sequence;
      if (dataVersion === undefined) throw new Error('PRAGMA data_version returned nothing');
      // data_version changes exactly when another connection commits, and says nothing of which streams.
      const changes =
        token === null || token.dataVersion !== dataVersion ? 'unknown' : changeLog.since(token.sequence);
      return { token: { sequence, dataVersion }, changes };
    },

    connectionSettings() {
      assertOpen();
      return {
        journalMode: String(db.pragma('journal_mode', { simple: true })),
        synchronous: Number(db.pragma('synchronous', { simple: true })),
        walAutocheckpointPages: Number(db.pragma('wal_autocheckpoint', { simple: true })),
        pageCacheKib: pageCacheKibOf(db),
      };
    },

    groupCommitStats: () => committer.stats(),

    notifyExternalCommit() {
      if (!closed) signal.notify();
    },

    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      await committer.drained();
      await writer?.close();
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      db.close();
    },
  };
}
