/**
 * The event catalogue: every event type, its data schema and its schema version. An event is
 * `{ type, data }`; the store keeps `EVENT_SCHEMA_VERSIONS[type]` in `metadata.schemaVersion`.
 */
import { z } from 'zod';
import { CERTIFICATE_EVENT_DATA } from './certificate-events.js';
import { MANDATE_EVENT_DATA, SPEND_CODE_EVENT_DATA } from './consent-events.js';
import { HIERARCHY_EVENT_DATA } from './hierarchy-events.js';
import { DISPUTE_EVENT_DATA } from './dispute-events.js';
import { DONATION_POOL_EVENT_DATA, POINTS_EVENT_DATA } from './points-events.js';
import { PROJECT_EVENT_DATA } from './project-events.js';
import { ORGANISATION_EVENT_DATA, PARTNER_EVENT_DATA, POLICY_EVENT_DATA } from './registry-events.js';
import { VOLUNTEER_EVENT_DATA } from './volunteer-events.js';

export * from './certificate-events.js';
export * from './common.js';
export * from './consent-events.js';
export * from './hierarchy-events.js';
export * from './dispute-events.js';
export * from './points-events.js';
export * from './pool-events.js';
export * from './project-events.js';
export * from './record-events.js';
export * from './registry-events.js';
export * from './volunteer-events.js';

/** Data schema of every event type. */
export const EVENT_DATA_SCHEMAS = {
  ...VOLUNTEER_EVENT_DATA,
  ...POINTS_EVENT_DATA,
  ...CERTIFICATE_EVENT_DATA,
  ...MANDATE_EVENT_DATA,
  ...DISPUTE_EVENT_DATA,
  ...SPEND_CODE_EVENT_DATA,
  ...DONATION_POOL_EVENT_DATA,
  ...PARTNER_EVENT_DATA,
  ...ORGANISATION_EVENT_DATA,
  ...POLICY_EVENT_DATA,
  ...HIERARCHY_EVENT_DATA,
  ...PROJECT_EVENT_DATA,
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

/** The discriminated union of all domain events. */
export type DomainEvent = { [T in EventType]: { readonly type: T; readonly data: EventData<T> } }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

/** Which event types live on which stream family, e.g. for subscription filters. */
export const VOLUNTEER_STREAM_EVENT_TYPES = [
  ...Object.keys(VOLUNTEER_EVENT_DATA),
  ...Object.keys(POINTS_EVENT_DATA),
  ...Object.keys(CERTIFICATE_EVENT_DATA),
  ...Object.keys(MANDATE_EVENT_DATA),
  ...Object.keys(DISPUTE_EVENT_DATA),
] as EventType[];
export const SPEND_CODE_STREAM_EVENT_TYPES = Object.keys(SPEND_CODE_EVENT_DATA) as EventType[];
export const PARTNER_STREAM_EVENT_TYPES = Object.keys(PARTNER_EVENT_DATA) as EventType[];
export const ORGANISATION_STREAM_EVENT_TYPES = Object.keys(ORGANISATION_EVENT_DATA) as EventType[];
export const POLICY_STREAM_EVENT_TYPES = Object.keys(POLICY_EVENT_DATA) as EventType[];
export const HIERARCHY_STREAM_EVENT_TYPES = Object.keys(HIERARCHY_EVENT_DATA) as EventType[];
export const PROJECT_STREAM_EVENT_TYPES = Object.keys(PROJECT_EVENT_DATA) as EventType[];
export const DONATION_POOL_STREAM_EVENT_TYPES = Object.keys(DONATION_POOL_EVENT_DATA) as EventType[];

/**
 * Version of each event's data schema. Bump a version when the data's shape changes, and teach
 * `parseEvent` to upcast the old shape; never change the meaning of an existing version.
 */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<EventType, number>> = Object.freeze(
  Object.fromEntries(EVENT_TYPES.map((type) => [type, 1])) as Record<EventType, number>,
);

/** Zod schema of the whole union, for validating stored events read back. */
export const domainEventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) =>
    z.object({ type: z.literal(type), data: EVENT_DATA_SCHEMAS[type] }),
  ) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType>; data: z.ZodType }>,
    ...z.ZodObject<{ type: z.ZodLiteral<EventType>; data: z.ZodType }>[],
  ],
);

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_DATA_SCHEMAS, type);
}

/**
 * Validates a stored event (type, data, schema version) and returns it typed. Throws an Error
 * for an unknown type, an unknown schema version or data that does not match: a stored event
 * that fails here means a bug or tampering, not bad user input.
 */
export function parseEvent(type: string, data: unknown, schemaVersion: number): DomainEvent {
  if (!isEventType(type)) throw new Error(`unknown event type ${JSON.stringify(type)}`);
  if (schemaVersion !== EVENT_SCHEMA_VERSIONS[type]) {
    throw new Error(
      `event ${type} has schema version ${schemaVersion}; this build reads ${EVENT_SCHEMA_VERSIONS[type]}`,
    );
  }
  const parsed = EVENT_DATA_SCHEMAS[type].safeParse(data);
  if (!parsed.success) throw new Error(`event ${type} data is invalid: ${parsed.error.message}`);
  return { type, data: parsed.data } as DomainEvent;
}
