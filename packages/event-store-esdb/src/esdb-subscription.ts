/**
 * `subscribeToAll` for EventStoreDB: catch up by paging `readAll`, say `caught-up` once, then
 * follow a live server subscription, resubscribing from the last position seen whenever the
 * connection drops (the client library does not resubscribe by itself).
 *
 * The catch-up is done with reads rather than with the server's catch-up subscription because
 * the client reports the server's "caught up" as a side-band event, out of order with the
 * buffered events, and only from server 23.10. Positions make the hand-over exact: the live
 * subscription starts at the last position the catch-up saw, and every event at or below the
 * last seen position is dropped, so the consumer sees neither a gap nor a duplicate.
 */
import { START, UnavailableError } from '@eventstore/db-client';
import type { AllStreamSubscription, EventStoreDBClient } from '@eventstore/db-client';
import type { EventStore, SubscribeOptions, Subscription, SubscriptionMessage } from '@timebank/event-store';
import { isTransientEsdbError, StoreUnavailableError } from './esdb-errors.js';
import { esdbPosition, portPosition } from './positions.js';
import { backoffMs } from './retry.js';
import type { RetryEnvironment } from './retry.js';
import { matchesFilter, serverFilter } from './subscription-filter.js';
import { decodeEvent } from './wire-format.js';

/** Events per catch-up read. 500 keeps a page's memory small while amortising round trips. */
const CATCH_UP_PAGE_SIZE = 500;
/** Most consecutive backoff steps counted; the delay then stays at the policy's ceiling. */
const BACKOFF_STEPS_MAX = 20;

export interface SubscriptionContext {
  readonly client: EventStoreDBClient;
  readonly namespace: string | undefined;
  readonly store: Pick<EventStore, 'readAll'>;
  readonly retry: RetryEnvironment;
}

export class EsdbSubscription implements Subscription {
  #closed = false;
  #live: AllStreamSubscription | undefined;
  readonly #messages: AsyncGenerator<SubscriptionMessage, void, undefined>;

  constructor(
    private readonly context: SubscriptionContext,
    private readonly options: SubscribeOptions,
    private readonly onClose: (subscription: EsdbSubscription) => void,
  ) {
    this.#messages = this.#run();
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return this.#messages;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropLive(undefined);
    this.onClose(this);
    await this.#messages.return(undefined);
  }

  /** Drops the live connection as a network failure would; the loop resubscribes. For tests. */
  disconnect(): void {
    this.#dropLive(new UnavailableError(undefined, 'connection dropped by disconnectSubscriptions'));
  }

  #dropLive(reason: Error | undefined): void {
    const live = this.#live;
    if (live === undefined) return;
    this.#live = undefined;
    live.destroy(reason);
    live.unsubscribe().catch(() => undefined);
  }

  async *#run(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    let checkpoint = this.options.fromPosition;
    let failures = 0;
    // Catch-up: page through the log as it is now.
    for (;;) {
      if (this.#closed) return;
      let page;
      try {
        page = await this.context.store.readAll(
          checkpoint === undefined
            ? { maxCount: CATCH_UP_PAGE_SIZE }
            : { fromPosition: checkpoint, maxCount: CATCH_UP_PAGE_SIZE },
        );
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        failures = await this.#pause(failures);
        continue;
      }
      failures = 0;
      for (const event of page) {
        checkpoint = event.position;
        if (matchesFilter(event, this.options.filter)) yield { kind: 'event', event };
        if (this.#closed) return;
      }
      if (page.length < CATCH_UP_PAGE_SIZE) break;
    }
    yield { kind: 'caught-up', position: checkpoint ?? 0n };
    // Live: follow the server, and come back from the checkpoint after every drop.
    for (;;) {
      if (this.#closed) return;
      const live = this.context.client.subscribeToAll({
        fromPosition: checkpoint === undefined ? START : esdbPosition(checkpoint),
        filter: serverFilter(this.options.filter, this.context.namespace),
      });
      this.#live = live;
      try {
        for await (const resolved of live) {
          const raw = resolved.event;
          if (raw === undefined) continue;
          const position = portPosition(raw.position);
          if (checkpoint !== undefined && position <= checkpoint) continue;
          const event = decodeEvent(raw, this.context.namespace);
          checkpoint = position;
          failures = 0;
          if (event !== undefined && matchesFilter(event, this.options.filter)) {
            yield { kind: 'event', event };
          }
          if (this.#closed) return;
        }
      } catch (error) {
        if (this.#closed) return;
        if (!isTransientEsdbError(error)) throw error;
      } finally {
        this.#dropLive(undefined);
      }
      // The stream failed transiently or ended without a reason: both mean "connection lost".
      failures = await this.#pause(failures);
    }
  }

  async #pause(failures: number): Promise<number> {
    const next = Math.min(failures + 1, BACKOFF_STEPS_MAX);
    await this.context.retry.sleep(backoffMs(this.context.retry.policy, next, this.context.retry.random));
    return next;
  }
}
