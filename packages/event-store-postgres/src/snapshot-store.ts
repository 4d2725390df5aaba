/**
 * The PostgreSQL `SnapshotStore`: the `snapshots` table of the event store's schema (created by
 * its migrations, so open the event store first), through a small pool of its own so that
 * snapshot writes never queue behind the group-commit writer's connections.
 */
import pg from 'pg';
import type { SnapshotStore } from '@timebank/event-store';
import { clientSettings, type PostgresTimeouts } from './client-settings.js';
import { driverConnection } from './ssl-negotiation.js';

export interface PostgresSnapshotStoreOptions {
  readonly connectionString: string;
  /** The event store's schema, already migrated. */
  readonly schema: string;
  /** Connections of the snapshot pool. Default 2: one background batch and a cold load at a time. */
  readonly poolSizeMax?: number;
  /** Default the event store's (`DEFAULT_POSTGRES_LIMITS`): 10 s to connect, 30 s per statement. */
  readonly timeouts?: Partial<PostgresTimeouts>;
}

export function createPostgresSnapshotStore(options: PostgresSnapshotStoreOptions): SnapshotStore {
  const pool = new pg.Pool({
    ...driverConnection(options.connectionString),
    max: options.poolSizeMax ?? 2,
    application_name: 'timebank-snapshots',
    ...clientSettings(options.timeouts ?? {}),
  });
  // An idle client whose backend dies emits 'error'; the pool replaces it by itself.
  pool.on('error', () => undefined);
  const table = `${pg.escapeIdentifier(options.schema)}.snapshots`;
  return {
    async readSnapshot(streamName) {
      const result = await pool.query<{
        revision: string;
        event_hash: string;
        fold_version: string;
        payload: Buffer;
      }>(`SELECT revision::text, event_hash, fold_version, payload FROM ${table} WHERE stream_name = $1`, [
        streamName,
      ]);
      const row = result.rows[0];
      return (
        row && {
          streamName,
          revision: BigInt(row.revision),
          eventHash: row.event_hash,
          foldVersion: row.fold_version,
          payload: row.payload,
        }
      );
    },
    async writeSnapshots(snapshots) {
      if (snapshots.length === 0) return;
      // One statement for the batch; a row moves only forwards, or to another fold's snapshot.
      await pool.query(
        `INSERT INTO ${table} AS current (stream_name, revision, event_hash, fold_version, payload)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bytea[])
         ON CONFLICT (stream_name) DO UPDATE SET
           revision = excluded.revision, event_hash = excluded.event_hash,
           fold_version = excluded.fold_version, payload = excluded.payload
         WHERE excluded.revision > current.revision OR excluded.fold_version <> current.fold_version`,
        [
          snapshots.map((each) => each.streamName),
          snapshots.map((each) => each.revision.toString()),
          snapshots.map((each) => each.eventHash),
          snapshots.map((each) => each.foldVersion),
          snapshots.map((each) => each.payload),
        ],
      );
    },
    async deleteSnapshot(streamName) {
      await pool.query(`DELETE FROM ${table} WHERE stream_name = $1`, [streamName]);
    },
    async close() {
      await pool.end();
    },
  };
}
