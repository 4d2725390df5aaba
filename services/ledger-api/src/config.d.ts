/** File name of the bootstrap administrator key in LEDGER_DATA_DIR. */
export declare const BOOTSTRAP_ADMIN_KEY_FILE = "bootstrap-admin.key";
declare const LOG_LEVELS: readonly ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
export interface LedgerApiConfig {
    readonly store: {
        readonly engine: 'sqlite';
        readonly dataDir: string;
        readonly headCacheStreamsMax: number;
    } | {
        readonly engine: 'postgres';
        readonly url: string;
        readonly schema: string;
    } | {
        readonly engine: 'esdb';
        readonly url: string;
    };
    /** null: generate or read `national-id.key` in the SQLite data directory. */
    readonly nationalIdKey: string | null;
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
    readonly shutdownGraceSeconds: number;
    readonly idempotencyCacheEntriesMax: number;
    /** See LEDGER_STATE_CACHE_STREAMS_MAX. */
    readonly stateCacheStreamsMax: number;
    readonly readYourWritesTimeoutMs: number;
    /** See API_KEY_REFRESH_MS. */
    readonly apiKeyRefreshMs: number;
}
/** Bad configuration: the message names every offending variable. */
export declare class ConfigError extends Error {
    readonly variables: readonly string[];
    constructor(variables: readonly string[], message: string);
}
/**
 * Parses the environment into a frozen configuration. Empty strings count as unset, so that
 * `PORT= pnpm start` means "the default", as shells usually intend.
 * @throws ConfigError naming each bad variable.
 */
export declare function loadConfig(environment: Readonly<Record<string, string | undefined>>): LedgerApiConfig;
export {};
