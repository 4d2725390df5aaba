import type {
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionMessage,
} from '@timebank/event-store';
import { isTransientConnectionError, sleep } from './connection-errors.js';
import type { NotificationListener } from './listener.js';
import type { PostgresLimits } from './options.js';

export interface SubscriptionSource {
  readonly listener: NotificationListener;
  readonly limits: PostgresLimits;
  /** Reads the next page of the global log after a position, in position order. */
  readPage(fromPosition: bigint, maxCount: number): Promise<RecordedEvent[]>;
}

/**
 * A subscription to `$all`. It keeps its own last position and reads pages after it, so it can
 * neither skip nor repeat an event, whatever happens to the connections underneath: a failed read
 * is retried with backoff, and a dropped listener only delays the wake-up. The reads see positions
 * in commit order because appends assign them under the store's append lock (see group-commit.ts).
 */
export class PostgresSubscription implements Subscription {
  private closed = false;
  private readonly iterator: AsyncGenerator<SubscriptionMessage, void, undefined>;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: SubscribeOptions,
    private readonly onClose: () => void = () => undefined,
  ) {
    this.iterator = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.source.listener.wakeAll();
    await this.iterator.return(undefined);
  }

  private async *run(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    const { listener, limits } = this.source;
    const matches = compileFilter(this.options.filter);
    let position = this.options.fromPosition ?? 0n;
    let caughtUp = false;
    let retryDelay = limits.reconnectDelayMilliseconds;
    // Listen before the first read, so a commit between that read and the first wait still wakes us.
    await listener.start();
    while (!this.closed) {
      const seen = listener.currentVersion();
      let page: RecordedEvent[];
      try {
        page = await this.source.readPage(position, limits.readBatchMax);
        retryDelay = limits.reconnectDelayMilliseconds;
      } catch (error) {
        if (!isTransientConnectionError(error)) throw error;
        await sleep(retryDelay);
        retryDelay = Math.min(retryDelay * 2, limits.reconnectDelayMillisecondsMax);
        continue;
      }
      for (const event of page) {
        if (this.closed) return;
        position = event.position;
        if (matches(event)) yield { kind: 'event', event };
      }
      if (page.length < limits.readBatchMax) {
        if (!caughtUp) {
          caughtUp = true;
          if (this.closed) return;
          yield { kind: 'caught-up', position };
        }
        await listener.waitForChange(seen, limits.pollIntervalMilliseconds);
      }
    }
  }
}

function compileFilter(filter: SubscriptionFilter | undefined): (event: RecordedEvent) => boolean {
  const prefixes = filter?.streamPrefixes;
  const types = filter?.eventTypes === undefined ? undefined : new Set(filter.eventTypes);
  return (event) =>
    (prefixes === undefined || prefixes.some((prefix) => event.streamName.startsWith(prefix))) &&
    (types === undefined || types.has(event.type));
}
