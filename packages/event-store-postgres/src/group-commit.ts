import type pg from 'pg';
import { EventStoreError, type AppendResult } from '@timebank/event-store';
import { isTransientConnectionError } from './connection-errors.js';
import type { PostgresLimits, PostgresTestHooks } from './options.js';
import {
  planBatch,
  type AppendOutcome,
  type EventRow,
  type QueuedAppend,
  type StoredId,
  type StreamHead,
} from './plan-batch.js';

export interface GroupCommitSettings {
  readonly pool: pg.Pool;
  /** Escaped schema identifier. */
  readonly schema: string;
  /** Advisory-lock key that serialises appends to this store across every process. */
  readonly lockKey: bigint;
  readonly channel: string;
  readonly limits: PostgresLimits;
  readonly hooks: PostgresTestHooks | undefined;
}

interface Pending {
  readonly append: QueuedAppend;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: appends that arrive while a batch is being written queue up and are written
 * together in the next transaction, each with its own checks (see `planBatch`). Every caller is
 * answered only after COMMIT returned, i.e. after the WAL flush.
 *
 * Every transaction first takes the store's advisory lock and only then reads the last position,
 * so positions are assigned in commit order across all processes. The lock is released after the
 * commit became visible (PostgreSQL marks a transaction committed before it releases its locks),
 * so no reader can ever see a position while an earlier one is still in flight.
 */
export class GroupCommitWriter {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private readonly sql: { readState: string; insert: string };

  constructor(private readonly settings: GroupCommitSettings) {
    const schema = settings.schema;
    this.sql = {
      readState: `
        SELECT 'head', head.stream_name, head.revision::text, head.hash, NULL, NULL
          FROM unnest($1::text[]) AS wanted(stream_name)
          CROSS JOIN LATERAL (
            SELECT e.stream_name, e.revision, e.hash FROM ${schema}.events e
             WHERE e.stream_name = wanted.stream_name ORDER BY e.revision DESC LIMIT 1
          ) AS head
        UNION ALL
        SELECT 'id', stream_name, revision::text, NULL, id::text, position::text
          FROM ${schema}.events WHERE id = ANY($2::uuid[])
        UNION ALL
        SELECT 'last', NULL, NULL, NULL, NULL, coalesce(max(position), 0)::text FROM ${schema}.events`,
      insert: `
        WITH inserted AS (
          INSERT INTO ${schema}.events (position, stream_name, revision, id, type, data, metadata, hash)
          SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[],
                               $6::json[], $7::json[], $8::text[])
          RETURNING 1
        )
        SELECT count(*)::int AS count, pg_notify($9, $10) FROM inserted`,
    };
  }

  append(append: QueuedAppend): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once every queued append has been answered. */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /**
   * Starts the drain loop unless it runs. An append that arrives after the loop saw an empty queue
   * but before it was marked finished is picked up by the restart in `finally`.
   */
  private kick(): void {
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await this.commit(this.takeBatch());
    }
  }

  private takeBatch(): Pending[] {
    const { batchEventsMax, batchBytesMax } = this.settings.limits;
    const batch: Pending[] = [];
    let events = 0;
    let bytes = 0;
    for (const next of this.queue) {
      const fits =
        events + next.append.events.length <= batchEventsMax &&
        bytes + next.append.sizeBytes <= batchBytesMax;
      if (batch.length > 0 && !fits) break;
      batch.push(next);
      events += next.append.events.length;
      bytes += next.append.sizeBytes;
    }
    this.queue.splice(0, batch.length);
    return batch;
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.transaction(batch.map((pending) => pending.append));
    } catch (error) {
      if (isTransientConnectionError(error)) {
        // The COMMIT may or may not have reached the server. Ids are deterministic, so the
        // caller's retry either writes the events or gets the original result back.
        const unavailable = new EventStoreError(
          'STORE_UNAVAILABLE',
          `PostgreSQL connection failed, outcome unknown; retry with the same event ids (${errorMessage(error)})`,
        );
        for (const pending of batch) pending.reject(unavailable);
      } else if (batch.length > 1) {
        // Something in one append broke the whole statement; retry each alone so that only the
        // culprit fails.
        for (const pending of batch) await this.commit([pending]);
      } else {
        batch[0]?.reject(error);
      }
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) pending.reject(new Error('group commit lost an outcome'));
      else if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
  }

  private async transaction(appends: readonly QueuedAppend[]): Promise<AppendOutcome[]> {
    const client = await this.settings.pool.connect();
    let broken: Error | undefined;
    try {
      // Simple-protocol multi-statement: one round trip. The lock must be its own statement,
      // taken before the state is read, because a statement's snapshot predates its locks.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${this.settings.lockKey.toString()})`);
      const { heads, ids, lastPosition } = await this.readState(client, appends);
      const plan = planBatch(appends, heads, ids, lastPosition);
      if (plan.rows.length > 0) {
        await this.insert(client, plan.rows);
        await this.settings.hooks?.beforeCommit?.(plan.rows.map((row) => row.position));
      }
      await client.query('COMMIT');
      return plan.outcomes;
    } catch (error) {
      if (isTransientConnectionError(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async readState(
    client: pg.PoolClient,
    appends: readonly QueuedAppend[],
  ): Promise<{ heads: Map<string, StreamHead>; ids: Map<string, StoredId>; lastPosition: bigint }> {
    const streamNames = [...new Set(appends.map((append) => append.streamName))];
    const eventIds = appends.flatMap((append) => append.events.map((event) => event.id));
    const result = await client.query<
      [string, string | null, string | null, string | null, string | null, string | null]
    >({ text: this.sql.readState, values: [streamNames, eventIds], rowMode: 'array' });
    const heads = new Map<string, StreamHead>();
    const ids = new Map<string, StoredId>();
    let lastPosition: bigint | undefined;
    for (const [kind, streamName, revision, hash, id, position] of result.rows) {
      if (kind === 'head' && streamName !== null && revision !== null && hash !== null) {
        heads.set(streamName, { revision: BigInt(revision), hash });
      } else if (
        kind === 'id' &&
        streamName !== null &&
        revision !== null &&
        id !== null &&
        position !== null
      ) {
        ids.set(id, { streamName, revision: BigInt(revision), position: BigInt(position) });
      } else if (kind === 'last' && position !== null) {
        lastPosition = BigInt(position);
      } else {
        throw new Error(`unexpected state row ${String(kind)}`);
      }
    }
    if (lastPosition === undefined) throw new Error('state query returned no last position');
    return { heads, ids, lastPosition };
  }

  private async insert(client: pg.PoolClient, rows: readonly EventRow[]): Promise<void> {
    const last = rows[rows.length - 1];
    const result = await client.query<{ count: number }>(this.sql.insert, [
      rows.map((row) => row.position.toString()),
      rows.map((row) => row.streamName),
      rows.map((row) => row.revision.toString()),
      rows.map((row) => row.id),
      rows.map((row) => row.type),
      rows.map((row) => row.data),
      rows.map((row) => row.metadata),
      rows.map((row) => row.hash),
      this.settings.channel,
      last?.position.toString() ?? '0',
    ]);
    const inserted = result.rows[0]?.count;
    if (inserted !== rows.length) throw new Error(`inserted ${String(inserted)} of ${rows.length} rows`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
