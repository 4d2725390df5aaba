/**
 * The event store as the ledger sees it: personal fields are sealed on append and opened on
 * read, so deciders fold plain values while the engine, its hash chain, verification, exports,
 * read models and Kafka only ever see ciphertext. A field whose key was destroyed opens as its
 * erased replacement (`[erased]`). Subscriptions pass through in stored (sealed) form.
 */
import type { EventStore, NewEvent, RecordedEvent } from '@timebank/event-store';
import { fieldContext, isSealed, openField, sealField } from './field-sealer.js';
import { dataSubjectOf, erasedReplacement, hasPersonalFields, mapPersonalFields } from './personal-fields.js';
import type { PersonalKeys } from './personal-keys.js';

export async function sealEvent(keys: PersonalKeys, streamName: string, event: NewEvent): Promise<NewEvent> {
  if (!hasPersonalFields(event.type)) return event;
  // Asked even when no personal field is present: it refuses an append for an erased subject.
  const key = await keys.forSealing(dataSubjectOf(event));
  const context = fieldContext(event.type, streamName);
  const data = mapPersonalFields(event.type, event.data, (value) =>
    isSealed(value) ? value : sealField(key, value, context),
  );
  return data === event.data ? event : { ...event, data };
}

export async function openEvent<Event extends RecordedEvent>(
  keys: PersonalKeys,
  event: Event,
): Promise<Event> {
  if (!hasPersonalFields(event.type)) return event;
  const key = await keys.forOpening(dataSubjectOf(event));
  const context = fieldContext(event.type, event.streamName);
  return {
    ...event,
    data: mapPersonalFields(event.type, event.data, (value, path) => {
      // Events written before sealing existed keep their plain values (docs/privacy.md).
      if (!isSealed(value)) return value;
      return key === null ? erasedReplacement(path) : openField(key, value, context);
    }),
  };
}

async function openAll(keys: PersonalKeys, events: RecordedEvent[]): Promise<RecordedEvent[]> {
  const opened: RecordedEvent[] = [];
  for (const event of events) opened.push(await openEvent(keys, event));
  return opened;
}

/** `store` with sealing on append and opening on `readStream` / `readAll`; every other member passes through. */
export function sealingStore<Store extends EventStore>(store: Store, keys: PersonalKeys): Store {
  const appendToStream: EventStore['appendToStream'] = async (streamName, events, options) => {
    const sealed: NewEvent[] = [];
    for (const event of events) sealed.push(await sealEvent(keys, streamName, event));
    return store.appendToStream(streamName, sealed, options);
  };
  const readStream: EventStore['readStream'] = async (streamName, options) =>
    openAll(keys, await store.readStream(streamName, options));
  const readAll: EventStore['readAll'] = async (options) => openAll(keys, await store.readAll(options));
  const replaced: Partial<Record<PropertyKey, unknown>> = { appendToStream, readStream, readAll };
  // Each method is bound once, not on every access: every command reaches the store through here.
  const bound = new Map<PropertyKey, { readonly method: unknown; readonly bound: unknown }>();
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(replaced, property)) return replaced[property];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const known = bound.get(property);
      if (known?.method === value) return known.bound;
      const fresh = (value as (...args: unknown[]) => unknown).bind(target);
      bound.set(property, { method: value, bound: fresh });
      return fresh;
    },
  });
}
