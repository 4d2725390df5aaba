/**
 * The reader a request reads the ledger through: one freshness check (a look at the store's change
 * log, on SQLite one `PRAGMA data_version`) covers the key's active check and the route's own
 * reads, and that check is shared by every request that arrived before it began.
 *
 * Why sharing is sound: a check vouches for every change committed before it began. A request
 * waits for the next check rather than taking one made before it arrived, so each answer still
 * sees everything committed before the request was sent (read-your-writes across clients holds).
 * The check runs in the event loop's check phase (`setImmediate`), after the poll phase that read
 * the waiting requests' sockets: under load, one check serves the whole batch of requests read in
 * that turn instead of one per request (issue #15); idle, it costs a request one loop turn.
 */
import type { FastifyRequest } from 'fastify';
import type { Ledger, StreamReader } from '@timebank/application';

class FreshnessBatch {
  readonly #ledger: Ledger;
  #waiting: ((reader: StreamReader) => void)[] = [];
  #failing: ((error: unknown) => void)[] = [];

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  /** A reader checked after this call: at the end of the current loop turn. */
  next(): Promise<StreamReader> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#check());
      this.#waiting.push(resolve);
      this.#failing.push(reject);
    });
  }

  #check(): void {
    const waiting = this.#waiting;
    const failing = this.#failing;
    this.#waiting = [];
    this.#failing = [];
    let reader: StreamReader;
    try {
      reader = this.#ledger.checkedReader();
    } catch (error) {
      for (const reject of failing) reject(error);
      return;
    }
    for (const resolve of waiting) resolve(reader);
  }
}

const batches = new WeakMap<Ledger, FreshnessBatch>();
/** Each request's reader, made at its first use; the request owns it, so it goes with it. */
const readers = new WeakMap<FastifyRequest, Promise<StreamReader>>();

/**
 * The reader for every read of one request, checked once, after the request arrived. Every
 * answer read through it is as of an instant within the request.
 */
export function requestReader(ledger: Ledger, request: FastifyRequest): Promise<StreamReader> {
  let reader = readers.get(request);
  if (reader === undefined) {
    let batch = batches.get(ledger);
    if (batch === undefined) {
      batch = new FreshnessBatch(ledger);
      batches.set(ledger, batch);
    }
    reader = batch.next();
    readers.set(request, reader);
  }
  return reader;
}
