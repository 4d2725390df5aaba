/**
 * The live projector: subscribes to `$all` from the checkpoint, gathers events into batches and
 * hands each batch to the applier (rows and checkpoint in one transaction). A batch closes when it
 * is full, when the subscription signals caught-up, or when no further event is ready at once, so
 * a quiet ledger sees each write within a tick and a busy one amortises commits.
 */
import { DEFAULT_LEDGER_RULES, type LedgerRules } from '@timebank/domain';
import type { EventStore, RecordedEvent, SubscriptionMessage } from '@timebank/event-store';
import { BatchApplier } from './applier.js';
import type { ReadModelDatabase } from './dialect/dialect.js';
import { ProjectionError, isProjectionError } from './errors.js';
import { PositionWaiters, type WaitOptions } from './position-waiters.js';
import { projectionRules } from './handlers/index.js';
import { LIVE_PREFIX } from './tables.js';

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  readonly rules?: LedgerRules;
  /** Most events per transaction, in events. Default 2,000: ~10 ms of work, amortises the fsync. */
  readonly batchEventsMax?: number;
  /** See `ApplierOptions.cachedRowsPerTableMax`. */
  readonly cachedRowsPerTableMax?: number;
  /** How often the store's head is read for the lag figures, in milliseconds. Default 1,000. */
  readonly lagRefreshMs?: number;
  /** Told about errors the projector recovers from (lost connection, checkpoint conflict). */
  readonly onError?: (error: unknown) => void;
  /** Wall clock in epoch milliseconds; injected so tests control lag seconds. */
  readonly now?: () => number;
  /**
   * Called after each committed batch and when the projector first catches up: lets a projector
   * running in a worker thread report its checkpoint to the thread that serves reads.
   */
  readonly onProgress?: () => void;
}

/** How far the read models trail the store: what the API renders in /metrics. */
export interface ProjectionLag {
  /** Positions between the checkpoint and the store's head (positions may have gaps: an upper bound). */
  readonly events: number;
  /** Seconds since the oldest event not yet applied was recorded; 0 when caught up. */
  readonly seconds: number;
  readonly checkpoint: bigint;
  readonly headPosition: bigint;
}

/** First delay before retrying after a failure, in milliseconds; doubles up to 5,000. */
const RETRY_DELAY_MS = 100;
const RETRY_DELAY_MS_MAX = 5000;
const IDLE = Symbol('idle');

