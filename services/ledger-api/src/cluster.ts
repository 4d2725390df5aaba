/**
 * LEDGER_PROCESSES > 1 (PostgreSQL only): this primary process serves nothing itself; it starts
 * the server processes (node:cluster workers sharing the listening port) and supervises them.
 *
 * The first worker runs with this process's LEDGER_PROCESS_ROLE (default `all`: it also projects
 * the read models, runs the scheduler and the Kafka relay) and is started alone, so that first-run
 * work (the bootstrap key, the master key file, a read-model rebuild) happens once, before the
 * others start. The others run as `http`: they serve requests and append through the store's
 * expected-revision check, and read the read models the first one keeps current.
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

/** Forks a server process; resolves once it listens, with the address it listens on. */
function startWorker(role: Role): Promise<{ worker: Worker; url: string }> {
  const worker = cluster.fork({ LEDGER_PROCESS_ROLE: role });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`a ${role} server process exited with ${code ?? 'a signal'} before listening`));
    worker.once('exit', onExit);
    worker.once('listening', (address) => {
      worker.off('exit', onExit);
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({ worker, url: `http://${host}:${address.port}` });
    });
  });
}

export async function runCluster(config: LedgerApiConfig, logger: Logger): Promise<void> {
  const roles = new Map<Worker, Role>();
  let closing = false;
  // A restart that fails (the store or the master key not there yet) is tried again, waiting
  // twice as long each time: giving up after one failure left the cluster without that process
  // for good, and without its projector, scheduler and relay when it was the `all` one.
  const restart = (role: Role, attempt: number): void => {
    const delayMs = Math.min(RESTART_DELAY_MS * 2 ** Math.min(attempt - 1, 16), RESTART_DELAY_MAX_MS);
    setTimeout(() => {
      if (closing) return;
      startWorker(role).then(
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
    roles.set(worker, role);
    worker.once('exit', (code, signal) => {
      roles.delete(worker);
      if (closing) return;
      logger.error({ pid: worker.process.pid, role, code, signal }, 'server process died; restarting it');
      restart(role, 1);
    });
  };

  const leadRole = config.processRole;
  const lead = await startWorker(leadRole);
  supervise(lead.worker, leadRole);
  const others = await Promise.all(Array.from({ length: config.processes - 1 }, () => startWorker('http')));
  for (const other of others) supervise(other.worker, 'http');
  const pids = [...roles.keys()].map((worker) => worker.process.pid);
  logger.info({ processes: config.processes, pids }, 'all server processes listening');
  process.stdout.write(`ledger-api: ${config.processes} processes listening on ${lead.url}\n`);

  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'stopping every server process');
    const exits = [...roles.keys()].map(
      (worker) =>
        new Promise<number>((resolve) => {
          if (worker.isDead()) resolve(worker.process.exitCode ?? 0);
          worker.once('exit', (code) => resolve(code ?? 1));
          worker.process.kill('SIGTERM');
        }),
    );
    // Each worker drains within its own SHUTDOWN_GRACE_SECONDS; the primary exits with the worst code.
    void Promise.all(exits).then((codes) => process.exit(Math.max(0, ...codes)));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
