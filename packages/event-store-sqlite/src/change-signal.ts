/**
 * Wakes waiting subscriptions when new events may exist: at once after a commit in this process,
 * and by cheap polling of `PRAGMA data_version` for commits by other processes (or other
 * connections in this one), which SQLite cannot announce.
 */
export class ChangeSignal {
  readonly #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #lastDataVersion: unknown;

  constructor(
    /** Reads `PRAGMA data_version` on the store's connection. */
    private readonly readDataVersion: () => unknown,
    /** How often waiting subscriptions look for other writers' commits, in milliseconds. */
    private readonly pollIntervalMs: number,
  ) {}

  /** Wakes every waiter; called after each local commit. */
  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    this.#stopPollingIfIdle();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at the next change or when `cancel` aborts. The caller must have read the log in the
   * same synchronous step, so that no commit can slip in between its read and this wait.
   *
   * The cancel listener is removed when the wait ends, whichever way: a subscription waits here
   * once per idle turn for as long as it lives, and a reaction left on a long-lived signal (as
   * `closing.then(wake)` did) kept every finished wait's closure and promise until the
   * subscription closed, about 250 bytes per wait in the projector thread.
   */
  wait(cancel: AbortSignal): Promise<void> {
    if (cancel.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#waiters.delete(wake);
        cancel.removeEventListener('abort', wake);
        this.#stopPollingIfIdle();
        resolve();
      };
      this.#waiters.add(wake);
      cancel.addEventListener('abort', wake, { once: true });
      this.#startPolling();
    });
  }

  /** Subscriptions waiting now (tests: a finished wait leaves nothing behind). */
  get waiting(): number {
    return this.#waiters.size;
  }

  #startPolling(): void {
    if (this.#timer !== undefined) return;
    // Baseline taken now, right after the caller's read: any later change is another writer's commit.
    this.#lastDataVersion = this.readDataVersion();
    this.#timer = setInterval(() => {
      const version = this.readDataVersion();
      if (version === this.#lastDataVersion) return;
      this.#lastDataVersion = version;
      this.notify();
    }, this.pollIntervalMs);
    // Polling alone must not keep the process alive; an open subscription being iterated does.
    this.#timer.unref();
  }

  #stopPollingIfIdle(): void {
    if (this.#waiters.size > 0 || this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
