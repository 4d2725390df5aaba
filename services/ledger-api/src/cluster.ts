/**
 * LEDGER_PROCESSES > 1 (PostgreSQL only): this primary process serves nothing itself; it starts
 * the server processes (node:cluster workers sharing the listening port) and supervises them.
 *
 * The first worker runs with this process's LEDGER_PROCESS_ROLE (default `all`: it also projects
 * the read models, runs the scheduler and the Kafka relay) and is started alone, so that first-run
 * work (the bootstrap key, the master key file, a read-model rebuild) happens once, before the
 * others start. The others run as `http`: they serve requests and append through the store's
 * expected-revision check, and read the read models the first one keeps current. The primary
 * tells them when that one dies and when it is back, for their `/readyz`.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { LedgerApiConfig } from './config.js';

/** Wait before restarting a worker that died, in milliseconds: a crash loop costs a restart per second, not a busy loop. */
const RESTART_DELAY_MS = 1000;
/**
 * Longest wait between two attempts to restart a worker that keeps failing to start, in
 * milliseconds: the delay doubles from RESTART_DELAY_MS up to this. 30 s: a store or key that comes
 * back is noticed within half a minute, and a worker that cannot start logs twice a minute, not
 * once a second.
 */
const RESTART_DELAY_MAX_MS = 30_000;

type Role = LedgerApiConfig['processRole'];

/**
 * What the primary tells an `http` worker about the worker that projects (the `all` one): whether
 * it is up, sent when it dies or is back and in answer to a worker's question at its start-up.
 */
interface ProjectingProcessMessage {
  readonly ledger: 'projecting-process';
  readonly up: boolean;
}
/** An `http` worker's question, at its start-up: is the projecting process up? */
const PROJECTING_PROCESS_QUESTION = { ledger: 'projecting-process?' } as const;

function isProjectingProcessMessage(message: unknown): message is ProjectingProcessMessage {
  const candidate = message as Partial<ProjectingProcessMessage> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.ledger === 'projecting-process' &&
    typeof candidate.up === 'boolean'
  );
}

function isProjectingProcessQuestion(message: unknown): boolean {
  const candidate = message as { ledger?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.ledger === PROJECTING_PROCESS_QUESTION.ledger
  );
}

/** What an `http` worker knows of the cluster's projecting process (see `watchProjectingProcess`). */
export interface ProjectingProcessWatch {
  /** Why the read models are not being kept current, while the projecting process is down; undefined while it is up. */
  downReason(): string | undefined;
  stop(): void;
}

/**
 * In a cluster worker: asks the primary whether the worker that projects is up, and follows what
 * the primary says when it dies and when it is back, so that `/readyz` here answers 503 meanwhile
 * instead of serving read models that no process advances. Undefined outside a cluster worker.
 */
export function watchProjectingProcess(): ProjectingProcessWatch | undefined {
  if (!cluster.isWorker || process.send === undefined) return undefined;
  // Unknown until the primary answers (within milliseconds, long before this worker listens).
  let up: boolean | undefined;
  const onMessage = (message: unknown): void => {
    if (isProjectingProcessMessage(message)) up = message.up;
  };
  process.on('message', onMessage);
  process.send(PROJECTING_PROCESS_QUESTION);
  return {
    downReason: () =>
      up === true
        ? undefined
        : up === false
          ? 'the projecting server process is down or restarting'
          : 'waiting for the primary to say whether the projecting server process is up',
    stop: () => void process.off('message', onMessage),
  };
}

/**
 * A server process that exited before it listened, while the cluster was starting. It has said why
 * on stderr in its own one line (a store it cannot reach, a wrong master key); the primary adds
 * one line and exits with that process's exit code, so that a supervisor sees what a single
 * process would have told it.
 */
export class ServerProcessStartError extends Error {
  override readonly name = 'ServerProcessStartError';

  constructor(
    readonly role: Role,
    /** The process's exit code, or null when a signal ended it. */
    readonly exitCode: number | null,
  ) {
    super(
      `the ${role === 'all' ? 'first' : 'http'} server process exited with ${exitCode === null ? 'a signal' : `code ${exitCode}`} before listening`,
    );
  }
}

/**
 * Forks a server process, entered in `live` until it exits (so that a shutdown stops it even before
 * it listens); resolves once it listens, with the address it listens on.
 */
function startWorker(role: Role, live: Map<Worker, Role>): Promise<{ worker: Worker; url: string }> {
  const worker = cluster.fork({ LEDGER_PROCESS_ROLE: role });
  live.set(worker, role);
  worker.once('exit', () => live.delete(worker));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new ServerProcessStartError(role, code));
    worker.once('exit', onExit);
    worker.once('listening', (address) => {
      worker.off('exit', onExit);
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({ worker, url: `http://${host}:${address.port}` });
    });
  });
}

/** Sends `message` to a worker unless its channel is closed (it is exiting; its exit is handled apart). */
function tell(worker: Worker, message: ProjectingProcessMessage): void {
  if (!worker.isConnected()) return;
  worker.send(message, (error: Error | null) => void error);
}

