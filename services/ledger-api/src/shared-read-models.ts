/**
 * The projector as an `http` process sees it (LEDGER_PROCESS_ROLE=http, PostgreSQL only): another
 * process projects into the read models this one shares, so this one only reads their checkpoint.
 * A read with `minPosition` polls that checkpoint until it reaches the position or the wait times
 * out, exactly as it would wait for a projector of its own; one poll loop serves every waiter.
 */
import type { EventStore } from '@timebank/event-store';
import { LIVE_PREFIX, ProjectionError, type ReadModelDatabase } from '@timebank/projections';
import type { ProjectingProcessWatch } from './cluster.js';
import type { RunningProjector } from './wiring.js';

/**
 * How often a waiting read re-reads the shared checkpoint, in milliseconds. 5 ms: one indexed
 * one-row query per waiting process, small beside the projector's own batch time, so a write's
 * read-your-writes answer trails the projector by a few milliseconds at most.
 */
const WAIT_POLL_MS = 5;
/** How often the checkpoint and the store's head are read for `/metrics` and `/readyz`, in ms; the projector's own default. */
const LAG_REFRESH_MS = 1000;
const DEFAULT_WAIT_TIMEOUT_MS = 2000;
/**
 * How long the shared checkpoint may stand still while the store's head is past it before this
 * process reports the read models stalled, in milliseconds. 30 s: the projector commits a page at
 * a time, each in well under a second, and retries a failing one within seconds, so a checkpoint
 * that has not moved for 30 s with events waiting means the projecting process is gone or stuck.
 * Without a cluster primary to say so (processes started separately), this is the only sign.
 */
const STALLED_AFTER_MS = 30_000;

interface Waiter {
  readonly position: bigint;
  readonly resolve: (reached: boolean) => void;
  readonly deadlineMs: number;
}

export class SharedReadModels implements RunningProjector {
  readonly threaded = false;
  readonly #db: ReadModelDatabase;
  readonly #store: EventStore;
  readonly #now: () => number;
  readonly #projectingProcess: ProjectingProcessWatch | undefined;
  readonly #waiters = new Set<Waiter>();
  #checkpoint = 0n;
  #head = 0n;
  /** The store's head at start: readiness means the shared read models reached it. */
  #startHead = 0n;
  #caughtUp = false;
  #behindSinceMs: number | undefined;
  /** When the shared checkpoint last moved forward (or this process started watching it). */
  #advancedAtMs: number;
  readonly #stalledAfterMs: number;
  readonly #monotonicMs: () => number;
  /** When the store's head was first seen past the checkpoint, on the monotonic clock. */
  #waitingSinceMs: number | undefined;
  #polling = false;
  #stopped = false;
  #lagTimer: NodeJS.Timeout | undefined;

  constructor(options: {
    readonly db: ReadModelDatabase;
    readonly store: EventStore;
    readonly now: () => number;
    /** In a cluster worker: whether the primary's `all` worker, which projects, is up. */
    readonly projectingProcess?: ProjectingProcessWatch | undefined;
    /** See STALLED_AFTER_MS. */
    readonly stalledAfterMs?: number;
    /** A monotonic clock in ms for the stall check (default `performance.now`): the ledger's may jump. */
    readonly monotonicMs?: () => number;
  }) {
    this.#db = options.db;
    this.#store = options.store;
    this.#now = options.now;
    this.#projectingProcess = options.projectingProcess;
    this.#stalledAfterMs = options.stalledAfterMs ?? STALLED_AFTER_MS;
    this.#monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.#advancedAtMs = this.#monotonicMs();
  }

  async start(): Promise<void> {
    this.#startHead = await this.#store.headPosition();
    await this.#refresh();
    this.#lagTimer = setInterval(() => void this.#refresh().catch(() => undefined), LAG_REFRESH_MS);
    this.#lagTimer.unref();
  }

  async #refresh(): Promise<void> {
    const [checkpoint, head] = await Promise.all([
      this.#db.readCheckpoint(LIVE_PREFIX),
      this.#store.headPosition(),
    ]);
    this.#observe(checkpoint);
    if (head > this.#head) this.#head = head;
    if (this.#head > this.#checkpoint) {
      this.#behindSinceMs ??= this.#now();
      this.#waitingSinceMs ??= this.#monotonicMs();
    } else {
      this.#behindSinceMs = undefined;
      this.#waitingSinceMs = undefined;
    }
  }

  refresh(): Promise<void> {
    return this.#refresh();
  }

  #observe(checkpoint: bigint): void {
    if (checkpoint > this.#checkpoint) {
      this.#checkpoint = checkpoint;
      this.#advancedAtMs = this.#monotonicMs();
    }
    if (this.#checkpoint >= this.#startHead) this.#caughtUp = true;
  }

  checkpoint(): bigint {
    return this.#checkpoint;
  }

  hasCaughtUp(): boolean {
    return this.#caughtUp;
  }

  /**
   * While the cluster's projecting worker is down, the shared read models stop advancing: not
   * ready. Without a primary to say so, a checkpoint that has stood still for STALLED_AFTER_MS
   * while events wait says the same.
   */
  stalledReason(): string | undefined {
    const down = this.#projectingProcess?.downReason();
    if (down !== undefined) return down;
    if (this.#head <= this.#checkpoint || this.#waitingSinceMs === undefined) return undefined;
    const stillMs = this.#monotonicMs() - Math.max(this.#advancedAtMs, this.#waitingSinceMs);
    if (stillMs < this.#stalledAfterMs) return undefined;
    return (
      `the shared read models have not advanced for ${Math.floor(stillMs / 1000)} s while ` +
      `${this.#head - this.#checkpoint} events wait: is the LEDGER_PROCESS_ROLE=all process running?`
    );
  }

  lag(): { events: number; seconds: number } {
    const head = this.#head > this.#checkpoint ? this.#head : this.#checkpoint;
    const seconds = this.#behindSinceMs === undefined ? 0 : (this.#now() - this.#behindSinceMs) / 1000;
    return { events: Number(head - this.#checkpoint), seconds };
  }

  /** This process projects nothing, so nothing of its own can fail. */
  failure(): unknown {
    return undefined;
  }

  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.#checkpoint >= position) return Promise.resolve(true);
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#waiters.add({ position, resolve, deadlineMs: Date.now() + timeoutMs });
      void this.#poll();
    });
  }

  async waitForPosition(position: bigint, options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    if (!(await this.waitFor(position, timeoutMs))) {
      throw new ProjectionError(
        'PROJECTION_TIMEOUT',
        `read models are at position ${this.#checkpoint}, not ${position}, after ${timeoutMs} ms`,
      );
    }
  }

  /** Re-reads the checkpoint while anyone waits; settles each waiter when reached or past its deadline. */
  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      while (this.#waiters.size > 0 && !this.#stopped) {
        try {
          this.#observe(await this.#db.readCheckpoint(LIVE_PREFIX));
        } catch {
          // A lost connection is retried on the next poll; the waiters' deadlines still bound the wait.
        }
        const nowMs = Date.now();
        for (const waiter of this.#waiters) {
          const reached = this.#checkpoint >= waiter.position;
          if (!reached && nowMs < waiter.deadlineMs) continue;
          this.#waiters.delete(waiter);
          waiter.resolve(reached);
        }
        if (this.#waiters.size > 0) await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      }
    } finally {
      this.#polling = false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#projectingProcess?.stop();
    if (this.#lagTimer !== undefined) clearInterval(this.#lagTimer);
    for (const waiter of this.#waiters) waiter.resolve(false);
    this.#waiters.clear();
  }
}
