import { describeStore } from './describe-store.js';
import { LedgerOpenError } from './open-error.js';
import type { StoreConfig } from './store-config.js';

/** PostgreSQL's SQLSTATE for insufficient_privilege: "permission denied for …", "must be owner of …". */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * A PostgreSQL role that may not do what opening the ledger needs (create its schema, create or
 * alter its tables) is the operator's matter, like a role that does not exist: one line naming
 * the store and PostgreSQL's own words, never the driver's stack. Anything else is returned as is.
 */
export function privilegeRefusal(error: unknown, config: StoreConfig): unknown {
  if (config.engine !== 'postgres' || (error as { code?: unknown } | null)?.code !== INSUFFICIENT_PRIVILEGE)
    return error;
  const cause = error instanceof Error ? error.message : String(error);
  return new LedgerOpenError(
    'forbidden',
    `the PostgreSQL role may not use the ledger's schema (${describeStore(config)}): ${cause}; it must be able to create the schema in the database, or own the schema and its tables`,
    { cause: error },
  );
}
