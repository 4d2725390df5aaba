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
import type { CheckedStreamReader, Ledger } from '@timebank/application';

/**
 * One freshness check, shared by the requests of one loop turn: its reader as a promise, and the
 * same reader once the check has been made, for code that runs after it and need not wait.
 */
interface FreshnessCheck {
  readonly promise: Promise<CheckedStreamReader>;
  reader: CheckedStreamReader | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's freshness check, made at its first use (`requestReader`); null until then. */
    ledgerReader: FreshnessCheck | null;
  }
}

class FreshnessBatch {
  readonly #ledger: Ledger;
  /** The check every request asking now waits for; undefined once it has begun. */
  #pending: FreshnessCheck | undefined;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  /**
   * A check made after this call: at the end of the current loop turn. Every request of the turn
   * shares it, so a request costs no promise of its own (issue #15).
   */
  next(): FreshnessCheck {
    if (this.#pending !== undefined) return this.#pending;
    const promise = new Promise<CheckedStreamReader>((resolve, reject) => {
      setImmediate(() => {
        // From here on, a request that asks waits for the next check.
        this.#pending = undefined;
        try {
          const reader = this.#ledger.checkedReader();
          check.reader = reader;
          resolve(reader);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    const check: FreshnessCheck = { promise, reader: undefined };
    this.#pending = check;
    return check;
  }
}

const batches = new WeakMap<Ledger, FreshnessBatch>();

function checkOf(ledger: Ledger, request: FastifyRequest): FreshnessCheck {
  let check = (request as Partial<FastifyRequest>).ledgerReader;
  if (check === undefined || check === null) {
    let batch = batches.get(ledger);
    if (batch === undefined) {
      batch = new FreshnessBatch(ledger);
      batches.set(ledger, batch);
    }
    check = batch.next();
    request.ledgerReader = check;
  }
  return check;
}

/**
 * The reader for every read of one request, checked once, after the request arrived. Every
 * answer read through it is as of an instant within the request. It is kept on the request
 * (`ledgerReader`, which the app declares), so the request's later reads reuse it.
 */
export function requestReader(ledger: Ledger, request: FastifyRequest): Promise<CheckedStreamReader> {
  return checkOf(ledger, request).promise;
}

/**
 * The request's reader without waiting, once its check has been made (a route handler after the
 * access hooks waited for it); undefined before, and then the caller awaits `requestReader`.
 */
export function requestReaderNow(ledger: Ledger, request: FastifyRequest): CheckedStreamReader | undefined {
  return checkOf(ledger, request).reader;
}
