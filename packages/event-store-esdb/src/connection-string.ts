/**
 * KurrentDB, the renamed EventStoreDB, documents `kurrentdb://` and `kurrentdb+discover://`
 * connection strings; `@eventstore/db-client` 6.2.1 parses only `esdb://` and `esdb+discover://`.
 * The rest of the string means the same to both, so only the scheme is translated.
 */
const KURRENTDB_SCHEME = /^kurrentdb(\+discover)?:\/\//i;

export function clientConnectionString(connectionString: string): string {
  return connectionString.replace(KURRENTDB_SCHEME, (_scheme, discover: string | undefined) =>
    discover === undefined ? 'esdb://' : 'esdb+discover://',
  );
}
