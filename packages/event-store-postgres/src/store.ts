import pg from 'pg';
import {
  EventStoreError,
  StoreLimitError,
  assertValidClaim,
  assertValidStreamName,
  validateAppend,
  type AppendOptions,
  type AppendResult,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredIdempotencyClaim,
  type StoreWith,
  type SubscribeOptions,
  type Subscription,
} from '@timebank/event-store';
import { clientSettings } from './client-settings.js';
import { driverConnection } from './ssl-negotiation.js';
import { streamChangesAfter } from './change-feed.js';
import { asReadError } from './connection-errors.js';
import { GroupCommitWriter } from './group-commit.js';
import { NotificationListener } from './listener.js';
import {
  defaultChannel,
  resolveLimits,
  type PostgresEventStoreOptions,
  type PostgresLimits,
} from './options.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRowValues } from './rows.js';
import { migrate, PostgresStoreMissingError, storeExists } from './schema.js';
import { PostgresSubscription } from './subscription.js';

/** The PostgreSQL adapter: the port plus operations a test harness or operator needs. */
export interface PostgresEventStore extends StoreWith<'readIdempotencyClaim' | 'streamChangesAfter'> {
  readonly engine: 'postgres';
  readonly limits: PostgresLimits;
  /** The LISTEN/NOTIFY channel on which commits are announced. */
  readonly notificationChannel: string;
  /**
   * Terminates the server backend that LISTENs for this store's subscriptions, as a network
   * failure or an operator would. Subscriptions must carry on by themselves without a gap or a
   * duplicate; the contract suite uses this to prove it.
   */
  disconnectSubscriptions(): Promise<void>;
  /** Group-commit transactions committed by this store and the appends they answered. */
  groupCommitStats(): { readonly transactions: number; readonly appends: number };
}

/**
 * Opens (and migrates) an event store in one PostgreSQL schema. Several processes may open the same
 * schema and append at once: appends are serialised by an advisory lock per store and batched by
 * group commit in each process.
 */
