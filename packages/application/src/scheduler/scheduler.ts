/**
 * The ledger's clock: one scheduler that runs time-driven jobs (expire holds, heal reactions)
 * every `delayMs`, reading one injected clock. A job must be idempotent: every command it sends
 * carries an idempotency key derived from what fell due, so a run repeated after a crash, or a
 * second process racing this one, produces each effect once.
 */

/** One time-driven job. */
export interface SchedulerJob {
  readonly name: string;
  /** Least time between two runs of this job, in ms. */
  readonly delayMs: number;
  /** Does whatever is due at `nowMs` (epoch ms); returns how many effects it stored. */
  run(nowMs: number): Promise<number>;
}

/** Decides whether this process may sweep now (a lease on PostgreSQL; always on SQLite). */
export interface SweepLease {
  /** True when this process holds the lease (acquiring it if free). */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface SchedulerOptions {
  readonly jobs: readonly SchedulerJob[];
  /** The clock, as epoch ms. Tests replace it. */
  readonly clock: () => number;
  /** Default: always held (a single writer, as on SQLite). */
  readonly lease?: SweepLease;
  /** How often the loop wakes to look for due jobs, in ms. Default 1,000 (`LEDGER_SWEEP_INTERVAL_MS`). */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown, jobName: string) => void;
}

export interface TickReport {
  /** False when another process holds the lease; then no job ran. */
  readonly leaseHeld: boolean;
  /** Effects stored per job that ran. */
  readonly effects: Readonly<Record<string, number>>;
}

export interface Scheduler {
  /** Runs every job once now, whatever its delay (`pnpm ledger tick`, tests). */
  tick(): Promise<TickReport>;
  /** Starts the loop; runs each job when its delay has passed. */
  start(): void;
  /** Stops the loop and waits for a running tick; releases the lease. */
  stop(): Promise<void>;
  /** Sweeps completed so far (for metrics). */
  readonly sweeps: number;
}

/** A lease that is always held: for a single writer. */
export const SOLE_WRITER_LEASE: SweepLease = { acquire: async () => true, release: async () => {} };

export const DEFAULT_SWEEP_INTERVAL_MS = 1000;

export function createScheduler(options: SchedulerOptions): Scheduler {
  const lease = options.lease ?? SOLE_WRITER_LEASE;
  const intervalMs = options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const nextRunMs = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let sweeps = 0;

  async function runJobs(force: boolean): Promise<TickReport> {
    if (!(await lease.acquire())) return { leaseHeld: false, effects: {} };
    const effects: Record<string, number> = {};
    for (const job of options.jobs) {
      const nowMs = options.clock();
      if (!force && (nextRunMs.get(job.name) ?? 0) > nowMs) continue;
      nextRunMs.set(job.name, nowMs + job.delayMs);
      try {
        effects[job.name] = await job.run(nowMs);
      } catch (error) {
        options.onError?.(error, job.name);
      }
    }
    sweeps += 1;
    return { leaseHeld: true, effects };
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      const tick = runJobs(false).catch((error: unknown) => options.onError?.(error, 'lease'));
      running = tick.finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    get sweeps() {
      return sweeps;
    },
    async tick() {
      await running;
      const tick = runJobs(true);
      running = tick.catch(() => {});
      return tick;
    },
    start() {
      if (timer !== undefined) throw new Error('scheduler started twice');
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await lease.release();
    },
  };
}