/**
 * Stops every server process, listening or still starting (SIGTERM: each drains, or stops before
 * listening, as a single process does), then exits with the worst exit code. One still running
 * SHUTDOWN_GRACE_SECONDS and a second later (a start-up stuck on a lock) is killed, and the
 * primary exits 1: it never leaves a worker behind, nor waits for one for ever.
 */
function stopWorkers(live: Map<Worker, Role>, graceSeconds: number, logger: Logger): void {
  const exits = [...live.keys()].map(
    (worker) =>
      new Promise<number>((resolve) => {
        if (worker.isDead()) return resolve(worker.process.exitCode ?? 0);
        // Ended by our SIGTERM before it could handle it: it had opened nothing yet.
        worker.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 0 : 1)));
        worker.process.kill('SIGTERM');
      }),
  );
  let deadlineOver = false;
  const deadline = setTimeout(
    () => {
      deadlineOver = true;
      const left = [...live.keys()].filter((worker) => !worker.isDead());
      logger.error(
        { graceSeconds, pids: left.map((worker) => worker.process.pid) },
        'server processes still running after the shutdown grace; killing them',
      );
      // Exits only once they are gone, so that whoever waits for the primary finds none left.
      const killed = left.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
      for (const worker of left) worker.process.kill('SIGKILL');
      void Promise.all(killed).then(() => process.exit(1));
    },
    (graceSeconds + 1) * 1000,
  );
  void Promise.all(exits).then((codes) => {
    if (deadlineOver) return;
    clearTimeout(deadline);
    process.exit(Math.max(0, ...codes));
  });
}

/** SIGTERM to every process still running, and their exits awaited (a start-up that failed). */
async function stopStarted(live: Map<Worker, Role>): Promise<void> {
  await Promise.all(
    [...live.keys()].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
}

export async function runCluster(config: LedgerApiConfig, logger: Logger): Promise<void> {
  /** Every forked worker until it exits, listening or not, with its role. */
  const live = new Map<Worker, Role>();
  let closing = false;
  const leadRole = config.processRole;
  // Only an `all` worker of ours projects; with LEDGER_PROCESS_ROLE=http another process does, and
  // the http workers' readiness is as a single http process's.
  let projectingUp = true;
  const setProjectingUp = (up: boolean): void => {
    if (leadRole !== 'all' || projectingUp === up) return;
    projectingUp = up;
    for (const [worker, role] of live)
      if (role === 'http') tell(worker, { ledger: 'projecting-process', up });
  };
  cluster.on('message', (worker, message) => {
    if (isProjectingProcessQuestion(message))
      tell(worker, { ledger: 'projecting-process', up: leadRole !== 'all' || projectingUp });
  });
  // A restart that fails (the store or the master key not there yet) is tried again, waiting
  // twice as long each time: giving up after one failure left the cluster without that process
  // for good, and without its projector, scheduler and relay when it was the `all` one.
  const restart = (role: Role, attempt: number): void => {
    const delayMs = Math.min(RESTART_DELAY_MS * 2 ** Math.min(attempt - 1, 16), RESTART_DELAY_MAX_MS);
    setTimeout(() => {
      if (closing) return;
      startWorker(role, live).then(
        (restarted) => {
          supervise(restarted.worker, role);
          logger.info({ pid: restarted.worker.process.pid, role, attempt }, 'server process restarted');
        },
        (error: unknown) => {
          if (closing) return;
          const retryMs = Math.min(RESTART_DELAY_MS * 2 ** Math.min(attempt, 16), RESTART_DELAY_MAX_MS);
          logger.error(
            { err: error, role, attempt, retryMs },
            'server process failed to restart; trying again',
          );
          restart(role, attempt + 1);
        },
      );
    }, delayMs);
  };
  const supervise = (worker: Worker, role: Role): void => {
    if (role === 'all') setProjectingUp(true);
    worker.once('exit', (code, signal) => {
      if (role === 'all') setProjectingUp(false);
      if (closing) return;
      logger.error({ pid: worker.process.pid, role, code, signal }, 'server process died; restarting it');
      restart(role, 1);
    });
  };

  let lead: { worker: Worker; url: string };
  try {
    lead = await startWorker(leadRole, live);
    supervise(lead.worker, leadRole);
    const others = await Promise.all(
      Array.from({ length: config.processes - 1 }, () => startWorker('http', live)),
    );
    for (const other of others) supervise(other.worker, 'http');
  } catch (error) {
    // One that could not start stops the start-up: the others (listening or not) stop too, before
    // the error reaches server.ts, which reports it in one line.
    closing = true;
    await stopStarted(live);
    throw error;
  }
  const pids = [...live.keys()].map((worker) => worker.process.pid);
  logger.info({ processes: config.processes, pids }, 'all server processes listening');
  process.stdout.write(`ledger-api: ${config.processes} processes listening on ${lead.url}\n`);

  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'stopping every server process');
    stopWorkers(live, config.shutdownGraceSeconds, logger);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
