/**
 * The store named by the configuration could not be opened or reached. Its message names the
 * store and the cause in one line, so that a service can print it and exit without a stack.
 */
export class LedgerOpenError extends Error {
  override readonly name = 'LedgerOpenError';
}

export function isLedgerOpenError(error: unknown): error is LedgerOpenError {
  return error instanceof LedgerOpenError;
}
