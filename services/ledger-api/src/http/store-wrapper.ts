/**
 * The one way the API wraps its event store: replace `appendToStream`, pass everything else
 * through. A proxy rather than a copy, so that every capability the engine declares (its change
 * log, its payload reader, whatever the port adds later) reaches the layers above unchanged.
 */
import type { EventStore } from '@timebank/event-store';

/** `store` with `appendToStream` replaced; every other member is the store's own, bound to it. */
export function withAppend<Store extends EventStore>(
  store: Store,
  appendToStream: EventStore['appendToStream'],
): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendToStream') return appendToStream;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
