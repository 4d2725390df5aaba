import { deciderFor, type DomainEvent, type StreamKind, type StreamStates } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import type { LoadedStream } from './stream-reader.js';

/** Events read per page of a historical load: bounds memory per read, in events. */
const PAGE_EVENTS = 500;

/** Where a historical load stops; each bound includes what lies exactly on it. */
export interface StreamCut {
  /** The last global position to include. */
  readonly position?: bigint;
  /**
   * The last instant to include, in epoch ms, compared with when the store recorded each event, or,
   * for an event the clock dates at its due time (`EFFECTIVE_TIME_FIELDS`), with that time instead.
   */
  readonly recordedAtMs?: number;
}

/**
 * Events the clock records after the fact, and the field that says when they took effect: an
 * expiry is effective at its due time however late the sweep ran, so an as-of read at that
 * instant shows it, and a replay gives the same balances whether the sweep was late or not.
 */
export const EFFECTIVE_TIME_FIELDS: Readonly<Record<string, string>> = {
  PointsHoldExpired: 'expiredAt',
  PointsExpired: 'expiredAt',
};

/** When an event took effect, in epoch ms, if it is one the clock dates; else undefined. */
function effectiveMsOf(type: string, data: Record<string, unknown>): number | undefined {
  const field = EFFECTIVE_TIME_FIELDS[type];
  const value = field === undefined ? undefined : data[field];
  return typeof value === 'string' ? Date.parse(value) : undefined;
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
  let nextRevision = 0n;
  while (!reachedCut) {
    const page = await store.readStream(streamName, { fromRevision: nextRevision, maxCount: PAGE_EVENTS });
    for (const event of page) {
      nextRevision = event.revision + 1n;
      const recordedMs = Date.parse(event.recordedAt);
      if (cut.position !== undefined && event.position > cut.position) reachedCut = true;
      if (reachedCut) break;
      // A clock's expiry counts from the time it took effect, not from when the sweep recorded it;
      // so an instant cut reads on to the stream's end, skipping (not stopping at) later events.
      const effectiveMs = effectiveMsOf(event.type, event.data) ?? recordedMs;
      if (cut.recordedAtMs !== undefined && effectiveMs > cut.recordedAtMs) continue;
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
