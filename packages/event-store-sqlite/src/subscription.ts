/**
 * subscribeToAll for SQLite: pages through the log from the last delivered position, signals
 * caught-up once, then waits on the ChangeSignal for new commits. Pull-based: the next page is
 * read only when the consumer asks, so at most one page (`pageEvents`) is ever buffered.
 */
import type {
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionMessage,
} from '@timebank/event-store';
import type { ChangeSignal } from './change-signal.js';

export interface SubscriptionSource {
  /** Events strictly after `position`, at most `maxCount`, in position order. */
  readPage(position: bigint, maxCount: number): RecordedEvent[];
  readonly signal: ChangeSignal;
  /** Events read per page, in events: the subscription's whole buffer. */
  readonly pageEvents: number;
}

function matches(filter: SubscriptionFilter | undefined, event: RecordedEvent): boolean {
  const prefixes = filter?.streamPrefixes;
  if (
    prefixes !== undefined &&
    prefixes.length > 0 &&
    !prefixes.some((prefix) => event.streamName.startsWith(prefix))
  ) {
    return false;
  }
  const types = filter?.eventTypes;
  return types === undefined || types.length === 0 || types.includes(event.type);
}

export function createSubscription(
  source: SubscriptionSource,
  options: SubscribeOptions,
  onClose: () => void,
): Subscription {
  let closed = false;
  const closing = new AbortController();

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let position = options.fromPosition ?? 0n;
    let caughtUp = false;
    try {
      while (!closed) {
        const page = source.readPage(position, source.pageEvents);
        if (page.length === 0 && caughtUp) {
          await source.signal.wait(closing.signal);
          continue;
        }
        for (const event of page) {
          position = event.position;
          if (!matches(options.filter, event)) continue;
          yield { kind: 'event', event };
          if (closed) return;
        }
        if (!caughtUp && page.length < source.pageEvents) {
          caughtUp = true;
          yield { kind: 'caught-up', position };
        }
      }
    } finally {
      closed = true;
      onClose();
    }
  }

  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: async () => {
      closed = true;
      closing.abort();
      onClose();
      // Ends a generator that is suspended at a yield or was never started; a pending next() ends
      // first, woken by `closing`.
      await iterator.return(undefined);
    },
  };
}
