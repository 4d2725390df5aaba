/**
 * The peer, side by side: Emmett's command handler on its SQLite event store
 * (`@event-driven-io/emmett-sqlite`) against our ledger on our SQLite adapter, on the same
 * command cycle with the same domain: read and fold the volunteer stream, decide with our
 * volunteer decider, append with the expected version. Sequentially, then with 16 callers.
 *
 * Emmett gets the same in-place fold we use and the partner's state precomputed (it reads only
 * the volunteer stream); our ledger also loads the policy and partner streams per command.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicEventId, volunteerNumberFromHash } from '@timebank/application';
import {
  DEFAULT_LEDGER_RULES,
  DomainError,
  applyVolunteerEvent,
  initialPolicyState,
  initialVolunteerState,
  normaliseNationalId,
  parseCommand,
  volunteerDecider,
  volunteerIdForNationalIdHash,
  type CommandInput,
  type DomainEvent,
  type PartnerState,
  type VolunteerState,
} from '@timebank/domain';
import { driveCycles, percentile } from './support/command-cycle.js';
import { loadEmmett, type Emmett, type EmmettStore } from './support/emmett-loader.js';
import {
  createWorld,
  foldedForHistory,
  NOW_MS,
  mandateFor,
  registerVolunteers,
  registration,
} from './support/ledger-world.js';
import { figure } from './types.js';
import type { Benchmark, Figure } from './types.js';

/** Callers in flight; fixed so that reports from different runs compare. */
const CONCURRENT_CALLERS = 16;
/** Volunteers the cycles rotate over, in both runs, so both fold streams of the same lengths. */
const VOLUNTEERS = 16;
const SIZES = { quick: { cycles: 40 }, full: { cycles: 200 } };
const PEER_KEY = 'peer-key-0123456789abcdef0123456789abcdef';

type Execute = (command: CommandInput) => Promise<readonly DomainEvent[]>;

interface Run {
  readonly commandsPerSecond: number;
  readonly p99Ms: number;
  readonly failedCycles: number;
  readonly firstError: string | undefined;
}

/** Our ledger on a fresh store: partner, volunteers, then the timed cycles. */
async function oursRun(callers: number, cycles: number): Promise<Run & { partner: PartnerState }> {
  const world = await createWorld();
  try {
    const ids = await registerVolunteers(world.ledger, 0, VOLUNTEERS);
    const { partner } = await foldedForHistory(world.store, ids[0] ?? '');
    const execute: Execute = async (command) => (await world.ledger.execute(command)).events;
    const result = await driveCycles(execute, ids, { callers, cycles, nowMs: NOW_MS, keyPrefix: 'ours' });
    return { ...summary(result, 0, undefined), partner };
  } finally {
    await world.close();
  }
}

function summary(
  result: { commandsPerSecond: number; latenciesMs: number[] },
  failedCycles: number,
  firstError: string | undefined,
): Run {
  return {
    commandsPerSecond: result.commandsPerSecond,
    p99Ms: percentile(result.latenciesMs, 0.99),
    failedCycles,
    firstError,
  };
}

