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

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's checked reader, made at its first use (`requestReader`); null until then. */
    ledgerReader: Promise<StreamReader> | null;
  }
}

class FreshnessBatch {
  readonly #ledger: Ledger;
  /** The check every request asking now waits for; undefined once it has begun. */
  #pending: Promise<StreamReader> | undefined;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  /**
   * A reader checked after this call: at the end of the current loop turn. Every request of the
   * turn shares the one promise, so a request costs no promise of its own (issue #15).
   */
  next(): Promise<StreamReader> {
    this.#pending ??= new Promise((resolve, reject) => {
      setImmediate(() => {
        // From here on, a request that asks waits for the next check.
        this.#pending = undefined;
        try {
          resolve(this.#ledger.checkedReader());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    return this.#pending;
  }
}

const batches = new WeakMap<Ledger, FreshnessBatch>();

/**
 * The reader for every read of one request, checked once, after the request arrived. Every
 * answer read through it is as of an instant within the request. It is kept on the request
 * (`ledgerReader`, which the app declares), so the request's later reads reuse it.
 */
export function requestReader(ledger: Ledger, request: FastifyRequest): Promise<StreamReader> {
  let reader = (request as Partial<FastifyRequest>).ledgerReader;
  if (reader === undefined || reader === null) {
    let batch = batches.get(ledger);
    if (batch === undefined) {
      batch = new FreshnessBatch(ledger);
      batches.set(ledger, batch);
    }
    reader = batch.next();
    request.ledgerReader = reader;
  }
  return reader;
}
