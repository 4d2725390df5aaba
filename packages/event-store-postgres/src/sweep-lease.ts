/**
 * Who runs the ledger's clock (the scheduler's sweep) when several processes share one
 * PostgreSQL store: the process holding a session-level advisory lock on a dedicated connection.
 * PostgreSQL frees the lock when that session ends, so when the holder dies (even by SIGKILL) or
 * its connection drops, the next process to ask takes over. The sweep is idempotent anyway; the
 * lease only keeps two processes from doing the same work twice.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { clientSettings, type PostgresTimeouts } from './client-settings.js';
import { driverConnection } from './ssl-negotiation.js';

export interface PostgresSweepLeaseOptions {
  readonly connectionString: string;
  /** The store's schema: processes over the same schema share one lease. */
  readonly schema: string;
  /** Default the event store's (`DEFAULT_POSTGRES_LIMITS`): 10 s to connect, 30 s per statement. */
  readonly timeouts?: Partial<PostgresTimeouts>;
}

export interface PostgresSweepLease {
  /** True when this process holds the lease now (taking it if it is free). */
  acquire(): Promise<boolean>;
  /** Gives the lease up and closes its connection. */
  release(): Promise<void>;
}

/** A 64-bit advisory lock key derived from the schema name, so two ledgers on one server never share it. */
function lockKeyOf(schema: string): string {
  return createHash('sha256').update(`timebank-sweep\n${schema}`).digest().readBigInt64BE(0).toString();
}

export function createPostgresSweepLease(options: PostgresSweepLeaseOptions): PostgresSweepLease {
  const key = lockKeyOf(options.schema);
  let client: pg.Client | undefined;
  let held = false;

  const drop = (): void => {
    const lost = client;
    client = undefined;
    held = false;
    void lost?.end().catch(() => undefined);
  };

  async function connected(): Promise<pg.Client> {
    if (client !== undefined) return client;
    const fresh = new pg.Client({
      ...driverConnection(options.connectionString),
      application_name: 'timebank-sweep-lease',
      ...clientSettings(options.timeouts ?? {}),
    });
    // A broken connection loses the lock on the server side too: forget both and ask again later.
    fresh.on('error', drop);
    await fresh.connect();
    client = fresh;
    return fresh;
  }

  return {
    async acquire() {
      if (held && client !== undefined) return true;
      try {
        const session = await connected();
        const result = await session.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1::bigint) AS locked',
          [key],
        );
        held = result.rows[0]?.locked === true;
        return held;
      } catch {
        drop();
        return false;
      }
    },
    async release() {
      const session = client;
      if (session === undefined) return;
      client = undefined;
      try {
        if (held) await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      } finally {
        held = false;
        await session.end().catch(() => undefined);
      }
    },
  };
}