/** Emmett's handler deciding with our decider; the fold applies events in place to a fresh state. */
function emmettExecute(emmett: Emmett, store: EmmettStore, partner: PartnerState): Execute {
  const handle = emmett.CommandHandler<VolunteerState, DomainEvent>({
    initialState: initialVolunteerState,
    evolve: (state, event) => {
      applyVolunteerEvent(state, { type: event.type, data: event.data } as DomainEvent);
      return state;
    },
  });
  return async (input) => {
    const command = parseCommand(input);
    if (command instanceof DomainError) throw command;
    let idHash: string | undefined;
    let streamName: string;
    if (command.type === 'RegisterVolunteer') {
      idHash = createHmac('sha256', PEER_KEY)
        .update(normaliseNationalId(command.nationalIdNumber))
        .digest('hex');
      streamName = `volunteer-${volunteerIdForNationalIdHash(idHash)}`;
    } else if ('volunteerId' in command && command.type !== 'IssueSpendCode') {
      streamName = `volunteer-${command.volunteerId}`;
    } else {
      throw new Error(`${command.type} is not a volunteer command`);
    }
    let counter = 0;
    const result = await handle(store, streamName, (state) => {
      const decided = volunteerDecider.decide(command, state, {
        now: new Date(NOW_MS).toISOString(),
        newId: () =>
          `id${deterministicEventId(command.idempotencyKey, 'new-id', counter++).replaceAll('-', '')}`,
        rules: DEFAULT_LEDGER_RULES,
        pointsPolicy: initialPolicyState,
        partner,
        ...(idHash === undefined
          ? {}
          : { nationalIdHash: idHash, volunteerNumber: volunteerNumberFromHash(idHash) }),
      });
      if (decided instanceof DomainError) throw decided;
      return decided;
    });
    return result.newEvents;
  };
}

/** Attempts per set-up command of the peer; a failed attempt wrote nothing (its transaction rolled back). */
const SETUP_ATTEMPTS_MAX = 3;

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (attempts >= SETUP_ATTEMPTS_MAX) throw error;
    }
  }
}

