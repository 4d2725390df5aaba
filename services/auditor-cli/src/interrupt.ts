/**
 * Ctrl-C (and SIGTERM, SIGHUP) for a long command that can stop cleanly between two steps
 * (`rebuild`, `verify`, `export`): the first signal aborts `signal` and the command winds down, dropping what it
 * half-built; a second one ends the process at once, as Node's default would have done the first
 * time. The exit code is 128 + the signal's number, as a shell reports a process it killed.
 */
import { constants } from 'node:os';
import { isProjectionError } from '@timebank/projections';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Interruptions whose handlers are on: a signal is theirs to answer while any is. */
let interruptionsActive = 0;

export interface Interruption {
  readonly signal: AbortSignal;
  /** 128 + the first signal's number once one came, else undefined. */
  exitCode(): number | undefined;
  /** Gives the signals back to Node's defaults. */
  release(): void;
}

export function interruptOnSignals(label: string): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      process.stderr.write(`ledger ${label}: ${signal} again: stopping now\n`);
      process.exit(128 + constants.signals[signal]);
    }
    received = signal;
    process.stderr.write(`ledger ${label}: ${signal}: stopping after the current step (again to stop now)\n`);
    controller.abort();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  interruptionsActive += 1;
  let released = false;
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : 128 + constants.signals[received]),
    release() {
      if (released) return;
      released = true;
      interruptionsActive -= 1;
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}

/**
 * Between a command's interruptible steps (after a private copy is made, before the replay
 * starts; after it ends, before the copy is removed) Node's default would end the process on a
 * signal without running its 'exit' listeners, leaving what they remove (the private copy of a
 * data directory, its master key included) behind in TMPDIR. While this is on, a signal that no
 * interruption answers ends the process through `process.exit` (128 + its number), so they run.
 */
export function exitCleanlyOnSignals(label: string): { release(): void } {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptionsActive > 0) return;
    process.stderr.write(`ledger ${label}: ${signal}: stopping\n`);
    process.exit(128 + constants.signals[signal]);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    release() {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}

/** What `untilInterrupted` ends with: the work's value, or the exit code of the signal that stopped it. */
export type Interruptible<T> =
  { readonly stopped: false; readonly value: T } | { readonly stopped: true; readonly exitCode: number };

/**
 * Runs `work` with Ctrl-C (SIGTERM, SIGHUP) wired to its abort signal. When a signal came and the
 * work gave up with `PROJECTION_INTERRUPTED`, says so on stderr and answers the exit code; any other
 * error, or an interruption error with no signal behind it, is thrown on. The signals go back to
 * Node's defaults either way.
 */
export async function untilInterrupted<T>(
  label: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<Interruptible<T>> {
  const interrupted = interruptOnSignals(label);
  try {
    const value = await work(interrupted.signal);
    // A signal that came during the work's last synchronous stretch (SQLite's swap of a rebuild)
    // is handled only on the next turn of the event loop: take that turn before giving the
    // signals back, or Ctrl-C would go unanswered. The work is whole, so it stands (exit 0).
    await new Promise((resolve) => setImmediate(resolve));
    if (interrupted.exitCode() !== undefined)
      process.stderr.write(`ledger ${label}: the signal came too late to stop it: it had finished\n`);
    return { stopped: false, value };
  } catch (error) {
    const exitCode = interrupted.exitCode();
    if (exitCode === undefined || !isProjectionError(error, 'PROJECTION_INTERRUPTED')) throw error;
    process.stderr.write(`ledger ${label}: ${error.code}: ${error.message}\n`);
    return { stopped: true, exitCode };
  } finally {
    interrupted.release();
  }
}
