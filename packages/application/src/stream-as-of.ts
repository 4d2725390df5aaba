import { deciderFor, type DomainEvent, type StreamKind, type StreamStates } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import type { LoadedStream } from './stream-reader.js';

/** Events read per page of a historical load: bounds memory per read, in events. */
const PAGE_EVENTS = 500;

/** Where a historical load stops; each bound includes what lies exactly on it. */
export interface StreamCut {
  /** The last global position to include. */
  readonly position?: bigint;
  /** The last instant to include, in epoch ms, compared with when the store recorded each event. */
  readonly recordedAtMs?: number;
}

export interface LoadedStreamAsOf<State> extends LoadedStream<State> {
  /** Global position of the last event included (0n when none was). */
  readonly position: bigint;
  /** When the store recorded the last event included, in epoch ms; undefined when none was. */
  readonly recordedAtMs: number | undefined;
  readonly eventsApplied: number;
}

/**
 * Folds a stream from its start up to a cut, with the family's own decider, bypassing the cache
 * (which only holds heads). The state is the caller's own.
 */
export async function foldStreamAsOf<K extends StreamKind>(
  store: EventStore,
  kind: K,
  streamName: string,
  cut: StreamCut,
): Promise<LoadedStreamAsOf<StreamStates[K]>> {
  const decider = deciderFor(kind);
  let state = decider.initialState();
  let position = 0n;
  let revision = -1n;
  let recordedAtMs: number | undefined;
  let applied = 0;
  let reachedCut = false;
  while (!reachedCut) {
    const page = await store.readStream(streamName, { fromRevision: revision + 1n, maxCount: PAGE_EVENTS });
    for (const event of page) {
      const recordedMs = Date.parse(event.recordedAt);
      if (cut.position !== undefined && event.position > cut.position) reachedCut = true;
      if (cut.recordedAtMs !== undefined && recordedMs > cut.recordedAtMs) reachedCut = true;
      if (reachedCut) break;
      const domainEvent = { type: event.type, data: event.data } as DomainEvent;
      if (decider.applyInPlace === undefined) state = decider.evolve(state, domainEvent);
      else decider.applyInPlace(state, domainEvent);
      position = event.position;
      revision = event.revision;
      recordedAtMs = recordedMs;
      applied += 1;
    }
    if (page.length < PAGE_EVENTS) break;
  }
  return { state, revision, position, recordedAtMs, eventsApplied: applied };
}
