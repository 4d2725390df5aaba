/**
 * Runs tasks one at a time per key, in arrival order, while tasks of different keys run
 * concurrently. Used so that commands on one stream within this process never race each other
 * for the same expected revision. Holds an entry only while a key has work queued.
 */
export class KeyedSerializer {
  readonly #tails = new Map<string, Promise<unknown>>();

  get activeKeys(): number {
    return this.#tails.size;
  }

  /** True when no task of `key` is queued or running. */
  isIdle(key: string): boolean {
    return !this.#tails.has(key);
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
