/**
 * The port's subscription filter, applied twice: on the server, as a cheap pre-filter so that
 * unrelated events do not cross the network, and always in the adapter, which is authoritative
 * (the server can filter on stream name *or* event type, not both, and matches prefixes only).
 */
import { eventTypeFilter, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { Filter } from '@eventstore/db-client';
import type { RecordedEvent, SubscriptionFilter } from '@timebank/event-store';
import { esdbStreamName } from './wire-format.js';

/** Whether the port filter lets this event through. An empty list lets nothing through. */
export function matchesFilter(event: RecordedEvent, filter: SubscriptionFilter | undefined): boolean {
  if (filter === undefined) return true;
  const { streamPrefixes, eventTypes } = filter;
  if (streamPrefixes !== undefined && !streamPrefixes.some((prefix) => event.streamName.startsWith(prefix))) {
    return false;
  }
  return eventTypes === undefined || eventTypes.includes(event.type);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** The server-side pre-filter for a subscription; never narrower than `matchesFilter`. */
export function serverFilter(filter: SubscriptionFilter | undefined, namespace: string | undefined): Filter {
  const streamPrefixes = filter?.streamPrefixes;
  if (streamPrefixes !== undefined && streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: streamPrefixes.map((prefix) => esdbStreamName(prefix, namespace)) });
  }
  if (namespace !== undefined) return streamNameFilter({ prefixes: [esdbStreamName('', namespace)] });
  const eventTypes = filter?.eventTypes;
  if (eventTypes !== undefined && eventTypes.length > 0) {
    return eventTypeFilter({ regex: `^(?:${eventTypes.map(escapeRegex).join('|')})$` });
  }
  return excludeSystemEvents();
}
