/**
 * Test helpers shared by every package's integration tests. Not for production code.
 */
import type { EventStore } from '../port.js';

/**
 * Returns the URL of a real server named by an environment variable (POSTGRES_URL,
 * KAFKA_BROKERS, ESDB_URL). When it is unset the suite skips with a printed reason, except under
 * CI=true, where a skipped integration suite would hide a missing service: there it throws.
 */
export function requireServerUrl(
  variable: 'POSTGRES_URL' | 'KAFKA_BROKERS' | 'ESDB_URL',
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = environment[variable];
  if (value !== undefined && value !== '') return value;
  if (environment.CI === 'true' && variable !== 'ESDB_URL') {
    throw new Error(`${variable} is not set, but CI=true requires this integration suite to run`);
  }
  console.log(`# skipping: ${variable} is not set, so this suite has no real server to run against`);
  return undefined;
}

/**
 * The port's required members only, delegating to `store`: a store as an engine that offers no
 * optional capability (no change log, no payload reads: EventStoreDB's, or an older release's)
 * sees it. Spread it and override a member to intercept one call.
 */
export function portOnly(store: EventStore): EventStore {
  return {
    engine: store.engine,
    appendToStream: (streamName, events, options) => store.appendToStream(streamName, events, options),
    readStream: (streamName, options) => store.readStream(streamName, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}
export { fillDisk, mountTmpfs, smallDisk, type SmallDisk } from './small-disk.js';
