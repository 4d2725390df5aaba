/**
 * Maps a stored domain event to at most one integration event: one message on its family's
 * topic and, for a hold or its outcome, the same message on the partner's own topic. Pure apart
 * from the record lookup that ServiceHoursConfirmed needs (the domain event names the record;
 * consumers want its times and minutes). The candidate data is validated against the integration schema: data that
 * fails it is reported as `invalid`, never published.
 */
import type { JsonObject, JsonValue, RecordedEvent } from '@timebank/event-store';
import { INTEGRATION_EVENTS, partnerTopicFor, topicFor, type IntegrationEventType } from './catalogue.js';

/** What the relay hands to the publisher: one Kafka message. */
export interface IntegrationMessage {
  readonly topic: string;
  /** The volunteer id: Kafka keeps order per key, so each volunteer's events stay in order. */
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Set on the copy for a partner's own topic, so that metrics count each event once. */
  readonly partnerCopy?: true;
}

/** The service record fields a confirmation needs, found in the volunteer's stream. */
export interface ServiceRecordFacts {
  readonly organisationId: JsonValue | undefined;
  readonly startAt: JsonValue | undefined;
  readonly endAt: JsonValue | undefined;
  readonly durationMinutes: JsonValue | undefined;
}

export type FindServiceRecord = (
  volunteerId: string,
  recordId: string,
) => Promise<ServiceRecordFacts | undefined>;

export type MapResult =
  | { readonly kind: 'internal' }
  | {
      readonly kind: 'publish';
      /** The message on the event family's topic. */
      readonly message: IntegrationMessage;
      /** The same message on the partner's own topic, for events with `toPartnerTopic`. */
      readonly partnerMessage: IntegrationMessage | undefined;
      /** The event's partner when its id cannot name a topic: no `partnerMessage`; the relay warns. */
      readonly partnerWithoutTopic: string | undefined;
    }
  | { readonly kind: 'invalid'; readonly integrationType: IntegrationEventType; readonly issues: string };

type Candidate = { readonly type: IntegrationEventType; readonly data: Record<string, unknown> };

const text = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : '');
const object = (value: JsonValue | undefined): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};

function hold(data: JsonObject, at: string): Record<string, unknown> {
  return {
    volunteerId: data.volunteerId,
    holdId: data.holdId,
    partnerId: data.partnerId,
    centipoints: data.centipoints,
    [at]: data[at],
  };
}

/** The optional cash co-payment (低偿): carried only when the event has one, so older consumers see no change. */
function cashOf(data: JsonObject): { cashCopayFen?: unknown } {
  return data.cashCopayFen === undefined ? {} : { cashCopayFen: data.cashCopayFen };
}

/** The form of a hold's consent, never its code hash: consumers learn how, not which code. */
function consentFormOf(consent: unknown): string {
  if (typeof consent !== 'object' || consent === null) return 'none';
  const form = (consent as Record<string, unknown>).form;
  return typeof form === 'string' ? form : 'none';
}

type CandidateOf = (data: JsonObject) => Candidate;

/** Volunteers and their service records, apart from the confirmation (which needs a lookup). */
const SERVICE_CANDIDATES: ReadonlyArray<readonly [string, CandidateOf]> = [
  [
    'VolunteerRegistered',
    (d) => ({
      type: 'VolunteerRegistered',
      data: { volunteerId: d.volunteerId, community: d.community, registeredAt: d.registeredAt },
    }),
  ],
  [
    'PersonalDataErased',
    (d) => ({ type: 'VolunteerDataErased', data: { volunteerId: d.volunteerId, erasedAt: d.erasedAt } }),
  ],
  [
    'StarRatingAwarded',
    (d) => ({
      type: 'StarRatingAwarded',
      data: {
        volunteerId: d.volunteerId,
        level: d.level,
        awardedAt: d.awardedAt,
        effectiveAt: d.effectiveAt,
      },
    }),
  ],
  [
    'ServiceRecordCorrected',
    (d) => ({
      type: 'ServiceRecordCorrected',
      data: {
        volunteerId: d.volunteerId,
        recordId: d.recordId,
        replacementRecordId: d.replacementRecordId,
        durationMinutes: object(d.replacement).durationMinutes,
        reasonCode: d.reasonCode,
        correctedAt: d.correctedAt,
      },
    }),
  ],
  [
    'ServiceRecordVoided',
    (d) => ({
      type: 'ServiceRecordCorrected',
      data: {
        volunteerId: d.volunteerId,
        recordId: d.recordId,
        replacementRecordId: null,
        durationMinutes: null,
        reasonCode: d.reasonCode,
        correctedAt: d.voidedAt,
      },
    }),
  ],
];

