/**
 * Ctrl-C (and SIGTERM, SIGHUP) for a long command that can stop cleanly between two steps
 * (`rebuild`): the first signal aborts `signal` and the command winds down, dropping what it
 * half-built; a second one ends the process at once, as Node's default would have done the first
 * time. The exit code is 128 + the signal's number, as a shell reports a process it killed.
 */
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : 128 + constants.signals[received]),
    release() {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}
