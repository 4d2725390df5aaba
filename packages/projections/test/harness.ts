/**
 * The engines every projection test runs on: SQLite in a fresh temp directory, and PostgreSQL in a
 * fresh randomly named schema (dropped afterwards) when POSTGRES_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore } from '@timebank/event-store-postgres';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import { openPostgresReadModels } from '../src/dialect/postgres.js';
import { openSqliteReadModels } from '../src/dialect/sqlite.js';
import type { ReadModelDatabase } from '../src/dialect/dialect.js';

export interface Engine {
  readonly store: EventStore;
  readonly db: ReadModelDatabase;
  /** SQLite only: the event store's file, for tampering tests. */
  readonly storePath?: string;
  /** SQLite: the read models' file, for a second connection to it. */
  readonly readModelsPath?: string;
  close(): Promise<void>;
}

export interface Harness {
  readonly name: 'sqlite' | 'postgres';
  create(): Promise<Engine>;
}

export const sqliteHarness: Harness = {
  name: 'sqlite',
  async create() {
    const directory = mkdtempSync(join(tmpdir(), 'timebank-projections-'));
    const storePath = join(directory, 'events.sqlite');
    const store = createSqliteEventStore({ path: storePath });
    const readModelsPath = join(directory, 'read-models.sqlite');
    const db = openSqliteReadModels({ path: readModelsPath });
    return {
      store,
      db,
      storePath,
      readModelsPath,
      async close() {
        await store.close();
        await db.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

export function postgresHarness(url: string): Harness {
  return {
    name: 'postgres',
    async create() {
      const schema = `projections_test_${randomBytes(6).toString('hex')}`;
      const store = await createPostgresEventStore({ connectionString: url, schema });
      const db = await openPostgresReadModels({ connectionString: url, schema });
      return {
        store,
        db,
        async close() {
          await store.close();
          await db.close();
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
          await client.end();
        },
      };
    },
  };
}

/** SQLite always; PostgreSQL when POSTGRES_URL names a server (requireServerUrl prints why not). */
export function harnesses(): Harness[] {
  const url = requireServerUrl('POSTGRES_URL');
  return url === undefined ? [sqliteHarness] : [sqliteHarness, postgresHarness(url)];
}

/** Appends `events` to `streamName` after whatever it already holds; returns the position. */
export async function appendTo(store: EventStore, streamName: string, events: NewEvent[]): Promise<bigint> {
  const [last] = await store.readStream(streamName, { direction: 'backwards', maxCount: 1 });
  const result = await store.appendToStream(streamName, events, {
    expectedRevision: last === undefined ? 'no_stream' : last.revision,
  });
  return result.position;
}
