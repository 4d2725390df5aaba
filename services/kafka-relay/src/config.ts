/**
 * The standalone relay's configuration: parsed once from the environment with zod, frozen, and
 * passed down. Nothing else in this service reads `process.env`. A bad value stops start-up with
 * a message that names the variable. Store variables mean what they mean to the ledger API.
 */
import { join } from 'node:path';
import {
  BROKER_LIST_MESSAGE,
  DEFAULT_DATA_DIR,
  isBrokerList,
  postgresSchemaVariable,
  presentVariables,
  RELAY_CHECKPOINT_FILE,
  variableProblems,
  wholeNumberVariable as wholeNumber,
  type StoreConfig,
} from '@timebank/ledger-opener';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const environmentSchema = z
  .object({
    KAFKA_BROKERS: z
      .string({ error: 'is required: a comma-separated list of host:port' })
      .trim()
      .refine(isBrokerList, BROKER_LIST_MESSAGE),
    KAFKA_CLIENT_ID: z.string().trim().min(1).max(100).default('timebank-kafka-relay'),
    /** Prefix of every topic name; empty in production, unique per run in tests. */
    KAFKA_TOPIC_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{0,100}$/, 'must be letters, digits, ".", "_" or "-" (at most 100)')
      .default(''),
    LEDGER_STORE: z.enum(['sqlite', 'postgres', 'esdb']).default('sqlite'),
    LEDGER_DATA_DIR: z.string().trim().min(1).default(DEFAULT_DATA_DIR),
    POSTGRES_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    POSTGRES_SCHEMA: postgresSchemaVariable(),
    /** See the ledger API's POSTGRES_CONNECT_TIMEOUT_MS (docs/operations.md). Default 10,000 ms. */
    POSTGRES_CONNECT_TIMEOUT_MS: wholeNumber(1, 600_000, 'milliseconds').default(10_000),
    /** See the ledger API's POSTGRES_STATEMENT_TIMEOUT_MS (docs/operations.md). Default 30,000 ms; 0: no limit. */
    POSTGRES_STATEMENT_TIMEOUT_MS: wholeNumber(0, 3_600_000, 'milliseconds').default(30_000),
    ESDB_URL: z
      .string()
      .trim()
      .regex(/^(esdb|kurrentdb)(\+discover)?:\/\//, 'must be an esdb:// or kurrentdb:// URL')
      .optional(),
    /** Default LEDGER_DATA_DIR/kafka-relay.checkpoint.json. */
    RELAY_CHECKPOINT_PATH: z.string().trim().min(1).optional(),
    /** Default `stop`: an event that fails its integration schema must alert, never vanish. */
    RELAY_ON_INVALID_EVENT: z.enum(['stop', 'skip']).default('stop'),
    /** Default 1,000 events (see DEFAULT_RELAY_LIMITS for why). */
    RELAY_BATCH_EVENTS_MAX: wholeNumber(1, 100_000, 'events').default(1000),
    /** Default 4 batches (see DEFAULT_RELAY_LIMITS for why); 1 reads no further ahead than one batch. */
    RELAY_PENDING_BATCHES_MAX: wholeNumber(1, 64, 'batches').default(4),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  })
  .superRefine((value, context) => {
    if (value.LEDGER_STORE === 'postgres' && value.POSTGRES_URL === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['POSTGRES_URL'],
        message: 'is required when LEDGER_STORE=postgres',
      });
    }
    if (value.LEDGER_STORE === 'esdb' && value.ESDB_URL === undefined) {
      context.addIssue({ code: 'custom', path: ['ESDB_URL'], message: 'is required when LEDGER_STORE=esdb' });
    }
  });

export interface KafkaRelayConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly store: StoreConfig;
  readonly checkpointPath: string;
  readonly onInvalidEvent: 'stop' | 'skip';
  readonly batchEventsMax: number;
  readonly pendingBatchesMax: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

/**
 * Parses the environment, as the ledger API does: an empty value counts as unset; throws an Error
 * naming every bad variable, one line each.
 */
export function parseConfig(environment: Readonly<Record<string, string | undefined>>): KafkaRelayConfig {
  const present = presentVariables(environment);
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = variableProblems(parsed.error.issues, present).map((problem) => problem.text);
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const env = parsed.data;
  return Object.freeze({
    brokers: Object.freeze(env.KAFKA_BROKERS.split(',')),
    clientId: env.KAFKA_CLIENT_ID,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    store:
      env.LEDGER_STORE === 'postgres'
        ? Object.freeze({
            engine: 'postgres' as const,
            url: env.POSTGRES_URL ?? '',
            schema: env.POSTGRES_SCHEMA,
            timeouts: Object.freeze({
              connectTimeoutMilliseconds: env.POSTGRES_CONNECT_TIMEOUT_MS,
              statementTimeoutMilliseconds: env.POSTGRES_STATEMENT_TIMEOUT_MS,
            }),
          })
        : env.LEDGER_STORE === 'esdb'
          ? Object.freeze({ engine: 'esdb' as const, url: env.ESDB_URL ?? '' })
          : Object.freeze({ engine: 'sqlite' as const, dataDir: env.LEDGER_DATA_DIR }),
    checkpointPath: env.RELAY_CHECKPOINT_PATH ?? join(env.LEDGER_DATA_DIR, RELAY_CHECKPOINT_FILE),
    onInvalidEvent: env.RELAY_ON_INVALID_EVENT,
    batchEventsMax: env.RELAY_BATCH_EVENTS_MAX,
    pendingBatchesMax: env.RELAY_PENDING_BATCHES_MAX,
    logLevel: env.LOG_LEVEL,
  });
}
