/**
 * Test support for code that runs on PostgreSQL: tests of this package and of the services
 * above it. Not used by the adapter itself.
 */
import pg from 'pg';

/** Drops `schema` and everything in it, over a connection of its own to the PostgreSQL at `url`. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export {
  acceptingPort,
  cuttableProxy,
  failure,
  freezableProxy,
  silentPort,
  tlsPostgresProxy,
  type ProxiedTls,
  type Teardown,
} from './network.js';
