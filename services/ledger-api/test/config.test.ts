import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('an empty environment gives the documented defaults, frozen', async (t) => {
  const config = loadConfig({});
  t.same(config.store, {
    engine: 'sqlite',
    dataDir: './data',
    headCacheStreamsMax: 10_000,
    writerThread: true,
  });
  t.equal(config.stateCacheStreamsMax, 10_000);
  t.equal(config.idempotencyCacheEntriesMax, 10_000);
  t.equal(config.projectorCachedRowsPerTableMax, 10_000);
  t.equal(config.port, 8080);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.kafka, null);
  t.equal(config.bodyLimitBytes, 256 * 1024);
  t.same(config.rateLimit, { requestsMax: 1200, windowSeconds: 60, certificateVerificationsMax: 30 });
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.store) && Object.isFrozen(config.rateLimit));
});

t.test('values are parsed; empty strings count as unset', async (t) => {
  const config = loadConfig({
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/test',
    POSTGRES_SCHEMA: 'ledger_a',
    LEDGER_NATIONAL_ID_KEY: 'k'.repeat(32),
    PORT: '0',
    HOST: '',
    KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093',
    RATE_LIMIT_REQUESTS_MAX: '5',
  });
  t.same(config.store, {
    engine: 'postgres',
    url: 'postgres://postgres@127.0.0.1:5432/test',
    schema: 'ledger_a',
    timeouts: { connectTimeoutMilliseconds: 10_000, statementTimeoutMilliseconds: 30_000 },
  });
  t.equal(config.port, 0);
  t.equal(config.host, '127.0.0.1');
  t.same(config.kafka?.brokers, ['127.0.0.1:9092', '127.0.0.1:9093']);
  t.equal(config.kafka?.onInvalidEvent, 'stop', 'an invalid integration event stops the relay by default');
  t.equal(config.rateLimit.requestsMax, 5);
  t.equal(config.processes, 1, 'one process unless LEDGER_PROCESSES says more');
  t.equal(config.processRole, 'all');
});

t.test(
  'PostgreSQL timeouts come from POSTGRES_CONNECT_TIMEOUT_MS and POSTGRES_STATEMENT_TIMEOUT_MS',
  async (t) => {
    const postgres = {
      LEDGER_STORE: 'postgres',
      POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/test',
      LEDGER_NATIONAL_ID_KEY: 'k'.repeat(32),
    };
    const config = loadConfig({
      ...postgres,
      POSTGRES_CONNECT_TIMEOUT_MS: '2500',
      POSTGRES_STATEMENT_TIMEOUT_MS: '0',
    });
    t.match(config.store, {
      timeouts: { connectTimeoutMilliseconds: 2500, statementTimeoutMilliseconds: 0 },
    });
    t.throws(() => loadConfig({ ...postgres, POSTGRES_CONNECT_TIMEOUT_MS: '0' }), {
      message: /POSTGRES_CONNECT_TIMEOUT_MS/,
    });
    t.throws(() => loadConfig({ ...postgres, POSTGRES_STATEMENT_TIMEOUT_MS: '30s' }), {
      message: /POSTGRES_STATEMENT_TIMEOUT_MS: must be a whole number of milliseconds/,
    });
  },
);

t.test('several processes are allowed on PostgreSQL', async (t) => {
  const config = loadConfig({
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/test',
    LEDGER_NATIONAL_ID_KEY: 'k'.repeat(32),
    LEDGER_PROCESSES: '4',
    LEDGER_PROCESS_ROLE: 'http',
  });
  t.equal(config.processes, 4);
  t.equal(config.processRole, 'http');
});

t.test('several processes on SQLite are refused with the reason', async (t) => {
  const error = t.throws(() => loadConfig({ LEDGER_PROCESSES: '2' })) as ConfigError;
  t.match(
    error.message,
    /LEDGER_PROCESSES: may be above 1 only with LEDGER_STORE=postgres: SQLite allows one writer/,
  );
});

