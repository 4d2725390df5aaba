/**
 * The ledger's event catalogue: every event type that any part of the ledger appends to the
 * store, with its data schema, schema version, stream and writer. The domain's events are most
 * of it; the API also stores its access keys and idempotency records as events in the same
 * hash-chained log, so an auditor's verifier must know those too.
 *
 * Writers take their type names and versions from here, the store the API appends through
 * refuses a type that is not here, and the verifier, the export's offline check and
 * docs/event-catalogue.md read it: one list, so none of them can drift from what is written.
 */
import type { z } from 'zod';
import { ACCESS_KEY_EVENT_DATA, ACCESS_KEYS_STREAM } from './access-key-events.js';
import { HIERARCHY_EVENT_DATA } from './hierarchy-events.js';
import { PROJECT_EVENT_DATA } from './project-events.js';
import { CERTIFICATE_EVENT_DATA } from './certificate-events.js';
import { MANDATE_EVENT_DATA, SPEND_CODE_EVENT_DATA } from './consent-events.js';
import { DISPUTE_EVENT_DATA } from './dispute-events.js';
import { IDEMPOTENCY_EVENT_DATA, IDEMPOTENCY_STREAM_PREFIX } from './idempotency-events.js';
import { EVENT_SCHEMA_VERSIONS, isEventType, parseEvent, type DomainEvent, type EventType } from './index.js';
import { DONATION_POOL_EVENT_DATA, POINTS_EVENT_DATA } from './points-events.js';
import { ORGANISATION_EVENT_DATA, PARTNER_EVENT_DATA, POLICY_EVENT_DATA } from './registry-events.js';
import {
  VOLUNTEER_CREDENTIAL_EVENT_DATA,
  VOLUNTEER_CREDENTIALS_STREAM_PREFIX,
  type VolunteerCredentialEventType,
} from './volunteer-credential-events.js';
import { VOLUNTEER_EVENT_DATA } from './volunteer-events.js';
import {
  DONATION_POOL_STREAM,
  HIERARCHY_STREAM,
  PROJECT_STREAM_PREFIX,
  ORGANISATION_STREAM_PREFIX,
  PARTNER_STREAM_PREFIX,
  POLICY_STREAM,
  SPEND_CODE_STREAM_PREFIX,
  VOLUNTEER_STREAM_PREFIX,
} from '../streams.js';

export * from './access-key-events.js';
export * from './idempotency-events.js';
export * from './volunteer-credential-events.js';

export interface CatalogueEntry {
  readonly type: string;
  /** Version of the data's shape, kept in each stored event's `metadata.schemaVersion`. */
  readonly schemaVersion: number;
  readonly data: z.ZodType;
  /** The stream (or stream family) the type is appended to, as docs show it. */
  readonly stream: string;
  /** Which part of the ledger appends it. */
  readonly writer: string;
}

const COMMAND_HANDLER = 'command handler (`packages/application`)';
const KEY_REGISTRY = 'API key registry (`services/ledger-api/src/auth/api-keys.ts`)';
const CREDENTIAL_STORE = 'volunteer credentials (`services/ledger-api/src/auth/volunteer-credentials.ts`)';
const IDEMPOTENCY_RECORDS = 'idempotency records (`services/ledger-api/src/http/idempotency.ts`)';

export type AccessKeyEventType = keyof typeof ACCESS_KEY_EVENT_DATA;
export type IdempotencyEventType = keyof typeof IDEMPOTENCY_EVENT_DATA;
export type LedgerEventType =
  EventType | AccessKeyEventType | VolunteerCredentialEventType | IdempotencyEventType;

/** Version of every non-domain event's data schema; same rule as `EVENT_SCHEMA_VERSIONS`. */
const SERVICE_EVENT_SCHEMA_VERSION = 1;

function family(
  schemas: Readonly<Record<string, z.ZodType>>,
  stream: string,
  writer: string,
): CatalogueEntry[] {
  return Object.entries(schemas).map(([type, data]) => ({
    type,
    schemaVersion: isEventType(type) ? EVENT_SCHEMA_VERSIONS[type] : SERVICE_EVENT_SCHEMA_VERSION,
    data,
    stream,
    writer,
  }));
}

