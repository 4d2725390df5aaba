import type pg from 'pg';
import { EventStoreError, type AppendResult } from '@timebank/event-store';
import { isQueryTimeout, isServerDiskFull, isTransientConnectionError } from './connection-errors.js';
import type { PostgresLimits, PostgresTestHooks } from './options.js';
import { planBatch, type AppendOutcome, type QueuedAppend } from './plan-batch.js';
import { assertInserted, beginAndReadStateSql, insertAndNotifySql, parseState } from './batch-sql.js';

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
 * Group commit: appends that arrive while batches are being written queue up and are written
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
  /** Committed transactions and the appends they answered, for benchmarks and metrics. */
  private readonly stats = { transactions: 0, appends: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private kickScheduled = false;

  constructor(private readonly settings: GroupCommitSettings) {}

  append(append: QueuedAppend): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.kick();
    });
  }

  groupCommitStats(): { readonly transactions: number; readonly appends: number } {
    return { ...this.stats };
  }

  /** Resolves once every queued append has been answered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.kickScheduled) {
      await Promise.all([...this.inFlight, new Promise((resolve) => setImmediate(resolve))]);
    }
  }

  /**
   * Starts batches while appends are queued and fewer than `concurrentBatchesMax` transactions
   * are in flight, on the next turn of the event loop: by then the callers just answered by the
   * previous batch have queued their next appends, so they join this batch instead of waiting
   * for a whole further commit (without the turn, batches settle at half the callers each).
   */
  private kick(): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      while (this.queue.length > 0 && this.inFlight.size < this.settings.limits.concurrentBatchesMax) {
        const running: Promise<void> = this.commit(this.takeBatch()).finally(() => {
          this.inFlight.delete(running);
          this.kick();
        });
        this.inFlight.add(running);
      }
    });
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
        // A statement timeout counts the same: retrying each append alone would make every caller
        // of the batch wait out the timeout again behind the same lock.
        const what = isQueryTimeout(error)
          ? 'PostgreSQL did not complete the append in time'
          : 'PostgreSQL connection failed';
        const unavailable = new EventStoreError(
          'STORE_UNAVAILABLE',
          `${what}, outcome unknown; retry with the same event ids (${errorMessage(error)})`,
        );
        for (const pending of batch) pending.reject(unavailable);
      } else if (isServerDiskFull(error)) {
        // A full disk fails every append of the batch alike; retrying each alone would only fail
        // again. The transaction rolled back: nothing was written.
        const unavailable = new EventStoreError(
          'STORE_UNAVAILABLE',
          `PostgreSQL's disk is full, nothing was written (SQLSTATE 53100: ${errorMessage(error)})`,
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
    const { pool, schema, lockKey, channel, hooks } = this.settings;
    const client = await pool.connect();
    let broken: Error | undefined;
    // The server may end the session between our statements (idle_in_transaction_session_timeout,
    // pg_terminate_backend, a reset): with no statement in flight the driver then emits 'error',
    // which unheard would crash the process. The next statement fails instead, as a lost connection.
    const onError = (error: Error): void => void (broken ??= error);
    client.on('error', onError);
    try {
      const state = parseState(
        await client.query({ text: beginAndReadStateSql(schema, lockKey, appends), rowMode: 'array' }),
      );
      const plan = planBatch(appends, state);
      if (plan.rows.length === 0) {
        await client.query('COMMIT');
      } else if (hooks?.beforeCommit === undefined) {
        const insertSql = insertAndNotifySql(schema, channel, plan.rows, plan.claims);
        assertInserted(await client.query(`${insertSql}; COMMIT`), plan.rows.length);
      } else {
        // Test path: the same statements, with the hook between the insert and the COMMIT.
        const insertSql = insertAndNotifySql(schema, channel, plan.rows, plan.claims);
        assertInserted(await client.query(insertSql), plan.rows.length);
        await hooks.beforeCommit(plan.rows.map((row) => row.position));
        await client.query('COMMIT');
      }
      this.stats.transactions += 1;
      this.stats.appends += appends.length;
      return plan.outcomes;
    } catch (error) {
      if (isTransientConnectionError(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
