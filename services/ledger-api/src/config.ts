/**
 * The ledger API's configuration: parsed once from the environment with zod, frozen, and passed
 * down. Nothing else in this service reads `process.env`. A bad value stops start-up with a
 * message that names the variable.
 */
import { join } from 'node:path';
import {
  BROKER_LIST_MESSAGE,
  DEFAULT_DATA_DIR,
  isBrokerList,
  nationalIdKeyProblem,
  postgresSchemaVariable,
  presentVariables,
  RELAY_CHECKPOINT_FILE,
  variableProblems,
  wholeNumberVariable as wholeNumber,
} from '@timebank/ledger-opener';
import { z } from 'zod';

/** File name of the bootstrap administrator key in LEDGER_DATA_DIR. */
export const BOOTSTRAP_ADMIN_KEY_FILE = 'bootstrap-admin.key';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** See nationalIdKeyProblem: the same rule as `pnpm ledger`'s. */
const nationalIdKeySchema = z.string().superRefine((key, context) => {
  const problem = nationalIdKeyProblem(key);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

const environmentSchema = z
  .object({
    /** Which event store engine backs the ledger. SQLite is embedded and needs no server. */
    LEDGER_STORE: z.enum(['sqlite', 'postgres', 'esdb']).default('sqlite'),
    /** Where the SQLite store (and nothing else) keeps its files; relative to the working directory. */
    LEDGER_DATA_DIR: z.string().trim().min(1).default(DEFAULT_DATA_DIR),
    /**
     * Where the first run writes the bootstrap administrator key (mode 0600). Default
     * LEDGER_DATA_DIR/bootstrap-admin.key for every engine: with PostgreSQL or EventStoreDB the
     * data directory is still this process's local directory (checkpoints live there too).
     */
    LEDGER_ADMIN_KEY_FILE: z.string().trim().min(1).optional(),
    POSTGRES_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Schema that holds the ledger's tables in PostgreSQL; lower-case identifier, PostgreSQL's 63-byte limit. */
    POSTGRES_SCHEMA: postgresSchemaVariable(),
    /**
     * How long opening a PostgreSQL connection (or waiting for a pooled one) may take, in
     * milliseconds, for every pool the ledger opens. Default 10,000: a healthy server answers in
     * milliseconds, a busy one within seconds; a port that accepts and never answers then fails
     * start-up, or a request with 503, instead of hanging it.
     */
    POSTGRES_CONNECT_TIMEOUT_MS: wholeNumber(1, 600_000, 'milliseconds').default(10_000),
    /**
     * Longest one PostgreSQL statement may run, in milliseconds (the server's `statement_timeout`;
     * the driver gives up 5 s later if no answer comes, for a network partition). Default 30,000:
     * the ledger's statements take milliseconds, so one running 30 s waits on a lock or a dead
     * server, and the request is answered 503 STORE_UNAVAILABLE. 0: no limit.
     */
    POSTGRES_STATEMENT_TIMEOUT_MS: wholeNumber(0, 3_600_000, 'milliseconds').default(30_000),
    ESDB_URL: z
      .string()
      .trim()
      .regex(/^(esdb|kurrentdb)(\+discover)?:\/\//, 'must be an esdb:// or kurrentdb:// URL')
      .optional(),
    /**
     * Secret key of the keyed hash over national ID numbers (at least 32 characters). It must never
     * change: volunteer ids and duplicate detection derive from it. Unset with SQLite: generated on
     * first run into LEDGER_DATA_DIR/national-id.key. Required with PostgreSQL and EventStoreDB.
     */
    LEDGER_NATIONAL_ID_KEY: nationalIdKeySchema.optional(),
    /**
     * The master key that wraps every volunteer's data key: 64 hex digits (256 bits). Unset: read or
     * generated on first run into `master.key` (mode 0600) in the data directory (LEDGER_DATA_DIR,
     * or ./data beside PostgreSQL and EventStoreDB). Rotate with `pnpm ledger rotate-master-key`.
     */
    LEDGER_MASTER_KEY: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (a 256-bit key)')
      .optional(),
    /** 0 picks a free port (tests). Default 8080: unprivileged, customary for HTTP services. */
    PORT: wholeNumber(0, 65_535).default(8080),
    /** Loopback by default, so a fresh clone is not exposed to the network until asked. */
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    /** Comma-separated host:port list; when set, the Kafka relay runs inside this process. */
    KAFKA_BROKERS: z.string().trim().refine(isBrokerList, BROKER_LIST_MESSAGE).optional(),
    /** Prefix of every Kafka topic name; empty in production, unique per run in tests. */
    KAFKA_TOPIC_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{0,100}$/, 'must be letters, digits, ".", "_" or "-" (at most 100)')
      .default(''),
    /** Where the in-process relay keeps its checkpoint. Default LEDGER_DATA_DIR/kafka-relay.checkpoint.json. */
    RELAY_CHECKPOINT_PATH: z.string().trim().min(1).optional(),
    /** Default `stop`: an event that fails its integration schema must alert, never vanish. */
    RELAY_ON_INVALID_EVENT: z.enum(['stop', 'skip']).default('stop'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    /**
     * Requests one API key may make per window. Default 1,200 per 60 s: 20/s sustained, well above
     * what a desk or partner terminal does by hand, low enough to stop a runaway script.
     */
    RATE_LIMIT_REQUESTS_MAX: wholeNumber(1, 10_000_000, 'requests').default(1200),
    RATE_LIMIT_WINDOW_SECONDS: wholeNumber(1, 86_400, 'seconds').default(60),
    /**
     * Public certificate verifications one client address may make per RATE_LIMIT_WINDOW_SECONDS.
     * Default 30: a verifier checks a handful of certificates by hand, and at 30 a minute the
     * 40-bit code in a certificate number cannot be guessed in any useful time.
     */
    CERTIFICATE_VERIFICATIONS_MAX: wholeNumber(1, 10_000_000, 'requests').default(30),
    /**
     * Largest request body, in bytes. Default 256 KiB: a bulk activity record for 500 volunteers
     * (the bulk limit) is about 60 KiB, so this leaves room without letting a client stream megabytes.
     */
    BODY_LIMIT_BYTES: wholeNumber(1024, 16 * 1024 * 1024, 'bytes').default(256 * 1024),
    /**
     * Open HTTP connections one process accepts; beyond it Node closes new connections at once
     * (counted in http_connections_dropped_total). Default 900: under the 1,024 open files a
     * Linux process gets unless raised, leaving room for the store's files and the threads, so
     * that a flood of idle or slow connections runs out of this budget and not out of file
     * descriptors, which the store needs too.
     */
    HTTP_CONNECTIONS_MAX: wholeNumber(1, 1_000_000, 'connections').default(900),
    /**
     * Time a client has to send a request's headers, in milliseconds. Default 10,000 (Node's own is
     * 60 s): headers are a few hundred bytes, and every connection held by a client that trickles
     * them is one fewer for the desks. Such a connection is answered 408 and closed within a
     * second after it (http/connection-limits.ts).
     */
    HTTP_HEADERS_TIMEOUT_MS: wholeNumber(1000, 600_000, 'milliseconds').default(10_000),
    /**
     * Time a client has to send a whole request, headers and body, in milliseconds. Default 60,000:
     * the largest body (BODY_LIMIT_BYTES, 256 KiB) at 5 KB/s; without it (fastify's default) a body
     * sent a byte at a time held its connection for ever.
     */
    HTTP_REQUEST_TIMEOUT_MS: wholeNumber(1000, 3_600_000, 'milliseconds').default(60_000),
    /** Seconds to drain in-flight requests on SIGTERM before closing anyway. Default 10 s (< Kubernetes' 30 s grace). */
    /** At least 1: with 0 every SIGTERM exited 1 at once, 'grace period over', before any drain. */
    SHUTDOWN_GRACE_SECONDS: wholeNumber(1, 600, 'seconds').default(10),
    /**
     * Idempotency responses kept in memory in front of the durable record, in entries. Default
     * 10,000 (a few MB): a client retries within seconds, so the recent ones are the ones repeated;
     * an older key is answered from the store.
     */
    IDEMPOTENCY_CACHE_ENTRIES_MAX: wholeNumber(0, 10_000_000, 'entries').default(10_000),
    /**
     * Folded streams (volunteers, registries) the command handler keeps in memory, in streams.
     * Default 10,000, the ledger's own: a few KB each; an evicted stream is re-read on its next command.
     */
    LEDGER_STATE_CACHE_STREAMS_MAX: wholeNumber(0, 10_000_000, 'streams').default(10_000),
    /**
     * Read-model rows the projector keeps in memory between batches, per table, in rows. Default
     * 10,000 (about 4 MB per busy table): the rows a new event touches are nearly always recent
     * ones; an evicted row is read back by its key. The soak's RSS (docs/benchmarks.md) is measured
     * with this default; 20,000 added ~15 MB to it.
     */
    PROJECTOR_CACHED_ROWS_PER_TABLE_MAX: wholeNumber(1, 10_000_000, 'rows').default(10_000),
    /**
     * Events a stream gains after its last snapshot before the next one is written, in events
     * (docs/operations.md, "Snapshots"). Default 200: a cold load then folds at most 199 events
     * after the snapshot, and a busy volunteer's snapshot is rewritten every ~70 command cycles.
     * 0 turns snapshots off. EventStoreDB keeps none whatever this says.
     */
    LEDGER_SNAPSHOT_EVERY_EVENTS: wholeNumber(0, 10_000_000, 'events').default(200),
    /**
     * Stream heads the SQLite append path keeps in memory, in streams. Default 10,000 (about 2 MB);
     * a head not cached costs one indexed lookup. Ignored by the other engines.
     */
    SQLITE_HEAD_CACHE_STREAMS_MAX: wholeNumber(0, 10_000_000, 'streams').default(10_000),
    /**
     * Whether the SQLite store's write connection runs in its own worker thread: INSERTs, COMMIT
     * and its fsync and WAL checkpoints leave the request thread, which posts one message per group
     * commit. Default true. A write is still acknowledged only after the fsync that holds it.
     */
    SQLITE_WRITER_THREAD: z.enum(['true', 'false']).default('true'),
    /**
     * How far behind the `access-keys` stream a process's key registry may be, in milliseconds:
     * a key issued or revoked through another process sharing the store counts here within this
     * time. Default 1,000 ms: at most one stream read per second per process, and a revoked key
     * stops everywhere within a second (without a refresh, one kept working on another process until restart).
     * 0 reads the tail before every authenticated request.
     */
    API_KEY_REFRESH_MS: wholeNumber(0, 60_000, 'milliseconds').default(1000),
    /**
     * Whether the read-model projector runs in its own worker thread (SQLite only; other engines
     * always run it in the request thread). Default true: its rows and commits then no longer
     * take turns with HTTP and the command cycle. `false` runs it in the request thread.
     */
    LEDGER_PROJECTOR_THREAD: z.enum(['true', 'false']).default('true'),
    /** How long a read waits for the projector to reach a requested position. Default 2,000 ms: the read-your-writes bound docs/api.md states. */
    READ_YOUR_WRITES_TIMEOUT_MS: wholeNumber(0, 60_000, 'milliseconds').default(2000),
    /**
     * How often the scheduler sweeps the due index (hold expiries), in milliseconds. Default 1,000:
     * a hold is expired within a second of its timeout. 0 runs no scheduler in this process.
     */
    LEDGER_SWEEP_INTERVAL_MS: wholeNumber(0, 3_600_000, 'milliseconds').default(1000),
    /**
     * Due items past their time above which `/readyz` answers 503. Default 100,000: about a
     * minute of sweeping at the benchmarked rate, so a stuck scheduler shows long before it matters.
     */
    LEDGER_DUE_BACKLOG_MAX: wholeNumber(1, 1_000_000_000, 'items').default(100_000),
    /**
     * Free space on the data directory's file system, in MiB, below which `/readyz` answers 503
     * before writes start failing on a full disk. Default 64: a few thousand group commits' WAL and
     * a WAL checkpoint. 0: no check.
     */
    LEDGER_DISK_FREE_MIN_MB: wholeNumber(0, 100_000_000, 'MiB').default(64),
    /**
     * Days a deactivated volunteer's personal data is kept before the scheduler's retention job
     * (and `pnpm ledger erase-due`) erases it. Default 1,095 (three years, DEFAULT_RETENTION_DAYS).
     */
    LEDGER_RETENTION_DAYS: wholeNumber(0, 999_999, 'days').default(1095),
    /** How often the retention job looks for due erasures, in milliseconds. Default 86,400,000 (daily). */
    LEDGER_RETENTION_SWEEP_MS: wholeNumber(1000, 604_800_000, 'milliseconds').default(86_400_000),
    /**
     * How many server processes `server.ts` runs (node:cluster, sharing the listening port).
     * Default 1. More only on PostgreSQL: each process decides on its own state cache and the
     * store's expected-revision check arbitrates; SQLite has one writer process (a second one
     * would queue on the file's write lock, not add throughput) and EventStoreDB keeps its read
     * models and sweep in one process. At most 64: far beyond any core count we deploy on.
     */
    LEDGER_PROCESSES: wholeNumber(1, 64, 'processes').default(1),
    /**
     * What this process runs besides HTTP and writes. `all` (default): the projector, the scheduler
     * and the Kafka relay too. `http`: none of them; reads with `minPosition` wait for the shared
     * PostgreSQL read models that an `all` process projects. Set by the cluster's primary for its
     * workers; also usable for processes started separately behind one load balancer.
     */
    LEDGER_PROCESS_ROLE: z.enum(['all', 'http']).default('all'),
  })
  .superRefine((value, context) => {
    if (value.LEDGER_STORE === 'postgres' && value.POSTGRES_URL === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['POSTGRES_URL'],
        message: 'is required when LEDGER_STORE=postgres',
      });
    }
    if (value.LEDGER_STORE !== 'sqlite' && value.LEDGER_NATIONAL_ID_KEY === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['LEDGER_NATIONAL_ID_KEY'],
        message: 'is required unless LEDGER_STORE=sqlite (which keeps a generated key in LEDGER_DATA_DIR)',
      });
    }
    if (value.LEDGER_PROCESSES > 1 && value.LEDGER_STORE !== 'postgres') {
      context.addIssue({
        code: 'custom',
        path: ['LEDGER_PROCESSES'],
        message:
          'may be above 1 only with LEDGER_STORE=postgres: SQLite allows one writer process at a time ' +
          '(see docs/operations.md, "Several processes")',
      });
    }
    if (value.LEDGER_PROCESS_ROLE === 'http' && value.LEDGER_STORE !== 'postgres') {
      context.addIssue({
        code: 'custom',
        path: ['LEDGER_PROCESS_ROLE'],
        message: 'may be http only with LEDGER_STORE=postgres, whose read models every process shares',
      });
    }
    if (value.HTTP_HEADERS_TIMEOUT_MS > value.HTTP_REQUEST_TIMEOUT_MS) {
      context.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
        message: 'may not exceed HTTP_REQUEST_TIMEOUT_MS, the time for the whole request',
      });
    }
    if (value.LEDGER_STORE === 'esdb' && value.ESDB_URL === undefined) {
      context.addIssue({ code: 'custom', path: ['ESDB_URL'], message: 'is required when LEDGER_STORE=esdb' });
    }
  });

