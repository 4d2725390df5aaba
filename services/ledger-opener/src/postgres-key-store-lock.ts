/**
 * Who may use a PostgreSQL ledger's personal-data key store beside whom. A master-key rotation
 * re-wraps every data key in one transaction; a server running meanwhile still holds the old
 * master key and wraps the data key of each volunteer it registers under it, a key nobody can
 * open once `master.key` is replaced (those volunteers read as 500 INTERNAL_ERROR for ever). On
 * SQLite the data directory's lock keeps the two apart; on PostgreSQL this does: every process
 * that opens the key store holds a shared advisory lock on a dedicated connection for as long as
 * it has it open, and `rotate-master-key` takes the same lock exclusively, without waiting. Each
 * side is refused (LedgerOpenError `locked`, exit 2) while the other holds it. PostgreSQL frees
 * a session's locks when it ends, so a killed process leaves none behind.
 */
import { createHash } from 'node:crypto';
import type { PostgresTimeouts } from '@timebank/event-store-postgres';
import { LedgerOpenError } from './open-error.js';

/** How the key store is used: beside other users (`shared`), or alone (`exclusive`: rotation). */
export type KeyStoreUse = 'shared' | 'exclusive';

/** A 64-bit advisory lock key of the schema, apart from the sweep lease's. */
function lockKeyOf(schema: string): string {
  return createHash('sha256')
    .update(`timebank-personal-keys\n${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/** Takes the key store's lock for `use`, or refuses; `release` gives it up (closes its connection). */
export async function holdKeyStoreLock(options: {
  readonly connectionString: string;
  readonly schema: string;
  readonly use: KeyStoreUse;
  readonly timeouts?: Partial<PostgresTimeouts>;
}): Promise<{ release: () => Promise<void> }> {
  const { default: driver } = await import('pg');
  const { clientSettings, driverConnection } = await import('@timebank/event-store-postgres');
  const client = new driver.Client({
    ...driverConnection(options.connectionString),
    application_name: 'timebank-personal-keys-lock',
    ...clientSettings(options.timeouts ?? {}),
  });
  // A dropped connection loses the lock with it; nothing to do but not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  const take = options.use === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const held = await client
    .query<{ held: boolean }>(`SELECT ${take}($1) AS held`, [lockKeyOf(options.schema)])
    .then((result) => result.rows[0]?.held === true)
    .catch(async (error: unknown) => {
      await client.end().catch(() => undefined);
      throw error;
    });
  if (!held) {
    await client.end().catch(() => undefined);
    throw new LedgerOpenError('locked', refusal(options.use, options.schema));
  }
  return { release: () => client.end().catch(() => undefined) };
}

function refusal(use: KeyStoreUse, schema: string): string {
  return use === 'exclusive'
    ? `the personal-data keys of postgres schema ${schema} are in use by another process (an API server, or a pnpm ledger command): stop every API process first; a master-key rotation must run alone`
    : `a master-key rotation is running on postgres schema ${schema}: start again once it has finished`;
}
