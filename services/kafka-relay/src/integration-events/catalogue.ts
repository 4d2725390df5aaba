/**
 * Which integration event each domain event becomes, on which topic family, at which schema
 * version. A domain event type absent from `DOMAIN_TO_INTEGRATION` is internal and never leaves
 * the ledger (registrations of partners, policy changes, reversals, donations to the pool, …).
 */
import type { z } from 'zod';
import {
  pointsCapturedV1,
  pointsEarnedV1,
  pointsExpiredV1,
  pointsHeldV1,
  pointsHoldExpiredV1,
  pointsReleasedV1,
  serviceHoursConfirmedV1,
  serviceRecordCorrectedV1,
  starRatingAwardedV1,
  transferCompletedV1,
  volunteerDataErasedV1,
  volunteerRegisteredV1,
} from './schemas.js';

/** One topic per family: `<prefix>timebank.<family>.v1`. */
export const EVENT_FAMILIES = ['volunteers', 'service-records', 'points'] as const;
export type EventFamily = (typeof EVENT_FAMILIES)[number];

export interface IntegrationEventDefinition {
  readonly type: string;
  readonly family: EventFamily;
  readonly schemaVersion: number;
  readonly schema: z.ZodType<{ volunteerId: string; partnerId?: string }>;
  /** One sentence for docs/events.md: when it is published. */
  readonly description: string;
  /**
   * Also published, unchanged, to the topic of the partner its data names (`partnerTopicFor`):
   * a partner may not see other partners' redemptions, and Kafka grants read per topic.
   */
  readonly toPartnerTopic?: true;
}

const define = (definition: IntegrationEventDefinition): IntegrationEventDefinition =>
  Object.freeze(definition);

export const INTEGRATION_EVENTS = {
  VolunteerRegistered: define({
    type: 'VolunteerRegistered',
    family: 'volunteers',
    schemaVersion: 1,
    schema: volunteerRegisteredV1,
    description: 'A volunteer was registered at a community desk. Carries no identity data.',
  }),
  VolunteerDataErased: define({
    type: 'VolunteerDataErased',
    family: 'volunteers',
    schemaVersion: 1,
    schema: volunteerDataErasedV1,
    description:
      "The volunteer's personal data was erased in the ledger: erase whatever you keep about this volunteer id.",
  }),
  StarRatingAwarded: define({
    type: 'StarRatingAwarded',
    family: 'volunteers',
    schemaVersion: 1,
    schema: starRatingAwardedV1,
    description: "A star rating was awarded on the volunteer's application.",
  }),
  ServiceHoursConfirmed: define({
    type: 'ServiceHoursConfirmed',
    family: 'service-records',
    schemaVersion: 1,
    schema: serviceHoursConfirmedV1,
    description: 'The organiser confirmed a service record; its hours now count.',
  }),
  ServiceRecordCorrected: define({
    type: 'ServiceRecordCorrected',
    family: 'service-records',
    schemaVersion: 1,
    schema: serviceRecordCorrectedV1,
    description:
      'A service record stopped counting: replaced by a corrected record, or voided (replacement null).',
  }),
  PointsEarned: define({
    type: 'PointsEarned',
    family: 'points',
    schemaVersion: 1,
    schema: pointsEarnedV1,
    description: 'Points were credited for a confirmed service record.',
  }),
  PointsHeld: define({
    type: 'PointsHeld',
    family: 'points',
    schemaVersion: 1,
    schema: pointsHeldV1,
    description: 'A partner put a hold on points for a service; they are pending until resolved.',
    toPartnerTopic: true,
  }),
  PointsCaptured: define({
    type: 'PointsCaptured',
    family: 'points',
    schemaVersion: 1,
    schema: pointsCapturedV1,
    description: 'A hold was captured: the service was delivered and the partner is owed the points.',
    toPartnerTopic: true,
  }),
  PointsReleased: define({
    type: 'PointsReleased',
    family: 'points',
    schemaVersion: 1,
    schema: pointsReleasedV1,
    description: 'A hold was released by the partner: the points are available again.',
    toPartnerTopic: true,
  }),
  PointsHoldExpired: define({
    type: 'PointsHoldExpired',
    family: 'points',
    schemaVersion: 1,
    schema: pointsHoldExpiredV1,
    description: 'A hold reached its timeout unresolved: the points are available again.',
    toPartnerTopic: true,
  }),
  PointsExpired: define({
    type: 'PointsExpired',
    family: 'points',
    schemaVersion: 1,
    schema: pointsExpiredV1,
    description: 'Earned points reached their expiry date under the points policy.',
  }),
  TransferCompleted: define({
    type: 'TransferCompleted',
    family: 'points',
    schemaVersion: 1,
    schema: transferCompletedV1,
    description: 'Points sent by one volunteer were credited to another (keyed by the receiver).',
  }),
} as const satisfies Record<string, IntegrationEventDefinition>;

export type IntegrationEventType = keyof typeof INTEGRATION_EVENTS;

export function topicFor(prefix: string, family: EventFamily): string {
  return `${prefix}timebank.${family}.v1`;
}

/** What Kafka accepts as a topic name: these characters, at most 249 of them (Kafka's `Topic.validate`). */
const KAFKA_TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The topic of one partner alone, `<prefix>timebank.partner.<partnerId>.points.v1`, which carries
 * that partner's holds and their outcomes; undefined when the partner id cannot name a topic.
 * Ledger ids may hold `:` (`ID_PATTERN` in the domain), which Kafka refuses in a topic name: a
 * send to it fails for good and would hold back every later event, so such a partner gets no topic.
 * The length cannot exceed Kafka's limit (prefix ≤ 100, id ≤ 100: 227 characters); checked anyway.
 */
export function partnerTopicFor(prefix: string, partnerId: string): string | undefined {
  const topic = `${prefix}timebank.partner.${partnerId}.points.v1`;
  return KAFKA_TOPIC_NAME.test(topic) ? topic : undefined;
}