export interface LedgerApiConfig {
  readonly store:
    | {
        readonly engine: 'sqlite';
        readonly dataDir: string;
        readonly headCacheStreamsMax: number;
        /** See SQLITE_WRITER_THREAD. */
        readonly writerThread: boolean;
      }
    | {
        readonly engine: 'postgres';
        readonly url: string;
        readonly schema: string;
        /** See POSTGRES_CONNECT_TIMEOUT_MS and POSTGRES_STATEMENT_TIMEOUT_MS. */
        readonly timeouts: {
          readonly connectTimeoutMilliseconds: number;
          readonly statementTimeoutMilliseconds: number;
        };
      }
    | { readonly engine: 'esdb'; readonly url: string };
  /**
   * LEDGER_DATA_DIR, for every engine: with SQLite the store's files; with PostgreSQL and
   * EventStoreDB this process's local files (master.key, erasures.jsonl, checkpoints, and
   * EventStoreDB's read models).
   */
  readonly dataDir: string;
  /** null: generate or read `national-id.key` in the SQLite data directory. */
  readonly nationalIdKey: string | null;
  /** null: generate or read `master.key` in the data directory (docs/privacy.md). */
  readonly masterKey: string | null;
  /** Where the first run writes the bootstrap administrator key; see LEDGER_ADMIN_KEY_FILE. */
  readonly adminKeyFile: string;
  readonly port: number;
  readonly host: string;
  /** The in-process Kafka relay's settings; null when KAFKA_BROKERS is unset (no relay runs). */
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly topicPrefix: string;
    readonly checkpointPath: string;
    readonly onInvalidEvent: 'stop' | 'skip';
  } | null;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly rateLimit: {
    readonly requestsMax: number;
    readonly windowSeconds: number;
    /** Per client address, for the public certificate verification route. */
    readonly certificateVerificationsMax: number;
  };
  readonly bodyLimitBytes: number;
  /** See HTTP_CONNECTIONS_MAX, HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS. */
  readonly http: {
    readonly connectionsMax: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
  };
  readonly shutdownGraceSeconds: number;
  readonly idempotencyCacheEntriesMax: number;
  /** See LEDGER_STATE_CACHE_STREAMS_MAX. */
  readonly stateCacheStreamsMax: number;
  /** See PROJECTOR_CACHED_ROWS_PER_TABLE_MAX. */
  readonly projectorCachedRowsPerTableMax: number;
  /** See LEDGER_SNAPSHOT_EVERY_EVENTS; 0: no snapshots. */
  readonly snapshotEveryEvents: number;
  readonly readYourWritesTimeoutMs: number;
  /** See LEDGER_PROJECTOR_THREAD. */
  readonly projectorThread: boolean;
  /** See API_KEY_REFRESH_MS. */
  readonly apiKeyRefreshMs: number;
  /** See LEDGER_SWEEP_INTERVAL_MS; 0: no scheduler. */
  readonly sweepIntervalMs: number;
  /** See LEDGER_DUE_BACKLOG_MAX. */
  readonly dueBacklogMax: number;
  /** LEDGER_DISK_FREE_MIN_MB in bytes; 0: no check. */
  readonly diskFreeBytesMin: number;
  /** See LEDGER_RETENTION_DAYS. */
  readonly retentionDays: number;
  /** See LEDGER_RETENTION_SWEEP_MS. */
  readonly retentionSweepMs: number;
  /** See LEDGER_PROCESSES: how many processes the cluster's primary starts. */
  readonly processes: number;
  /** See LEDGER_PROCESS_ROLE. */
  readonly processRole: 'all' | 'http';
}

