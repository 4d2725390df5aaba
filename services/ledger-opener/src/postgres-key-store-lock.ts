/**
 * Who may use a PostgreSQL ledger's personal-data key store beside whom. A master-key rotation
 * re-wraps every data key in one transaction; a server running meanwhile still holds the old
 * master key and wraps the data key of each volunteer it registers under it, a key nobody can
 * open once `master.key` is replaced (those volunteers read as 500 INTERNAL_ERROR for ever). On
 * SQLite the data directory's lock keeps the two apart; on PostgreSQL this does: every process
 * that opens the key store holds a shared advisory lock on a dedicated connection for as long as
 * it has it open, and `rotate-master-key` takes the same lock exclusively, without waiting. Each
 * side is refused (LedgerOpenError `locked`, exit 2) while the other holds it. PostgreSQL frees
 * a session's locks when it ends, so a killed process leaves none behind; and a process whose
 * lock connection dropped must not go on as if it held it (see `watch` below).
 */
import { createHash } from 'node:crypto';
import type { PostgresTimeouts } from '@timebank/event-store-postgres';
import type pg from 'pg';
import { LedgerOpenError } from './open-error.js';

/** The lock's connection in pg_stat_activity. */
export const LOCK_APPLICATION_NAME = 'timebank-personal-keys-lock';

/** How the key store is used: beside other users (`shared`), or alone (`exclusive`: rotation). */
export type KeyStoreUse = 'shared' | 'exclusive';

/** A 64-bit advisory lock key of the schema, apart from the sweep lease's. */
export function lockKeyOf(schema: string): string {
  return createHash('sha256')
    .update(`timebank-personal-keys\n${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/**
 * What became of a held lock whose connection dropped (the server restarted, the backend was
 * terminated, the network cut it): `dropped` at once, then `regained` or `lost` for good, with why.
 */
export type KeyStoreLockEvent =
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'regained' }
  | { readonly kind: 'lost'; readonly reason: string };

/**
 * How long to wait between attempts to take the lock again while PostgreSQL cannot be reached, in
 * milliseconds. 1,000: an attempt costs one connection; the lock is back within a second of the
 * server's return (a restart, a failover), as the event store's pool is.
 */
const REGAIN_INTERVAL_MILLISECONDS = 1000;

/** Watching a held lock: told what becomes of it; `confirm` runs once it is taken again (see holdKeyStoreLock). */
export interface KeyStoreLockWatch {
  readonly watch: (event: KeyStoreLockEvent) => void;
  /** Why the process may not go on although it holds the lock again (a rotation ran meanwhile), or undefined. */
  readonly confirm?: () => Promise<string | undefined>;
}

interface LockOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly use: KeyStoreUse;
  readonly timeouts?: Partial<PostgresTimeouts>;
}

/** A connection holding the lock for `options.use`, or null when another process holds it against us. */
async function take(options: LockOptions, onError: (error: Error) => void): Promise<pg.Client | null> {
  const { default: driver } = await import('pg');
  const { clientSettings, driverConnection } = await import('@timebank/event-store-postgres');
  const client = new driver.Client({
    ...driverConnection(options.connectionString),
    application_name: LOCK_APPLICATION_NAME,
    ...clientSettings(options.timeouts ?? {}),
  });
  client.on('error', onError);
  const held = await client
    .connect()
    .then(() => {
      const function_ = options.use === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
      return client.query<{ held: boolean }>(`SELECT ${function_}($1) AS held`, [lockKeyOf(options.schema)]);
    })
    .then((result) => result.rows[0]?.held === true)
    .catch(async (error: unknown) => {
      await client.end().catch(() => undefined);
      throw error;
    });
  if (held) return client;
  await client.end().catch(() => undefined);
  return null;
}

/**
 * Takes the key store's lock for `use`, or refuses (LedgerOpenError `locked`). `held()` says
 * whether it is held now; `release` gives it up (closes its connection). Without `watch` a dropped
 * connection loses the lock for good (a short `pnpm ledger` command). With it the lock is taken
 * again on a new connection, at once and then once a second while PostgreSQL cannot be reached
 * (for as long as it takes: `held()` is false meanwhile, and nothing needs the lock then but the
 * minting of data keys, which the key store refuses); `confirm` then checks that nothing changed
 * meanwhile, and `regained` is told. `lost` is told when another process (a master-key rotation)
 * holds the lock when it is asked for, or `confirm` gives a reason.
 */
export async function holdKeyStoreLock(
  options: LockOptions & { readonly watch?: KeyStoreLockWatch },
): Promise<{ release: () => Promise<void>; held: () => boolean }> {
  let released = false;
  let client: pg.Client | null = null;
  const dropped = (lost: pg.Client, error?: Error): void => {
    if (released || client !== lost) return;
    client = null;
    void lost.end().catch(() => undefined);
    if (options.watch === undefined) return;
    options.watch.watch({ kind: 'dropped', reason: error?.message ?? 'the connection was closed' });
    void regain(options.watch);
  };
  const regain = async (watch: KeyStoreLockWatch): Promise<void> => {
    let taken: pg.Client | null = null;
    let objection: string | undefined;
    try {
      taken = await take(options, () => undefined);
      objection = taken === null ? undefined : await watch.confirm?.();
    } catch {
      await taken?.end().catch(() => undefined);
      if (released) return;
      await new Promise((resolve) => setTimeout(resolve, REGAIN_INTERVAL_MILLISECONDS));
      return regain(watch);
    }
    if (released || taken === null || objection !== undefined) await taken?.end().catch(() => undefined);
    if (released) return;
    if (taken === null)
      return watch.watch({ kind: 'lost', reason: refusal('exclusive-held', options.schema) });
    if (objection !== undefined) return watch.watch({ kind: 'lost', reason: objection });
    client = taken;
    watchDrop(taken);
    watch.watch({ kind: 'regained' });
  };
  // 'error' comes first for a backend terminated or a socket cut, 'end' alone for a clean close.
  const watchDrop = (held: pg.Client): void => {
    held.on('error', (error) => dropped(held, error));
    held.on('end', () => dropped(held));
  };
  const first = await take(options, () => undefined);
  if (first === null) throw new LedgerOpenError('locked', refusal(options.use, options.schema));
  client = first;
  watchDrop(first);
  return {
    held: () => client !== null,
    release: async () => {
      released = true;
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}

function refusal(use: KeyStoreUse | 'exclusive-held', schema: string): string {
  if (use === 'exclusive-held')
    return `another process holds the personal-data keys of postgres schema ${schema} alone (a master-key rotation)`;
  return use === 'exclusive'
    ? `the personal-data keys of postgres schema ${schema} are in use by another process (an API server, or a pnpm ledger command): stop every API process first; a master-key rotation must run alone`
    : `a master-key rotation is running on postgres schema ${schema}: start again once it has finished`;
}
