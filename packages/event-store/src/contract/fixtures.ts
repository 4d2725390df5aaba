/**
 * Builders and small helpers shared by the contract suite's parts.
 */
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { EventStoreError } from '../errors.js';
import type {
  EventStore,
  JsonObject,
  NewEvent,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '../port.js';

/** The tap test object handed to every part of the suite. */
export type Tap = Test;

/** What an adapter's test file supplies to run the contract against its engine. */
export interface ContractHarness {
  /** Shown in test names, e.g. `sqlite` or `postgres`. */
  readonly name: string;
  /** A fresh, empty store with `DEFAULT_STORE_LIMITS`. The suite closes it at the end of each test. */
  create(): Promise<EventStore>;
  /**
   * Drops every live subscription's underlying connection (socket, listener, poll loop) as a
   * network failure would, so the suite can prove the adapter resubscribes without gap or
   * duplicate. Omit it when the engine has no such connection; the test is then skipped.
   */
  disconnectSubscriptions?(store: EventStore): Promise<void>;
}

/** One event with a fresh id; `data` defaults to `{ n }` so that contents are recognisable. */
export function newEvent(n: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ThingHappened',
    data: { n },
    metadata: { schemaVersion: 1 },
    ...overrides,
  };
}

export function newEvents(count: number, first = 0): NewEvent[] {
  return Array.from({ length: count }, (_, index) => newEvent(first + index));
}

/** Runs `body` with a fresh store and always closes it, whatever the body did. */
export function withStore(
  t: Tap,
  harness: ContractHarness,
  name: string,
  body: (t: Tap, store: EventStore) => Promise<void>,
): void {
  void t.test(name, async (t) => {
    const store = await harness.create();
    try {
      await body(t, store);
    } finally {
      await store.close();
    }
  });
}

/** Awaits a promise that must reject, and returns the rejection (or undefined if it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof EventStoreError ? error.code : undefined;
}

/** Reads the whole global log by paging; the suite's stores are small. */
export async function readWholeLog(store: EventStore, pageSize = 500): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let fromPosition: bigint | undefined;
  for (;;) {
    const page = await store.readAll(
      fromPosition === undefined ? { maxCount: pageSize } : { fromPosition, maxCount: pageSize },
    );
    all.push(...page);
    const last = page.at(-1);
    if (last === undefined) return all;
    fromPosition = last.position;
  }
}

/** Casts a value the type system forbids, to prove the store rejects it at run time too. */
export function unsafeData(value: unknown): JsonObject {
  return value as JsonObject;
}

/**
 * Pulls messages from a subscription until `until` says stop, failing after `timeoutMs` instead of
 * hanging the suite. Returns everything pulled, including the message that satisfied `until`.
 */
export async function pull(
  iterator: AsyncIterator<SubscriptionMessage>,
  until: (messages: readonly SubscriptionMessage[]) => boolean,
  timeoutMs = 5000,
): Promise<SubscriptionMessage[]> {
  const messages: SubscriptionMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!until(messages)) {
    const remainingMs = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(remainingMs, 0));
    });
    const next = await Promise.race([iterator.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') {
      throw new Error(`subscription delivered ${messages.length} messages, then nothing for ${timeoutMs} ms`);
    }
    if (next.done === true) break;
    messages.push(next.value);
  }
  return messages;
}

export function eventsOf(messages: readonly SubscriptionMessage[]): RecordedEvent[] {
  return messages.flatMap((message) => (message.kind === 'event' ? [message.event] : []));
}

export function countEvents(messages: readonly SubscriptionMessage[]): number {
  return eventsOf(messages).length;
}

export function iteratorOf(subscription: Subscription): AsyncIterator<SubscriptionMessage> {
  return subscription[Symbol.asyncIterator]();
}