/** Bad configuration: the message names every offending variable. */
export class ConfigError extends Error {
  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The error for a failed parse: one line per bad variable, its first issue. */
function configErrorOf(
  issues: readonly z.core.$ZodIssue[],
  present: Record<string, string | undefined>,
): ConfigError {
  const lines = variableProblems(issues, present);
  return new ConfigError(
    lines.map((line) => line.variable),
    `invalid configuration:\n  ${lines.map((line) => line.text).join('\n  ')}`,
  );
}

/**
 * Parses the environment into a frozen configuration. Empty strings count as unset, so that
 * `PORT= pnpm start` means "the default", as shells usually intend.
 * @throws ConfigError naming each bad variable.
 */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): LedgerApiConfig {
  const present = presentVariables(environment);
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) throw configErrorOf(parsed.error.issues, present);
  const env = parsed.data;
  const store = storeConfig(env);
  return deepFreeze({
    store,
    dataDir: env.LEDGER_DATA_DIR,
    nationalIdKey: env.LEDGER_NATIONAL_ID_KEY ?? null,
    masterKey: env.LEDGER_MASTER_KEY ?? null,
    adminKeyFile: env.LEDGER_ADMIN_KEY_FILE ?? join(env.LEDGER_DATA_DIR, BOOTSTRAP_ADMIN_KEY_FILE),
    port: env.PORT,
    host: env.HOST,
    kafka:
      env.KAFKA_BROKERS === undefined
        ? null
        : {
            brokers: env.KAFKA_BROKERS.split(','),
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            checkpointPath: env.RELAY_CHECKPOINT_PATH ?? join(env.LEDGER_DATA_DIR, RELAY_CHECKPOINT_FILE),
            onInvalidEvent: env.RELAY_ON_INVALID_EVENT,
          },
    logLevel: env.LOG_LEVEL,
    rateLimit: {
      requestsMax: env.RATE_LIMIT_REQUESTS_MAX,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      certificateVerificationsMax: env.CERTIFICATE_VERIFICATIONS_MAX,
    },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    http: {
      connectionsMax: env.HTTP_CONNECTIONS_MAX,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    },
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    idempotencyCacheEntriesMax: env.IDEMPOTENCY_CACHE_ENTRIES_MAX,
    stateCacheStreamsMax: env.LEDGER_STATE_CACHE_STREAMS_MAX,
    projectorCachedRowsPerTableMax: env.PROJECTOR_CACHED_ROWS_PER_TABLE_MAX,
    snapshotEveryEvents: env.LEDGER_SNAPSHOT_EVERY_EVENTS,
    readYourWritesTimeoutMs: env.READ_YOUR_WRITES_TIMEOUT_MS,
    projectorThread: env.LEDGER_PROJECTOR_THREAD === 'true',
    apiKeyRefreshMs: env.API_KEY_REFRESH_MS,
    sweepIntervalMs: env.LEDGER_SWEEP_INTERVAL_MS,
    dueBacklogMax: env.LEDGER_DUE_BACKLOG_MAX,
    diskFreeBytesMin: env.LEDGER_DISK_FREE_MIN_MB * 1024 * 1024,
    retentionDays: env.LEDGER_RETENTION_DAYS,
    retentionSweepMs: env.LEDGER_RETENTION_SWEEP_MS,
    processes: env.LEDGER_PROCESSES,
    processRole: env.LEDGER_PROCESS_ROLE,
  });
}

/** The engine and its settings, from the parsed environment. */
function storeConfig(env: z.infer<typeof environmentSchema>): LedgerApiConfig['store'] {
  return env.LEDGER_STORE === 'postgres'
    ? {
        engine: 'postgres',
        url: env.POSTGRES_URL!,
        schema: env.POSTGRES_SCHEMA,
        timeouts: {
          connectTimeoutMilliseconds: env.POSTGRES_CONNECT_TIMEOUT_MS,
          statementTimeoutMilliseconds: env.POSTGRES_STATEMENT_TIMEOUT_MS,
        },
      }
    : env.LEDGER_STORE === 'esdb'
      ? { engine: 'esdb', url: env.ESDB_URL! }
      : {
          engine: 'sqlite',
          dataDir: env.LEDGER_DATA_DIR,
          headCacheStreamsMax: env.SQLITE_HEAD_CACHE_STREAMS_MAX,
          writerThread: env.SQLITE_WRITER_THREAD === 'true',
        };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
