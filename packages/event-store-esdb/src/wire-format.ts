/**
 * How a port event looks inside EventStoreDB, and back.
 *
 * - Stream name: the port's name, prefixed with `<namespace>.` when the store has a namespace.
 * - Event: a JSON event (`application/json`) with the port's id, type and data unchanged.
 * - Metadata: the port's `EventMetadata` verbatim, plus `hash` (this event's link in the stream's
 *   hash chain) and, when present, `$correlationId` / `$causationId` copies so that the server's
 *   `$by_correlation_id` projection and its UI understand them. Those three keys are reserved:
 *   an append whose metadata uses them, or any `$`-prefixed key, is rejected before any I/O.
 */
import { jsonEvent } from '@eventstore/db-client';
import type { EventData, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { STREAM_NAME_PATTERN, StoreLimitError } from '@timebank/event-store';
import type { EventMetadata, JsonObject, NewEvent, RecordedEvent } from '@timebank/event-store';
import { requirePosition } from './positions.js';

/** Metadata key that carries the hash-chain link. */
export const HASH_METADATA_KEY = 'hash';
const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** Letters, digits and `_`, at most 40 characters: short enough to leave room for stream names. */
export const NAMESPACE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

export function assertValidNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`invalid ESDB namespace ${JSON.stringify(namespace)}: expected ${NAMESPACE_PATTERN}`);
  }
}

/** The ESDB stream that holds a port stream. */
export function esdbStreamName(streamName: string, namespace: string | undefined): string {
  return namespace === undefined ? streamName : `${namespace}.${streamName}`;
}

/**
 * The port stream name of an ESDB stream, or undefined when the stream is not the ledger's:
 * a system stream (`$…`), a name the port cannot produce, or, with a namespace, a stream
 * outside it.
 */
export function portStreamName(esdbStream: string, namespace: string | undefined): string | undefined {
  if (esdbStream.startsWith('$')) return undefined;
  let name = esdbStream;
  if (namespace !== undefined) {
    const prefix = `${namespace}.`;
    if (!esdbStream.startsWith(prefix)) return undefined;
    name = esdbStream.slice(prefix.length);
  }
  // Names no port stream can have, such as the adapter's own `~event-id-…` claim streams.
  return STREAM_NAME_PATTERN.test(name) ? name : undefined;
}

/** Rejects metadata keys that the wire format reserves, so that decoding is exact. */
export function assertNoReservedMetadataKeys(events: readonly NewEvent[]): void {
  events.forEach((event, index) => {
    for (const key of Object.keys(event.metadata)) {
      if (key === HASH_METADATA_KEY || key.startsWith('$')) {
        throw new StoreLimitError(
          'INVALID_EVENT',
          `events[${index}].metadata.${key} is reserved by the EventStoreDB adapter`,
        );
      }
    }
  });
}

/** The metadata object written to ESDB for one event. */
export function encodeMetadata(metadata: EventMetadata, hash: string): JsonObject {
  if (!HASH_PATTERN.test(hash)) throw new Error(`hash must be 64 lower-case hex digits, got ${hash}`);
  const wire: JsonObject = { ...(metadata as unknown as JsonObject), [HASH_METADATA_KEY]: hash };
  if (metadata.correlationId !== undefined) wire.$correlationId = metadata.correlationId;
  if (metadata.causationId !== undefined) wire.$causationId = metadata.causationId;
  return wire;
}

/** Splits wire metadata back into the port's metadata and the stored hash. */
export function decodeMetadata(wire: unknown, where: string): { metadata: EventMetadata; hash: string } {
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire) || wire instanceof Uint8Array) {
    throw new Error(`${where}: metadata is not a JSON object; the event was not written by this adapter`);
  }
  const { [HASH_METADATA_KEY]: hash, ...rest } = wire as Record<string, unknown>;
  if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) {
    throw new Error(`${where}: metadata has no valid hash; the event was not written by this adapter`);
  }
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (!key.startsWith('$')) metadata[key] = value;
  }
  const schemaVersion = metadata.schemaVersion;
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new Error(`${where}: metadata.schemaVersion is missing or invalid`);
  }
  return { metadata: metadata as unknown as EventMetadata, hash };
}

/** The ESDB event to append for a port event and its hash. */
export function encodeEvent(event: NewEvent, hash: string): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: encodeMetadata(event.metadata, hash),
  });
}

/**
 * The port's view of an ESDB event, or undefined when it is not a ledger event (system stream,
 * system event type such as `$>` links or `$statsCollected`, or another namespace). A ledger
 * stream holding an event this adapter did not write is an error, not something to skip.
 */
export function decodeEvent(
  esdbEvent: EsdbRecordedEvent,
  namespace: string | undefined,
): RecordedEvent | undefined {
  const streamName = portStreamName(esdbEvent.streamId, namespace);
  if (streamName === undefined || esdbEvent.type.startsWith('$')) return undefined;
  const where = `stream ${esdbEvent.streamId} revision ${esdbEvent.revision}`;
  if (!esdbEvent.isJson) throw new Error(`${where}: not a JSON event; it was not written by this adapter`);
  const data = esdbEvent.data as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${where}: data is not a JSON object`);
  }
  const { metadata, hash } = decodeMetadata(esdbEvent.metadata, where);
  return {
    id: esdbEvent.id,
    type: esdbEvent.type,
    data: data as JsonObject,
    metadata,
    streamName,
    revision: esdbEvent.revision,
    position: requirePosition(esdbEvent.position, where),
    recordedAt: esdbEvent.created.toISOString(),
    hash,
  };
}