// eslint-disable-next-line max-lines-per-function -- not yet split: a factory closing over one open connection and its prepared statements; its seam is a class per concern, a follow-up
export async function createPostgresEventStore(
  options: PostgresEventStoreOptions,
): Promise<PostgresEventStore> {
  const limits = resolveLimits(options.schema, options.limits);
  const channel = options.notificationChannel ?? defaultChannel(options.schema);
  if (channel.length === 0 || Buffer.byteLength(channel) > 63) {
    throw new Error(`notificationChannel must be 1 to 63 bytes, got ${JSON.stringify(channel)}`);
  }
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      ...driverConnection(options.connectionString),
      max: limits.poolSizeMax,
      application_name: 'timebank-event-store',
      ...clientSettings(limits),
    });
  // An idle pooled client whose backend dies emits 'error' on the pool; unhandled, it would crash
  // the process. The pool discards that client by itself and the next checkout connects afresh.
  if (ownsPool) pool.on('error', () => undefined);
  let lockKey: bigint;
  try {
    if (options.mustExist === true && !(await storeExists(pool, options.schema))) {
      throw new PostgresStoreMissingError(options.schema);
    }
    lockKey = await migrate(pool, options.schema);
  } catch (error) {
    if (ownsPool) await pool.end();
    throw error;
  }
  const schema = pg.escapeIdentifier(options.schema);
  const writer = new GroupCommitWriter({ pool, schema, lockKey, channel, limits, hooks: options.hooks });
  const listenerConfig: pg.ClientConfig =
    options.connectionString === undefined
      ? { ...options.pool.options }
      : { ...driverConnection(options.connectionString), ...clientSettings(limits) };
  const listener = new NotificationListener(listenerConfig, channel, limits);
  const subscriptions = new Set<PostgresSubscription>();
  let closed = false;

  const readAllSql = `SELECT ${EVENT_COLUMNS} FROM ${schema}.events AS e WHERE e.position > $1 ORDER BY e.position LIMIT $2`;
  async function readPage(fromPosition: bigint, maxCount: number): Promise<RecordedEvent[]> {
    const result = await pool.query<EventRowValues>({
      text: readAllSql,
      values: [fromPosition.toString(), maxCount],
      rowMode: 'array',
    });
    return result.rows.map(toRecordedEvent);
  }

  async function readHead(): Promise<bigint> {
    const result = await pool.query<{ head: string }>(
      `SELECT coalesce(max(position), 0)::text AS head FROM ${schema}.events`,
    );
    return BigInt(result.rows[0]?.head ?? '0');
  }

  function assertOpen(): void {
    if (closed) throw new EventStoreError('STORE_UNAVAILABLE', 'the event store is closed');
  }

  return {
    engine: 'postgres',
    limits,
    notificationChannel: channel,

    async appendToStream(
      streamName: string,
      events: readonly NewEvent[],
      appendOptions: AppendOptions,
    ): Promise<AppendResult> {
      assertOpen();
      const encoded = validateAppend(streamName, events, appendOptions.expectedRevision, limits);
      const sizeBytes = encoded.reduce((total, text) => total + Buffer.byteLength(text, 'utf8'), 0);
      const claim = appendOptions.idempotencyClaim;
      assertValidClaim(claim);
      return writer.append({
        streamName,
        events,
        expectedRevision: appendOptions.expectedRevision,
        sizeBytes,
        ...(claim === undefined ? {} : { claim: { ...claim } }),
      });
    },

    async readIdempotencyClaim(keyHash: string): Promise<StoredIdempotencyClaim | undefined> {
      assertOpen();
      assertValidClaim({ keyHash, requestHash: keyHash });
      const result = await pool
        .query<[string, string, string, string]>({
          text: `SELECT encode(request_hash, 'hex'), stream_name, revision::text, position::text
                 FROM ${schema}.idempotency_claims WHERE key_hash = decode($1, 'hex')`,
          values: [keyHash],
          rowMode: 'array',
        })
        .catch(rethrowAsReadError);
      const row = result.rows[0];
      if (row === undefined) return undefined;
      const [requestHash, streamName, revision, position] = row;
      return {
        keyHash,
        requestHash,
        streamName,
        nextExpectedRevision: BigInt(revision),
        position: BigInt(position),
      };
    },

    async readStream(streamName: string, readOptions: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
      assertOpen();
      assertValidStreamName(streamName);
      const maxCount = resolveMaxCount(readOptions.maxCount, limits);
      if (maxCount === 0) return [];
      const backwards = readOptions.direction === 'backwards';
      const from = readOptions.fromRevision ?? (backwards ? 'end' : 'start');
      if (typeof from === 'bigint' && from < 0n) {
        throw new StoreLimitError('INVALID_EVENT', `fromRevision must not be negative, got ${from}`);
      }
      let text = `SELECT ${EVENT_COLUMNS} FROM ${schema}.events AS e WHERE e.stream_name = $1`;
      const values: unknown[] = [streamName, maxCount];
      if (from === 'end' && !backwards) return [];
      if (from === 'start' && backwards) text += ' AND e.revision <= 0';
      if (typeof from === 'bigint') {
        values.push(from.toString());
        text += backwards ? ' AND e.revision <= $3' : ' AND e.revision >= $3';
      }
      text += ` ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'} LIMIT $2`;
      const result = await pool
        .query<EventRowValues>({ text, values, rowMode: 'array' })
        .catch(rethrowAsReadError);
      return result.rows.map(toRecordedEvent);
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      assertOpen();
      const maxCount = resolveMaxCount(readOptions.maxCount, limits);
      const from = readOptions.fromPosition ?? 0n;
      if (typeof from !== 'bigint' || from < 0n) {
        throw new StoreLimitError(
          'INVALID_EVENT',
          `fromPosition must be a non-negative bigint, got ${String(from)}`,
        );
      }
      return maxCount === 0 ? [] : readPage(from, maxCount).catch(rethrowAsReadError);
    },

    subscribeToAll(subscribeOptions: SubscribeOptions = {}): Subscription {
      assertOpen();
      const subscription: PostgresSubscription = new PostgresSubscription(
        { listener, limits, readPage },
        subscribeOptions,
        () => subscriptions.delete(subscription),
      );
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition(): Promise<bigint> {
      assertOpen();
      return readHead().catch(rethrowAsReadError);
    },

    async streamChangesAfter(position: bigint | null) {
      assertOpen();
      return streamChangesAfter(pool, schema, position, readHead).catch(rethrowAsReadError);
    },

    async disconnectSubscriptions(): Promise<void> {
      const pid = listener.listeningPid();
      if (pid === undefined) return;
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    },

    groupCommitStats: () => writer.groupCommitStats(),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await writer.idle();
      await listener.close();
      if (ownsPool) await pool.end();
    },
  };
}

/** Reads keep the driver's error unless the connection failed (see asReadError). */
function rethrowAsReadError(error: unknown): never {
  throw asReadError(error);
}

function resolveMaxCount(maxCount: number | undefined, limits: PostgresLimits): number {
  if (maxCount === undefined) return limits.readBatchMax;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new StoreLimitError(
      'INVALID_EVENT',
      `maxCount must be a non-negative integer, got ${String(maxCount)}`,
    );
  }
  return Math.min(maxCount, limits.readBatchMax);
}
