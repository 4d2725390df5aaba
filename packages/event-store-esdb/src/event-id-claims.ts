/**
 * Global uniqueness of event ids, which EventStoreDB does not give: the server recognises a
 * repeated id only within one stream. Before a batch is written, each of its ids is *claimed*
 * for the target stream by appending a small claim event to a stream of its own,
 * `~event-id-<id>`, with expected revision `no_stream`.
 *
 * The claim's own ESDB id is derived from (event id, target stream), so claiming again for the
 * same stream is an idempotent no-op at the server, while claiming for another stream fails the
 * `no_stream` check: that is the port's DUPLICATE_EVENT_ID. Claims are system-typed (`$…`), so
 * reads, subscriptions and the head position never show them, and `~` cannot start a port
 * stream name, so no ledger stream can collide with a claim stream.
 *
 * The cost is one extra small write per event, sent in parallel with the others of the batch.
 * A claim left behind by an append that then lost a revision race binds the id to that stream,
 * which is where the ledger's deterministic ids would put it again anyway.
 */
import { createHash } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import type { EventData } from '@eventstore/db-client';
import { esdbStreamName } from './wire-format.js';

export const CLAIM_STREAM_PREFIX = '~event-id-';
export const CLAIM_EVENT_TYPE = '$timebank-event-id-claimed';

export function claimStreamName(eventId: string, namespace: string | undefined): string {
  return esdbStreamName(`${CLAIM_STREAM_PREFIX}${eventId}`, namespace);
}

/** A UUID determined by (event id, stream): an RFC 9562 version-8 layout over a sha-256 digest. */
export function claimEventId(eventId: string, streamName: string): string {
  const hex = createHash('sha256').update(eventId).update('\n').update(streamName).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function claimEvent(eventId: string, streamName: string): EventData {
  return jsonEvent({
    id: claimEventId(eventId, streamName),
    type: CLAIM_EVENT_TYPE,
    data: { eventId, streamName },
  });
}
