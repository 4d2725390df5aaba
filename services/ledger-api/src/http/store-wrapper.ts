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
  const bind = boundMethods(store);
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendToStream') return appendToStream;
      return bind(property, Reflect.get(target, property, target));
    },
  });
}

type Method = (...args: unknown[]) => unknown;

/**
 * Binds a store's methods to it once each, not on every access: a write reaches the store through
 * several wrappers, each of which used to allocate a bound function per call. A member replaced
 * on the store since is bound afresh.
 */
export function boundMethods(target: object): (property: PropertyKey, value: unknown) => unknown {
  const bound = new Map<PropertyKey, { readonly method: Method; readonly bound: Method }>();
  return (property, value) => {
    if (typeof value !== 'function') return value;
    const known = bound.get(property);
    if (known?.method === value) return known.bound;
    const fresh = (value as Method).bind(target);
    bound.set(property, { method: value as Method, bound: fresh });
    return fresh;
  };
}