async function emmettRun(
  emmett: Emmett,
  partner: PartnerState,
  callers: number,
  cycles: number,
): Promise<Run> {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-bench-emmett-'));
  const fileName = join(directory, 'emmett.db');
  try {
    // Emmett 0.38.5's SQLite event store cannot run two operations at once. One instance keeps a
    // single connection that every operation shares and closes when it ends, so a second
    // operation in flight fails with SQLITE_MISUSE (database closed); one instance per caller
    // (tried on 2026-12-04) opens a connection per operation, and its concurrent transactions
    // then fail with SQLITE_BUSY ("cannot commit transaction - SQL statements in progress") or
    // wait out the driver's busy timeout: 0.2 commands/s, p99 5 s. So with callers in flight the
    // peer's operations queue one behind the other, which is the best an application can get
    // from it; our ledger takes the same callers concurrently.
    const store = emmett.getSQLiteEventStore({ fileName });
    const own = emmettExecute(emmett, store, partner);
    let queue: Promise<unknown> = Promise.resolve();
    const execute: Execute = (input) => {
      const turn = queue.then(() => own(input));
      queue = turn.catch(() => undefined);
      return turn;
    };
    // Registration is set-up, not measured; one at a time, and retried, because even a lone
    // operation of the peer now and then fails with SQLITE_BUSY ("SQL statements in progress",
    // about one run in six on the shared 2-core VM), which would otherwise sink the whole module.
    const ids: string[] = [];
    for (let index = 0; index < VOLUNTEERS; index += 1) {
      const [registered] = await withRetries(() => execute(registration(index)));
      if (registered?.type !== 'VolunteerRegistered') throw new Error('peer registration decided nothing');
      await withRetries(() => execute(mandateFor(registered.data.volunteerId)));
      ids.push(registered.data.volunteerId);
    }
    let failedCycles = 0;
    let firstError: string | undefined;
    // The peer prints every failed operation itself (with console.log, from inside its transaction
    // helper); its failures are counted below instead, so that hundreds of identical lines do not
    // bury the report.
    const { log: consoleLog, error: consoleError } = console;
    let peerErrorLines = 0;
    console.log = console.error = () => void (peerErrorLines += 1);
    const result = await driveCycles(execute, ids, {
      callers,
      cycles,
      nowMs: NOW_MS,
      keyPrefix: 'peer',
      onError: (error) => {
        failedCycles += 1;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      },
    });
    console.log = consoleLog;
    console.error = consoleError;
    if (peerErrorLines > 0) console.log(`(the peer printed ${peerErrorLines} error lines, suppressed)`);
    return summary(result, failedCycles, firstError);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function errorNote(run: Run, cycles: number): string {
  return run.failedCycles === 0
    ? 'every cycle succeeded.'
    : `${run.failedCycles} of ${cycles} cycles failed (first error: \`${run.firstError ?? ''}\`); the rate counts successful commands only.`;
}

export const emmettPeerBenchmark: Benchmark = {
  name: 'emmett-peer',
  describe: ({ quick }) =>
    `Emmett 0.38.5 (\`@event-driven-io/emmett-sqlite\` on the \`sqlite3\` driver, installed into scripts/bench-emmett/ on the first run and built from source there) runs the same cycle with its \`CommandHandler\`: read and fold the volunteer stream, decide with our volunteer decider, append with the expected stream version. ` +
    `It gets our in-place fold and the partner's state precomputed, so it reads one stream per command where our ledger reads three (volunteer, policy, partner, each only past its cached revision). ` +
    `${VOLUNTEERS} volunteers, ${(quick ? SIZES.quick : SIZES.full).cycles} cycles per run, sequentially and with ${CONCURRENT_CALLERS} callers in flight; each side on its own fresh database in the temp dir. ` +
    "Emmett opens a connection per operation and switches it to WAL, with SQLite's default synchronous setting (FULL); ours keeps its connections and uses WAL with synchronous FULL and group commit. " +
    'Emmett’s SQLite store cannot run two operations at once (one instance shares a connection it closes after each operation: SQLITE_MISUSE; one instance per caller fails with SQLITE_BUSY or waits out the busy timeout), so with callers in flight its operations queue one behind the other, the best an application can get from it; the figures count only successful commands and give the first error, if any.',
  async run({ quick, chart, skip }): Promise<Figure[]> {
    const { cycles } = quick ? SIZES.quick : SIZES.full;
    const emmett = loadEmmett();
    if ('unavailable' in emmett) {
      skip(`the Emmett peer could not be installed into scripts/bench-emmett/: ${emmett.unavailable}`);
      return [];
    }
    const figures: Figure[] = [];
    const bars: { label: string; value: number }[] = [];
    for (const callers of [1, CONCURRENT_CALLERS]) {
      const ours = await oursRun(callers, cycles);
      const peer = await emmettRun(emmett, ours.partner, callers, cycles);
      const label = callers === 1 ? 'sequential' : `${callers} callers`;
      console.log(
        `${label}: ours ${Math.round(ours.commandsPerSecond)} commands/s (p99 ${ours.p99Ms.toFixed(1)} ms), Emmett ${Math.round(peer.commandsPerSecond)} commands/s (p99 ${peer.p99Ms.toFixed(1)} ms), ${peer.failedCycles} failed cycles${peer.firstError === undefined ? '' : `: ${peer.firstError}`}`,
      );
      bars.push(
        { label: `ours, ${label}`, value: ours.commandsPerSecond },
        { label: `Emmett, ${label}`, value: peer.commandsPerSecond },
      );
      figures.push(
        figure({
          name: `Emmett SQLite, command cycle, ${label}`,
          value: peer.commandsPerSecond,
          unit: 'commands/s',
          note: `p99 ${peer.p99Ms.toFixed(1)} ms; ${errorNote(peer, cycles)}`,
        }),
        figure({
          name: `our ledger on SQLite, command cycle, ${label}`,
          value: ours.commandsPerSecond,
          unit: 'commands/s',
          baseline: { name: `Emmett, ${label}`, value: peer.commandsPerSecond },
          note: `p99 ${ours.p99Ms.toFixed(1)} ms; ${errorNote(ours, cycles)}`,
        }),
      );
    }
    chart?.({
      kind: 'bar',
      name: 'emmett-peer',
      title: 'Command cycle: our ledger vs Emmett (SQLite, durable)',
      unit: 'commands/s',
      bars,
    });
    return figures;
  },
};
