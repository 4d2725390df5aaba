/**
 * The store named by the configuration could not be opened or reached. Its message names the
 * store and the cause in one line, so that a service can print it and exit without a stack.
 * `missing`: a store that must already exist does not (a mistyped data directory);
 * `unreachable`: the engine's server did not answer;
 * `locked`: another process owns the SQLite data directory (data-dir-lock.ts);
 * `damaged`: a SQLite file that holds what nothing else can rebuild is not a database, or is malformed;
 * `unopenable`: SQLite cannot open such a file at all (permissions, a read-only file system);
 * `forbidden`: the PostgreSQL role may not do what opening the ledger needs (create the schema or
 * its tables, or alter tables another role owns).
 */
export class LedgerOpenError extends Error {
  override readonly name = 'LedgerOpenError';

  constructor(
    readonly reason:
      'missing' | 'unreachable' | 'locked' | 'damaged' | 'unopenable' | 'wrong-key' | 'forbidden',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isLedgerOpenError(error: unknown): error is LedgerOpenError {
  return error instanceof LedgerOpenError;
}
