/**
 * The one set of projection handlers, shared by the live projector, rebuild, verify's shadow
 * replay and as-of queries. Pure functions of (event, rows in memory): no I/O, no clock.
 */
import type { EventData, EventType } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import type { WorkingSet } from '../working-set.js';
import type { ProjectionRules } from './context.js';
import {
  applyCertificateEvent,
  applyDisputeEvent,
  wantCertificateRows,
  wantDisputeRows,
} from './dispute-handlers.js';
import { applyDueEvent, wantDueRows } from './due-handlers.js';
import { applyHierarchyEvent, recordVolunteerFact, snapshotVolunteer } from './hierarchy-handlers.js';
import { recordContributions, recordProjectFacts } from './project-handlers.js';
import { applyPointsEvent, isMovement, wantPointsRows } from './points-handlers.js';
import { applyVolunteerEvent, wantVolunteerRows } from './volunteer-handlers.js';

export { projectionRules, type ProjectionRules } from './context.js';

type Data<T extends EventType> = EventData<T>;

const VOLUNTEER_EVENTS = new Set<string>([
  'VolunteerRegistered',
  'VolunteerDeactivated',
  'ServiceHoursRecorded',
  'ServiceHoursConfirmed',
  'ServiceHoursRejected',
  'ServiceRecordCorrected',
  'ServiceRecordVoided',
  'StarRatingApplied',
  'StarRatingAwarded',
  'StarAwardFlaggedForReview',
  'StarAwardReviewResolved',
  'StarCertificationBarred',
]);
const PARTNER_EVENTS = new Set<string>(['PartnerRegistered', 'PartnerSuspended', 'PartnerReinstated']);
const ORGANISATION_EVENTS = new Set<string>([
  'OrganisationRegistered',
  'OrganisationSuspended',
  'OrganisationReinstated',
]);

/** Step one of a batch: name the rows `event` will touch so they can be loaded in bulk. */
export function wantRows(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): void {
  // Every event of a volunteer's stream may change their roll-up facts, which diff the summary.
  const volunteerId = (event.data as { volunteerId?: unknown }).volunteerId;
  if (typeof volunteerId === 'string') ws.volunteers.want(volunteerId, [volunteerId]);
  if (VOLUNTEER_EVENTS.has(event.type)) {
    wantVolunteerRows(event, ws);
  } else if (event.type === 'DisputeFiled' || event.type === 'DisputeResolved') {
    wantDisputeRows(event, ws);
  } else if (event.type === 'ServiceCertificateIssued') {
    wantCertificateRows(event, ws);
  } else if (isMovement(event.data)) {
    wantPointsRows(event, ws, rules);
    wantDueRows(event, ws);
  } else if (PARTNER_EVENTS.has(event.type)) {
    const partnerId = (event.data as { partnerId: string }).partnerId;
    ws.partners.want(partnerId, [partnerId]);
  } else if (ORGANISATION_EVENTS.has(event.type)) {
    const organisationId = (event.data as { organisationId: string }).organisationId;
    ws.organisations.want(organisationId, [organisationId]);
  } else if (event.type === 'PointsPolicyChanged' || event.type === 'PointsPolicyVersionWithdrawn') {
    const version = String((event.data as { version: number }).version);
    ws.policies.want(version, [version]);
  }
}

/**
 * Step two: apply one event to the rows in memory. Events of types this build does not project
 * (offers, star applications) change nothing; `verify` checks every event's
 * schema separately.
 */
export function applyEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): void {
  const volunteerId = (event.data as { volunteerId?: unknown }).volunteerId;
  if (typeof volunteerId === 'string') {
    const before = snapshotVolunteer(ws.volunteers.get(volunteerId));
    const contributions = recordContributions(event, ws);
    applyOtherEvent(event, ws, rules);
    recordVolunteerFact(event, ws, before, rules);
    recordProjectFacts(event, ws, contributions, rules);
    return;
  }
  if (applyHierarchyEvent(event, ws, rules)) return;
  applyOtherEvent(event, ws, rules);
}

function applyOtherEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): void {
  if (applyVolunteerEvent(event, ws, rules)) return;
  if (applyDisputeEvent(event, ws)) return;
  if (applyCertificateEvent(event, ws)) return;
  if (applyPointsEvent(event, ws, rules)) {
    applyDueEvent(event, ws);
    return;
  }
  if (applyPolicyEvent(event, ws)) return;
  switch (event.type) {
    case 'PartnerRegistered': {
      const data = event.data as unknown as Data<'PartnerRegistered'>;
      ws.partners.put(data.partnerId, {
        partner_id: data.partnerId,
        name: data.name,
        community: data.community,
        status: 'active',
        registered_at: data.registeredAt,
      });
      return;
    }
    case 'PartnerSuspended':
    case 'PartnerReinstated': {
      const partnerId = (event.data as { partnerId: string }).partnerId;
      const partner = ws.partners.get(partnerId);
      if (partner === undefined) return;
      partner.status = event.type === 'PartnerSuspended' ? 'suspended' : 'active';
      ws.partners.touch(partnerId);
      return;
    }
    case 'OrganisationRegistered': {
      const data = event.data as unknown as Data<'OrganisationRegistered'>;
      ws.organisations.put(data.organisationId, {
        organisation_id: data.organisationId,
        name: data.name,
        community: data.community,
        status: 'active',
        registered_at: data.registeredAt,
      });
      return;
    }
    case 'OrganisationSuspended':
    case 'OrganisationReinstated': {
      const organisationId = (event.data as { organisationId: string }).organisationId;
      const organisation = ws.organisations.get(organisationId);
      if (organisation === undefined) return;
      organisation.status = event.type === 'OrganisationSuspended' ? 'suspended' : 'active';
      ws.organisations.touch(organisationId);
      return;
    }
    default:
      return;
  }
}

/** The policy-points stream: each version, and a withdrawal marked on its row. True when `event` was one. */
function applyPolicyEvent(event: EventPayload, ws: WorkingSet): boolean {
  switch (event.type) {
    case 'PointsPolicyChanged': {
      const data = event.data as unknown as Data<'PointsPolicyChanged'>;
      const version = String(data.version);
      ws.policies.put(version, {
        version,
        effective_from: data.effectiveFrom,
        terms: JSON.stringify(data.terms),
        changed_at: data.changedAt,
        changed_by: data.actor.id,
        withdrawn_at: null,
        withdrawn_by: null,
        withdrawal_reason: null,
      });
      return true;
    }
    case 'PointsPolicyVersionWithdrawn': {
      const data = event.data as unknown as Data<'PointsPolicyVersionWithdrawn'>;
      const version = String(data.version);
      const policy = ws.policies.get(version);
      if (policy === undefined) return true;
      policy.withdrawn_at = data.withdrawnAt;
      policy.withdrawn_by = data.actor.id;
      policy.withdrawal_reason = data.reason;
      ws.policies.touch(version);
      return true;
    }
    default:
      return false;
  }
}
