/**
 * Loads the Emmett peer for the `emmett-peer` benchmark from its own folder, scripts/bench-emmett/,
 * installing it there on first use. It is kept out of the workspace's default install because its
 * SQLite driver (`sqlite3`) compiles from source, which made a newcomer's `pnpm install` take about
 * two minutes for a package only this benchmark uses. The folder has its own lockfile,
 * so the peer installs the same versions everywhere.
 *
 * The types below state only the part of Emmett's API the benchmark calls. They are declared here
 * rather than imported so that `pnpm typecheck` and `pnpm lint` pass without the peer installed;
 * the benchmark itself exercises them against the real package whenever it runs.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The folder with the peer's package.json and lockfile. */
export const EMMETT_DIRECTORY = fileURLToPath(new URL('../../bench-emmett/', import.meta.url));

/** Emmett's SQLite event store, as far as the command handler uses it. */
export type EmmettStore = object;

/** `CommandHandler(options)(store, streamName, decide)`: read and fold, decide, append with the expected version. */
export type EmmettHandle<State, Event> = (
  store: EmmettStore,
  streamName: string,
  decide: (state: State) => Event[],
) => Promise<{ newEvents: Event[] }>;

export interface Emmett {
  readonly CommandHandler: <State, Event>(options: {
    initialState: () => State;
    evolve: (state: State, event: Event) => State;
  }) => EmmettHandle<State, Event>;
  readonly getSQLiteEventStore: (options: { fileName: string }) => EmmettStore;
}

/** Why the peer could not be loaded, for the report. */
export interface EmmettUnavailable {
  readonly unavailable: string;
}

const PACKAGES = ['@event-driven-io/emmett', '@event-driven-io/emmett-sqlite'] as const;

function requirePeer(): Emmett {
  const require = createRequire(`${EMMETT_DIRECTORY}package.json`);
  // The CommonJS builds: `require` resolves them from the peer's folder without an ESM loader hook,
  // and both packages then share one instance of Emmett's core.
  const [core, sqlite] = PACKAGES.map((name) => require(name) as Partial<Emmett>);
  if (typeof core?.CommandHandler !== 'function' || typeof sqlite?.getSQLiteEventStore !== 'function')
    throw new Error('the installed Emmett peer lacks CommandHandler or getSQLiteEventStore');
  return { CommandHandler: core.CommandHandler, getSQLiteEventStore: sqlite.getSQLiteEventStore };
}

const isMissing = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';

/** Installs the peer from its lockfile, showing pnpm's output; the reason it failed, or undefined. */
function installPeer(): string | undefined {
  console.log(`installing the Emmett peer into ${EMMETT_DIRECTORY} (first run only; compiles sqlite3)`);
  const installed = spawnSync(
    'pnpm',
    ['install', '--dir', EMMETT_DIRECTORY, '--ignore-workspace', '--frozen-lockfile'],
    { stdio: 'inherit' },
  );
  if (installed.error !== undefined) return `could not run pnpm: ${installed.error.message}`;
  if (installed.status !== 0)
    return `\`pnpm install --dir scripts/bench-emmett --ignore-workspace --frozen-lockfile\` exited with ${installed.status ?? installed.signal}`;
  return undefined;
}

/** The peer, installed first if its folder has none yet; or why it is unavailable. */
export function loadEmmett(): Emmett | EmmettUnavailable {
  try {
    return requirePeer();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const failure = installPeer();
  if (failure !== undefined) return { unavailable: failure };
  return requirePeer();
}
