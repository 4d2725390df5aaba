/**
 * Names, in words, of the volunteer-stream events beyond service, stars and points (consents,
 * certificates, disputes, transfers): the desk's card and the volunteer's history both show them,
 * never an English event type.
 */
import type { MessageKey } from '../messages/zh-cn.js';

const MORE_EVENTS: Record<string, MessageKey> = {
  StarRatingApplied: 'vevent.StarRatingApplied',
  StarAwardFlaggedForReview: 'vevent.StarAwardFlaggedForReview',
  PointsExcessOffered: 'vevent.PointsExcessOffered',
  PointsReversed: 'vevent.PointsReversed',
  PointsExpired: 'vevent.PointsExpired',
  PointsHoldExpired: 'vevent.PointsHoldExpired',
  PointsTransferSent: 'vevent.PointsTransferSent',
  PointsTransferReceived: 'vevent.PointsTransferReceived',
  PointsDonated: 'vevent.PointsDonated',
  SpendMandateGranted: 'vevent.SpendMandateGranted',
  SpendMandateRevoked: 'vevent.SpendMandateRevoked',
  DisputeFiled: 'vevent.DisputeFiled',
  DisputeResolved: 'vevent.DisputeResolved',
  ServiceCertificateIssued: 'vevent.ServiceCertificateIssued',
};

export function moreEventKey(type: string): MessageKey | undefined {
  return MORE_EVENTS[type];
}
