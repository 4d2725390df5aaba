/**
 * Who and why an event was written, wherever it is recorded. The command handler leaves out of an
 * event's metadata what its data already records (the idempotency key every domain event carries,
 * and the actor of the events that name one), so that a redemption does not store them twice.
 * The data is hashed into the chain like the metadata, so an auditor loses nothing; events written
 * before still carry both, and these readers accept either shape.
 */
import type { EventMetadata, JsonObject, JsonValue } from '@timebank/event-store';

interface EventParts {
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/** The idempotency key of the command that wrote `event`, or undefined if none was recorded. */
export function idempotencyKeyOf(event: EventParts): string | undefined {
  const fromData = event.data.idempotencyKey;
  return event.metadata.idempotencyKey ?? (typeof fromData === 'string' ? fromData : undefined);
}

/** The actor label (`role:id`) of the command that wrote `event`, or undefined if none was recorded. */
export function actorLabelOf(event: EventParts): string | undefined {
  return event.metadata.actor ?? actorLabelOfData(event.data.actor);
}

/** `role:id` of a domain actor recorded in event data, as the command envelope labels it. */
export function actorLabelOfData(actor: JsonValue | undefined): string | undefined {
  if (typeof actor !== 'object' || actor === null || Array.isArray(actor)) return undefined;
  const { role, id } = actor;
  return typeof role === 'string' && typeof id === 'string' ? `${role}:${id}` : undefined;
}

/**
 * Metadata for a decided event: the schema version and the envelope's fields, except the key and
 * actor when `data` already records the same values.
 */
export function metadataFor(
  data: JsonObject,
  schemaVersion: number,
  envelope: {
    readonly idempotencyKey: string;
    readonly actor?: string;
    readonly correlationId?: string;
    readonly causationId?: string;
  },
): EventMetadata {
  const keyInData = data.idempotencyKey === envelope.idempotencyKey;
  const actorInData = envelope.actor !== undefined && actorLabelOfData(data.actor) === envelope.actor;
  return {
    schemaVersion,
    ...(keyInData ? {} : { idempotencyKey: envelope.idempotencyKey }),
    ...(envelope.actor === undefined || actorInData ? {} : { actor: envelope.actor }),
    ...(envelope.correlationId === undefined ? {} : { correlationId: envelope.correlationId }),
    ...(envelope.causationId === undefined ? {} : { causationId: envelope.causationId }),
  };
}