/** Every event type, in the order docs list them: domain streams first, then the API's own. */
export const LEDGER_EVENT_CATALOGUE: readonly CatalogueEntry[] = Object.freeze([
  ...family(VOLUNTEER_EVENT_DATA, `${VOLUNTEER_STREAM_PREFIX}<volunteerId>`, COMMAND_HANDLER),
  ...family(POINTS_EVENT_DATA, `${VOLUNTEER_STREAM_PREFIX}<volunteerId>`, COMMAND_HANDLER),
  ...family(CERTIFICATE_EVENT_DATA, `${VOLUNTEER_STREAM_PREFIX}<volunteerId>`, COMMAND_HANDLER),
  ...family(MANDATE_EVENT_DATA, `${VOLUNTEER_STREAM_PREFIX}<volunteerId>`, COMMAND_HANDLER),
  ...family(DISPUTE_EVENT_DATA, `${VOLUNTEER_STREAM_PREFIX}<volunteerId>`, COMMAND_HANDLER),
  ...family(SPEND_CODE_EVENT_DATA, `${SPEND_CODE_STREAM_PREFIX}<hmac-sha-256>`, COMMAND_HANDLER),
  ...family(PARTNER_EVENT_DATA, `${PARTNER_STREAM_PREFIX}<partnerId>`, COMMAND_HANDLER),
  ...family(ORGANISATION_EVENT_DATA, `${ORGANISATION_STREAM_PREFIX}<organisationId>`, COMMAND_HANDLER),
  ...family(POLICY_EVENT_DATA, POLICY_STREAM, COMMAND_HANDLER),
  ...family(DONATION_POOL_EVENT_DATA, DONATION_POOL_STREAM, COMMAND_HANDLER),
  ...family(HIERARCHY_EVENT_DATA, HIERARCHY_STREAM, COMMAND_HANDLER),
  ...family(PROJECT_EVENT_DATA, `${PROJECT_STREAM_PREFIX}<projectId>`, COMMAND_HANDLER),
  ...family(ACCESS_KEY_EVENT_DATA, ACCESS_KEYS_STREAM, KEY_REGISTRY),
  ...family(
    VOLUNTEER_CREDENTIAL_EVENT_DATA,
    `${VOLUNTEER_CREDENTIALS_STREAM_PREFIX}<volunteerNumber>`,
    CREDENTIAL_STORE,
  ),
  ...family(IDEMPOTENCY_EVENT_DATA, `${IDEMPOTENCY_STREAM_PREFIX}<sha-256>`, IDEMPOTENCY_RECORDS),
]);

const BY_TYPE: ReadonlyMap<string, CatalogueEntry> = new Map(
  LEDGER_EVENT_CATALOGUE.map((entry) => [entry.type, entry]),
);

export function isLedgerEventType(type: string): type is LedgerEventType {
  return BY_TYPE.has(type);
}

/** The schema version a writer stores for `type`; throws for a type outside the catalogue. */
export function ledgerEventSchemaVersion(type: LedgerEventType): number {
  const entry = BY_TYPE.get(type);
  if (entry === undefined) throw new Error(`event type ${JSON.stringify(type)} is not in the catalogue`);
  return entry.schemaVersion;
}

export type LedgerEvent =
  | DomainEvent
  | {
      [T in AccessKeyEventType]: {
        readonly type: T;
        readonly data: z.infer<(typeof ACCESS_KEY_EVENT_DATA)[T]>;
      };
    }[AccessKeyEventType]
  | {
      [T in VolunteerCredentialEventType]: {
        readonly type: T;
        readonly data: z.infer<(typeof VOLUNTEER_CREDENTIAL_EVENT_DATA)[T]>;
      };
    }[VolunteerCredentialEventType]
  | {
      [T in IdempotencyEventType]: {
        readonly type: T;
        readonly data: z.infer<(typeof IDEMPOTENCY_EVENT_DATA)[T]>;
      };
    }[IdempotencyEventType];

/**
 * Validates any stored event against the catalogue and returns it typed. Throws an Error for a
 * type outside the catalogue, an unknown schema version or data that does not match: like
 * `parseEvent`, a stored event that fails here means a bug or tampering, not bad user input.
 */
export function parseLedgerEvent(type: string, data: unknown, schemaVersion: number): LedgerEvent {
  if (isEventType(type)) return parseEvent(type, data, schemaVersion);
  const entry = BY_TYPE.get(type);
  if (entry === undefined) throw new Error(`unknown event type ${JSON.stringify(type)}`);
  if (schemaVersion !== entry.schemaVersion) {
    throw new Error(
      `event ${type} has schema version ${schemaVersion}; this build reads ${entry.schemaVersion}`,
    );
  }
  const parsed = entry.data.safeParse(data);
  if (!parsed.success) throw new Error(`event ${type} data is invalid: ${parsed.error.message}`);
  return { type, data: parsed.data } as LedgerEvent;
}