const nextTick = (): Promise<typeof IDLE> => new Promise((resolve) => setImmediate(() => resolve(IDLE)));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class Projector {
  readonly #applier: BatchApplier;
  readonly #batchEventsMax: number;
  readonly #now: () => number;
  #checkpoint = 0n;
  #head = 0n;
  #oldestPendingAtMs: number | undefined;
  #caughtUp = false;
  #stopped = false;
  #failure: Error | undefined;
  readonly #waiters = new PositionWaiters({
    checkpoint: () => this.#checkpoint,
    failure: () => this.#failure,
    stopped: () => this.#stopped,
  });
  #loop: Promise<void> | undefined;
  #closeSubscription: (() => Promise<void>) | undefined;
  #lagTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProjectorOptions) {
    this.#batchEventsMax = options.batchEventsMax ?? 2000;
    if (!Number.isSafeInteger(this.#batchEventsMax) || this.#batchEventsMax < 1) {
      throw new Error(`batchEventsMax must be a positive whole number, got ${this.#batchEventsMax}`);
    }
    this.#now = options.now ?? Date.now;
    this.#applier = new BatchApplier(options.db, LIVE_PREFIX, {
      rules: projectionRules(options.rules ?? DEFAULT_LEDGER_RULES),
      ...(options.cachedRowsPerTableMax === undefined
        ? {}
        : { cachedRowsPerTableMax: options.cachedRowsPerTableMax }),
    });
  }

  /** Opens the table set, reads the checkpoint and starts following the store. */
  async start(): Promise<void> {
    if (this.#loop !== undefined) throw new Error('projector already started');
    this.#checkpoint = await this.#applier.open();
    this.#head = await this.options.store.headPosition();
    this.#lagTimer = setInterval(() => void this.#refreshHead(), this.options.lagRefreshMs ?? 1000);
    this.#lagTimer.unref();
    this.#loop = this.#run();
  }

  /** Global position of the last event applied to the read models. */
  checkpoint(): bigint {
    return this.#checkpoint;
  }

  /** True once the projector has caught up with the store after start (readiness). */
  hasCaughtUp(): boolean {
    return this.#caughtUp;
  }

  /** The error that stopped the projector for good (corrupt history), if any. */
  failure(): unknown {
    return this.#failure;
  }

  lag(): ProjectionLag {
    const head = this.#head > this.#checkpoint ? this.#head : this.#checkpoint;
    const behind = head - this.#checkpoint;
    const seconds =
      behind === 0n || this.#oldestPendingAtMs === undefined
        ? 0
        : Math.max(0, (this.#now() - this.#oldestPendingAtMs) / 1000);
    return { events: Number(behind), seconds, checkpoint: this.#checkpoint, headPosition: head };
  }

  /**
   * Read-your-writes: resolves once the read models include `position`, rejects with
   * PROJECTION_TIMEOUT after `timeoutMs`, PROJECTION_STOPPED if the projector stops first.
   */
  waitForPosition(position: bigint, options: WaitOptions = {}): Promise<void> {
    return this.#waiters.wait(position, options);
  }

  /** The API's form of `waitForPosition`: true when reached, false on timeout. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    return this.#waiters.reached(position, timeoutMs);
  }

  /** Stops following, lets the batch in flight commit, and rejects every waiter. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#lagTimer !== undefined) clearInterval(this.#lagTimer);
    await this.#closeSubscription?.();
    await this.#loop;
    this.#waiters.settle(new ProjectionError('PROJECTION_STOPPED', 'projector stopped'));
  }

  async #refreshHead(): Promise<void> {
    try {
      const head = await this.options.store.headPosition();
      if (head > this.#head) this.#head = head;
      if (head > this.#checkpoint && this.#oldestPendingAtMs === undefined)
        this.#oldestPendingAtMs = this.#now();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  async #run(): Promise<void> {
    let delayMs = RETRY_DELAY_MS;
    while (!this.#stopped) {
      try {
        await this.#follow();
        return;
      } catch (error) {
        if (this.#stopped) return;
        if (isProjectionError(error, 'PROJECTION_CORRUPT_HISTORY')) {
          this.#failure = error;
          this.#stopped = true;
          this.#waiters.settle(error);
          this.options.onError?.(error);
          return;
        }
        this.options.onError?.(error);
        if (!isProjectionError(error, 'PROJECTION_CHECKPOINT_CONFLICT')) {
          await sleep(delayMs);
          delayMs = Math.min(delayMs * 2, RETRY_DELAY_MS_MAX);
        }
        try {
          this.#checkpoint = await this.#applier.reload();
          // Another process may have applied what a caller waits for (the conflict says so):
          // answer it now, since no batch of ours may follow while the store stays quiet.
          this.#waiters.settle();
          this.options.onProgress?.();
        } catch (reloadError) {
          this.options.onError?.(reloadError);
        }
      }
    }
  }

  async #flush(buffer: RecordedEvent[]): Promise<void> {
    if (buffer.length === 0) return;
    await this.#applier.applyBatch(buffer);
    buffer.length = 0;
    this.#checkpoint = this.#applier.position;
    this.#oldestPendingAtMs = undefined;
    this.#waiters.settle();
    this.options.onProgress?.();
    // SQLite commits synchronously and the subscription resolves in microtasks, so a catch-up
    // would otherwise hold the event loop for its whole length: yield once per batch.
    await new Promise((resolve) => setImmediate(resolve));
  }

  async #follow(): Promise<void> {
    const subscription = this.options.store.subscribeToAll({ fromPosition: this.#applier.position });
    this.#closeSubscription = () => subscription.close();
    const iterator = subscription[Symbol.asyncIterator]();
    const buffer: RecordedEvent[] = [];
    const pull = (): Promise<IteratorResult<SubscriptionMessage>> => {
      const promise = iterator.next();
      promise.catch(() => undefined); // Observed below, or abandoned when a flush failed.
      return promise;
    };
    let next = pull();
    try {
      while (!this.#stopped) {
        const result = buffer.length === 0 ? await next : await Promise.race([next, nextTick()]);
        if (result === IDLE) {
          await this.#flush(buffer);
          continue;
        }
        if (result.done === true) break;
        next = pull();
        const message = result.value;
        if (message.kind === 'event') {
          if (buffer.length === 0) this.#oldestPendingAtMs ??= Date.parse(message.event.recordedAt);
          if (message.event.position > this.#head) this.#head = message.event.position;
          buffer.push(message.event);
          if (buffer.length >= this.#batchEventsMax) await this.#flush(buffer);
        } else {
          await this.#flush(buffer);
          if (!this.#caughtUp) {
            this.#caughtUp = true;
            this.options.onProgress?.();
          }
        }
      }
      // Stopped: commit what was already received rather than re-reading it next start.
      await this.#flush(buffer);
    } finally {
      await subscription.close();
    }
  }
}