/** Points and transfers: each maps field by field from the domain event alone. */
const POINTS_CANDIDATES: ReadonlyArray<readonly [string, CandidateOf]> = [
  [
    'PointsEarned',
    (d) => ({
      type: 'PointsEarned',
      data: {
        volunteerId: d.volunteerId,
        recordId: d.recordId,
        centipoints: d.centipoints,
        policyVersion: d.policyVersion,
        earnedAt: d.earnedAt,
        expiresAt: d.expiresAt,
      },
    }),
  ],
  [
    'PointsHeld',
    (d) => ({
      type: 'PointsHeld',
      data: {
        ...hold(d, 'heldAt'),
        offerId: d.offerId,
        expiresAt: d.expiresAt,
        consentForm: consentFormOf(d.consent),
        ...cashOf(d),
      },
    }),
  ],
  ['PointsCaptured', (d) => ({ type: 'PointsCaptured', data: { ...hold(d, 'capturedAt'), ...cashOf(d) } })],
  ['PointsReleased', (d) => ({ type: 'PointsReleased', data: hold(d, 'releasedAt') })],
  ['PointsHoldExpired', (d) => ({ type: 'PointsHoldExpired', data: hold(d, 'expiredAt') })],
  [
    'PointsExpired',
    (d) => ({
      type: 'PointsExpired',
      data: { volunteerId: d.volunteerId, centipoints: d.centipoints, expiredAt: d.expiredAt },
    }),
  ],
  [
    'PointsTransferReceived',
    (d) => ({
      type: 'TransferCompleted',
      data: {
        volunteerId: d.volunteerId,
        transferId: d.transferId,
        fromVolunteerId: d.fromVolunteerId,
        centipoints: d.centipoints,
        completedAt: d.receivedAt,
      },
    }),
  ],
];

/** A Map, not an object literal, so that an event type such as `toString` finds nothing. */
const CANDIDATES: ReadonlyMap<string, CandidateOf> = new Map([...SERVICE_CANDIDATES, ...POINTS_CANDIDATES]);

/** Consumers want the confirmed record's times and minutes, which only the record event holds. */
async function confirmationCandidate(d: JsonObject, findRecord: FindServiceRecord): Promise<Candidate> {
  const record = await findRecord(text(d.volunteerId), text(d.recordId));
  return {
    type: 'ServiceHoursConfirmed',
    data: {
      volunteerId: d.volunteerId,
      recordId: d.recordId,
      organisationId: record?.organisationId,
      startAt: record?.startAt,
      endAt: record?.endAt,
      durationMinutes: record?.durationMinutes,
      qualityGrade: d.qualityGrade,
      confirmedAt: d.confirmedAt,
    },
  };
}

/** Header names every message carries; consumers deduplicate on `event-id`. */
export const HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  globalPosition: 'global-position',
  correlationId: 'correlation-id',
} as const;

/**
 * Maps one event. Synchronous unless the event needs a record lookup (ServiceHoursConfirmed):
 * the relay maps tens of thousands of events a second, and a promise per event was measurable.
 */
export function mapEvent(
  event: RecordedEvent,
  topicPrefix: string,
  findRecord: FindServiceRecord,
): MapResult | Promise<MapResult> {
  if (event.type === 'ServiceHoursConfirmed') {
    return confirmationCandidate(event.data, findRecord).then((candidate) =>
      toResult(event, topicPrefix, candidate),
    );
  }
  const candidate = CANDIDATES.get(event.type)?.(event.data);
  return candidate === undefined ? INTERNAL : toResult(event, topicPrefix, candidate);
}

const INTERNAL: MapResult = Object.freeze({ kind: 'internal' });

function toResult(event: RecordedEvent, topicPrefix: string, candidate: Candidate): MapResult {
  const definition = INTEGRATION_EVENTS[candidate.type];
  const parsed = definition.schema.safeParse(candidate.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    return { kind: 'invalid', integrationType: candidate.type, issues: issues.join('; ') };
  }
  const position = event.position.toString();
  const message: IntegrationMessage = {
    topic: topicFor(topicPrefix, definition.family),
    key: parsed.data.volunteerId,
    value: JSON.stringify({
      id: event.id,
      type: definition.type,
      schemaVersion: definition.schemaVersion,
      position,
      occurredAt: event.recordedAt,
      data: parsed.data,
    }),
    headers: {
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: definition.type,
      [HEADERS.schemaVersion]: String(definition.schemaVersion),
      [HEADERS.globalPosition]: position,
      // An event without a correlation id starts its own chain, as EventStoreDB's convention has it.
      [HEADERS.correlationId]: event.metadata.correlationId ?? event.id,
    },
  };
  const partnerId = 'toPartnerTopic' in definition ? parsed.data.partnerId : undefined;
  if (partnerId === undefined) {
    return { kind: 'publish', message, partnerMessage: undefined, partnerWithoutTopic: undefined };
  }
  const partnerTopic = partnerTopicFor(topicPrefix, partnerId);
  return partnerTopic === undefined
    ? { kind: 'publish', message, partnerMessage: undefined, partnerWithoutTopic: partnerId }
    : {
        kind: 'publish',
        message,
        partnerMessage: { ...message, topic: partnerTopic, partnerCopy: true },
        partnerWithoutTopic: undefined,
      };
}
