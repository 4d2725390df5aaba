import {
  deciderFor,
  donationPoolStream,
  hierarchyStream,
  organisationStream,
  partnerStream,
  policyStream,
  projectStream,
  spendCodeStream,
  volunteerStream,
  type StreamKind,
  type StreamStates,
} from '@timebank/domain';
import type { CheckedLoaders, DependencyLoader } from './command-handler.js';

/** A stream's folded state and the revision it was folded up to (-1n: the stream does not exist yet). */
export interface LoadedStream<State> {
  readonly state: State;
  readonly revision: bigint;
}

/** What names a stream of a family: an id, except for the single policy, donation-pool and hierarchy streams. */
export type StreamIdOf<K extends StreamKind> = K extends 'policy' | 'donation-pool' | 'hierarchy'
  ? []
  : [id: string];

/** Folds streams by family and id, e.g. `load('volunteer', volunteerId)`. */
export interface StreamReader {
  /**
   * The stream's current state, folded by the family's decider. The state may be shared with the
   * ledger's cache: read it synchronously, never change it, and keep no reference into it.
   */
  load<K extends StreamKind>(kind: K, ...id: StreamIdOf<K>): Promise<LoadedStream<StreamStates[K]>>;
}

/** The name of a family's stream; `id` is required for every family with more than one stream. */
export function streamNameOf(kind: StreamKind, id: string | undefined): string {
  if (kind === 'policy') return policyStream;
  if (kind === 'donation-pool') return donationPoolStream;
  if (kind === 'hierarchy') return hierarchyStream;
  if (id === undefined) throw new Error(`a ${kind} stream is named by an id`);
  if (kind === 'volunteer') return volunteerStream(id);
  if (kind === 'partner') return partnerStream(id);
  if (kind === 'spend-code') return spendCodeStream(id);
  if (kind === 'project') return projectStream(id);
  return organisationStream(id);
}

/**
 * A reader on one change-log check (`Ledger.checkedReader`). `current` answers without a promise
 * what `load` would answer at once: the cached state the check vouches for; undefined when a load
 * would have to wait (not cached, changed since, or a command queued on the stream), and then the
 * caller loads. Both read as of the check or later, never earlier.
 */
export interface CheckedStreamReader extends StreamReader {
  current<K extends StreamKind>(kind: K, ...id: StreamIdOf<K>): LoadedStream<StreamStates[K]> | undefined;
}

/** A checked reader over the loaders of one change-log check. */
export function checkedReaderOver(loaders: CheckedLoaders): CheckedStreamReader {
  const { load, current } = loaders;
  return {
    load: (kind, ...id) => load(streamNameOf(kind, (id as readonly string[])[0]), deciderFor(kind)),
    // One named parameter instead of a rest list: a cached read makes no array per call (issue #15).
    current: ((kind: StreamKind, id?: string) =>
      current(streamNameOf(kind, id))) as CheckedStreamReader['current'],
  };
}

/** A reader over a loader of stream names. */
export function readerOver(loader: DependencyLoader): StreamReader {
  return {
    load: (kind, ...id) => loader(streamNameOf(kind, (id as readonly string[])[0]), deciderFor(kind)),
  };
}
