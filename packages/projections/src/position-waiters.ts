/**
 * Read-your-writes waiters: callers waiting until the read models include a position. One
 * implementation serves the in-process projector and the API's handle on a projector that runs in
 * a worker thread; each tells its waiters when its checkpoint advances, fails or stops.
 */
import { ProjectionError, isProjectionError } from './errors.js';

export interface WaitOptions {
  /** How long to wait, in milliseconds. Default 2,000: the API's read-your-writes bound (`READ_YOUR_WRITES_TIMEOUT_MS`). */
  readonly timeoutMs?: number;
}

/** What the waiters read of the projector they wait on. */
export interface WaitedProjector {
  /** Global position of the last event applied to the read models. */
  checkpoint(): bigint;
  /** The error that stopped the projector for good, if any. */
  failure(): Error | undefined;
  /** True once the projector was told to stop (or stopped on its own). */
  stopped(): boolean;
}

const DEFAULT_WAIT_TIMEOUT_MS = 2000;

interface Waiter {
  readonly position: bigint;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

export class PositionWaiters {
  readonly #waiters = new Set<Waiter>();

  constructor(private readonly projector: WaitedProjector) {}

  /**
   * Resolves once the read models include `position`, rejects with PROJECTION_TIMEOUT after
   * `timeoutMs`, with the projector's failure if it fails, PROJECTION_STOPPED if it stops first.
   */
  wait(position: bigint, options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    if (typeof position !== 'bigint' || position < 0n) {
      return Promise.reject(
        new ProjectionError('PROJECTION_INVALID_ARGUMENT', 'position must be a bigint ≥ 0'),
      );
    }
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
      return Promise.reject(new ProjectionError('PROJECTION_INVALID_ARGUMENT', 'timeoutMs must be ≥ 0'));
    }
    if (this.projector.checkpoint() >= position) return Promise.resolve();
    const failure = this.projector.failure();
    if (failure !== undefined) return Promise.reject(failure);
    if (this.projector.stopped())
      return Promise.reject(new ProjectionError('PROJECTION_STOPPED', 'projector stopped'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new ProjectionError(
              'PROJECTION_TIMEOUT',
              `read models are at position ${this.projector.checkpoint()}, not ${position}, after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** The API's form of `wait`: true when reached, false on timeout. */
  async reached(position: bigint, timeoutMs: number): Promise<boolean> {
    try {
      await this.wait(position, { timeoutMs });
      return true;
    } catch (error) {
      if (isProjectionError(error, 'PROJECTION_TIMEOUT')) return false;
      throw error;
    }
  }

  /** Resolves the waiters the checkpoint reached; with `error`, rejects every waiter with it. */
  settle(error?: unknown): void {
    const checkpoint = this.projector.checkpoint();
    for (const waiter of this.#waiters) {
      if (error === undefined && waiter.position > checkpoint) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }
}