const bad: Array<[string, Record<string, string>, string]> = [
  ['a port that is not a number', { PORT: 'eighty' }, 'PORT'],
  ['a port out of range', { PORT: '70000' }, 'PORT'],
  ['an unknown engine', { LEDGER_STORE: 'mysql' }, 'LEDGER_STORE'],
  [
    'postgres without its URL',
    { LEDGER_STORE: 'postgres', LEDGER_NATIONAL_ID_KEY: 'k'.repeat(32) },
    'POSTGRES_URL',
  ],
  ['esdb without its URL', { LEDGER_STORE: 'esdb', LEDGER_NATIONAL_ID_KEY: 'k'.repeat(32) }, 'ESDB_URL'],
  [
    'a server engine without a national-ID key',
    { LEDGER_STORE: 'postgres', POSTGRES_URL: 'postgres://h/db' },
    'LEDGER_NATIONAL_ID_KEY',
  ],
  ['a short national-ID key', { LEDGER_NATIONAL_ID_KEY: 'short' }, 'LEDGER_NATIONAL_ID_KEY'],
  ['a malformed broker list', { KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
  ['a body limit below 1 KiB', { BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES'],
  ['an unknown log level', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ['several processes on SQLite', { LEDGER_PROCESSES: '2' }, 'LEDGER_PROCESSES'],
  [
    'several processes on EventStoreDB',
    {
      LEDGER_STORE: 'esdb',
      ESDB_URL: 'esdb://h:2113',
      LEDGER_NATIONAL_ID_KEY: 'k'.repeat(32),
      LEDGER_PROCESSES: '2',
    },
    'LEDGER_PROCESSES',
  ],
  ['no process at all', { LEDGER_PROCESSES: '0' }, 'LEDGER_PROCESSES'],
  ['an http-only process on SQLite', { LEDGER_PROCESS_ROLE: 'http' }, 'LEDGER_PROCESS_ROLE'],
];
for (const [what, environment, variable] of bad) {
  t.test(`${what} stops start-up with a message naming ${variable}`, async (t) => {
    const error = t.throws(() => loadConfig(environment)) as unknown;
    t.ok(error instanceof ConfigError);
    const configError = error as ConfigError;
    t.same(configError.variables, [variable]);
    t.match(configError.message, new RegExp(`^invalid configuration:\\n  ${variable}: `));
  });
}

t.test('a bad URL is named but its value (which may hold a password) is not echoed', async (t) => {
  const error = t.throws(() =>
    loadConfig({ LEDGER_STORE: 'postgres', POSTGRES_URL: 'mysql://user:secret@host/db' }),
  ) as ConfigError;
  t.match(error.message, /POSTGRES_URL/);
  t.notMatch(error.message, /secret/);
});

t.test('a malformed key is named but its value (most of a secret key) is not echoed', async (t) => {
  const almostMasterKey = 'a1'.repeat(31) + 'a';
  const shortIdKey = 'hunter2-national-id';
  const error = t.throws(() =>
    loadConfig({ LEDGER_MASTER_KEY: almostMasterKey, LEDGER_NATIONAL_ID_KEY: shortIdKey }),
  ) as ConfigError;
  t.ok(error.variables.includes('LEDGER_MASTER_KEY') && error.variables.includes('LEDGER_NATIONAL_ID_KEY'));
  t.match(error.message, /LEDGER_MASTER_KEY: must be 64 hex digits/);
  t.match(error.message, /LEDGER_NATIONAL_ID_KEY: must be at least 32 characters/);
  t.notMatch(error.message, almostMasterKey);
  t.notMatch(error.message, shortIdKey);
});

t.test(
  "the projector's row cache is set by PROJECTOR_CACHED_ROWS_PER_TABLE_MAX, at least one row",
  async (t) => {
    t.equal(loadConfig({ PROJECTOR_CACHED_ROWS_PER_TABLE_MAX: '2500' }).projectorCachedRowsPerTableMax, 2500);
    for (const bad of ['0', '-1', '1.5', 'lots']) {
      const error = t.throws(
        () => loadConfig({ PROJECTOR_CACHED_ROWS_PER_TABLE_MAX: bad }),
        ConfigError,
      ) as ConfigError;
      t.match(error.message, /PROJECTOR_CACHED_ROWS_PER_TABLE_MAX/, `${bad} is refused, naming the variable`);
    }
  },
);

/**
 * Every numeric variable, with each kind of bad value an operator may set: one line naming the
 * variable, its unit and its range, whatever check failed (zod's own words said only "Too big:
 * expected int to be <=9007199254740991" for a huge one, or nothing of the range for "-1").
 */
const NUMERIC: Array<[variable: string, allowed: string]> = [
  ['PORT', 'a whole number from 0 to 65,535'],
  ['RATE_LIMIT_REQUESTS_MAX', 'a whole number of requests from 1 to 10,000,000'],
  ['RATE_LIMIT_WINDOW_SECONDS', 'a whole number of seconds from 1 to 86,400'],
  ['CERTIFICATE_VERIFICATIONS_MAX', 'a whole number of requests from 1 to 10,000,000'],
  ['BODY_LIMIT_BYTES', 'a whole number of bytes from 1,024 to 16,777,216'],
  ['SHUTDOWN_GRACE_SECONDS', 'a whole number of seconds from 1 to 600'],
  ['IDEMPOTENCY_CACHE_ENTRIES_MAX', 'a whole number of entries from 0 to 10,000,000'],
  ['LEDGER_STATE_CACHE_STREAMS_MAX', 'a whole number of streams from 0 to 10,000,000'],
  ['PROJECTOR_CACHED_ROWS_PER_TABLE_MAX', 'a whole number of rows from 1 to 10,000,000'],
  ['LEDGER_SNAPSHOT_EVERY_EVENTS', 'a whole number of events from 0 to 10,000,000'],
  ['SQLITE_HEAD_CACHE_STREAMS_MAX', 'a whole number of streams from 0 to 10,000,000'],
  ['API_KEY_REFRESH_MS', 'a whole number of milliseconds from 0 to 60,000'],
  ['READ_YOUR_WRITES_TIMEOUT_MS', 'a whole number of milliseconds from 0 to 60,000'],
  ['LEDGER_SWEEP_INTERVAL_MS', 'a whole number of milliseconds from 0 to 3,600,000'],
  ['LEDGER_DUE_BACKLOG_MAX', 'a whole number of items from 1 to 1,000,000,000'],
  ['LEDGER_DISK_FREE_MIN_MB', 'a whole number of MiB from 0 to 100,000,000'],
  ['LEDGER_RETENTION_DAYS', 'a whole number of days from 0 to 999,999'],
  ['LEDGER_RETENTION_SWEEP_MS', 'a whole number of milliseconds from 1,000 to 604,800,000'],
  ['LEDGER_PROCESSES', 'a whole number of processes from 1 to 64'],
];
const BAD_NUMBERS = ['garbage', '-1', '1.5', '1e3', '0x10', 'true', '99999999999999999999999', '１２'];

for (const [variable, allowed] of NUMERIC) {
  t.test(`${variable}: every bad value gets one line saying what is allowed`, async (t) => {
    for (const bad of BAD_NUMBERS) {
      const error = t.throws(() => loadConfig({ [variable]: bad }), ConfigError) as ConfigError;
      t.equal(
        error.message,
        `invalid configuration:\n  ${variable}: must be ${allowed} (got ${JSON.stringify(bad)})`,
        `${variable}=${bad}`,
      );
    }
    const [, low] = /from ([\d,]+) to/.exec(allowed)!;
    const minimum = Number(low!.replaceAll(',', ''));
    if (minimum > 0) {
      const error = t.throws(
        () => loadConfig({ [variable]: String(minimum - 1) }),
        ConfigError,
      ) as ConfigError;
      t.match(error.message, `${variable}: must be ${allowed}`, 'below the minimum');
    }
    const [, high] = /to ([\d,]+)$/.exec(allowed)!;
    const maximum = Number(high!.replaceAll(',', ''));
    const tooBig = t.throws(
      () => loadConfig({ [variable]: String(maximum + 1) }),
      ConfigError,
    ) as ConfigError;
    t.match(tooBig.message, `${variable}: must be ${allowed}`, 'above the maximum');
  });
}

t.test('each variable gets one line, even when a rule across variables would add one', async (t) => {
  const error = t.throws(() => loadConfig({ LEDGER_PROCESSES: '1.5' }), ConfigError) as ConfigError;
  t.equal(
    error.message,
    'invalid configuration:\n  LEDGER_PROCESSES: must be a whole number of processes from 1 to 64 (got "1.5")',
    'not also "may be above 1 only with LEDGER_STORE=postgres" about a value that is no number',
  );
});

t.test('a broker port outside 1..65535 is refused at start, not at the first connect', async (t) => {
  for (const brokers of ['127.0.0.1:99999', '127.0.0.1:0', 'a:9092,b:65536']) {
    const error = t.throws(() => loadConfig({ KAFKA_BROKERS: brokers }), ConfigError) as ConfigError;
    t.match(
      error.message,
      /KAFKA_BROKERS: must be a comma-separated list of host:port, each port 1 to 65535/,
    );
  }
  t.same(loadConfig({ KAFKA_BROKERS: 'a:1,b:65535' }).kafka?.brokers, ['a:1', 'b:65535']);
});

t.test('a national-ID key is used byte for byte, whitespace included, as it always was', async (t) => {
  const key = 'k'.repeat(40);
  t.equal(loadConfig({ LEDGER_NATIONAL_ID_KEY: `${key}\n` }).nationalIdKey, `${key}\n`);
  t.equal(loadConfig({ LEDGER_NATIONAL_ID_KEY: key }).nationalIdKey, key);
});

t.test(
  'connection limits: defaults, values, and headers given no longer than the whole request',
  async (t) => {
    t.same(loadConfig({}).http, { connectionsMax: 900, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000 });
    t.ok(Object.isFrozen(loadConfig({}).http));
    t.same(
      loadConfig({
        HTTP_CONNECTIONS_MAX: '20',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      }).http,
      { connectionsMax: 20, headersTimeoutMs: 2000, requestTimeoutMs: 2000 },
    );
    t.throws(() => loadConfig({ HTTP_CONNECTIONS_MAX: '0' }), { message: /HTTP_CONNECTIONS_MAX/ });
    t.throws(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '10s' }), {
      message: /HTTP_HEADERS_TIMEOUT_MS: must be a whole number of milliseconds/,
    });
    t.throws(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '20000' }), {
      message: /HTTP_HEADERS_TIMEOUT_MS: may not exceed HTTP_REQUEST_TIMEOUT_MS/,
    });
  },
);
