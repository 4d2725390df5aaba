/**
 * Registration, service records (with corrections and voids) and stars: the volunteer summary's
 * hours and stars, the service-record read model and, through it, hours per month.
 */
import type { EventData, EventType } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import type { Row } from '../tables.js';
import { joinKey, type WorkingSet } from '../working-set.js';
import { add, corrupt, eligibleStars, localMonth, type ProjectionRules } from './context.js';

type Data<T extends EventType> = EventData<T>;

export function newVolunteerSummary(data: Data<'VolunteerRegistered'>): Row {
  return {
    volunteer_id: data.volunteerId,
    volunteer_number: data.volunteerNumber,
    community: data.community,
    status: 'active',
    registered_at: data.registeredAt,
    confirmed_minutes: 0,
    pending_minutes: 0,
    eligible_stars: 0,
    awarded_stars: 0,
    review_flag: 0,
    available_centipoints: 0,
    held_centipoints: 0,
    offered_centipoints: 0,
    earned_centipoints: 0,
    reversed_centipoints: 0,
    spent_centipoints: 0,
    donated_centipoints: 0,
    expired_centipoints: 0,
    transferred_out_centipoints: 0,
    transferred_in_centipoints: 0,
  };
}

export function requireVolunteer(ws: WorkingSet, event: EventPayload, volunteerId: string): Row {
  const row = ws.volunteers.get(volunteerId);
  if (row === undefined) throw corrupt(event, `volunteer ${volunteerId} is not registered`);
  ws.volunteers.touch(volunteerId);
  return row;
}

function requireRecord(ws: WorkingSet, event: EventPayload, volunteerId: string, recordId: string): Row {
  const key = joinKey(volunteerId, recordId);
  const row = ws.records.get(key);
  if (row === undefined) throw corrupt(event, `service record ${recordId} of ${volunteerId} is unknown`);
  ws.records.touch(key);
  return row;
}

/** Moves a record's minutes out of (sign −1) or into (+1) the volunteer's pending or confirmed total. */
function count(volunteer: Row, record: Row, sign: 1 | -1, rules: ProjectionRules): void {
  const minutes = (record.duration_minutes as number) * sign;
  if (record.status === 'pending') add(volunteer, 'pending_minutes', minutes);
  if (record.status === 'confirmed') {
    add(volunteer, 'confirmed_minutes', minutes);
    volunteer.eligible_stars = eligibleStars(volunteer.confirmed_minutes as number, rules);
  }
}

interface ServiceFields {
  readonly recordId: string;
  readonly activity: string;
  readonly organisationId: string;
  readonly projectId?: string | undefined;
  readonly startAt: string;
  readonly endAt: string;
  readonly durationMinutes: number;
}

function newRecord(volunteer: Row, fields: ServiceFields, rules: ProjectionRules): Row {
  return {
    volunteer_id: volunteer.volunteer_id ?? null,
    record_id: fields.recordId,
    organisation_id: fields.organisationId,
    project_id: fields.projectId ?? null,
    community: volunteer.community ?? null,
    activity: fields.activity,
    start_at: fields.startAt,
    end_at: fields.endAt,
    service_month: localMonth(fields.startAt, rules),
    duration_minutes: fields.durationMinutes,
    status: 'pending',
    quality_grade: null,
    recorded_at: null,
    recorded_by: null,
    confirmed_at: null,
    confirmed_by: null,
    earned_centipoints: 0,
    replaces_record_id: null,
    replaced_by_record_id: null,
    correction_reason: null,
    correction_note: null,
    corrected_at: null,
    corrected_by: null,
  };
}

/** Names the rows a volunteer event needs, before the batch is loaded. */
export function wantVolunteerRows(event: EventPayload, ws: WorkingSet): void {
  const data = event.data as { volunteerId: string; recordId?: string };
  ws.volunteers.want(data.volunteerId, [data.volunteerId]);
  if (typeof data.recordId === 'string') {
    ws.records.want(joinKey(data.volunteerId, data.recordId), [data.volunteerId, data.recordId]);
  }
  if (event.type === 'ServiceRecordCorrected') {
    const replacementId = (event.data as Data<'ServiceRecordCorrected'>).replacementRecordId;
    ws.records.want(joinKey(data.volunteerId, replacementId), [data.volunteerId, replacementId]);
  }
}

/** Applies a volunteer event; returns false when the type is not one of these. */
export function applyVolunteerEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): boolean {
  switch (event.type) {
    case 'VolunteerRegistered': {
      const data = event.data as unknown as Data<'VolunteerRegistered'>;
      if (ws.volunteers.get(data.volunteerId) !== undefined) {
        throw corrupt(event, `volunteer ${data.volunteerId} registered twice`);
      }
      ws.volunteers.put(data.volunteerId, newVolunteerSummary(data));
      return true;
    }
    case 'VolunteerDeactivated': {
      const data = event.data as unknown as Data<'VolunteerDeactivated'>;
      requireVolunteer(ws, event, data.volunteerId).status = 'inactive';
      return true;
    }
    case 'StarRatingApplied':
      requireVolunteer(ws, event, (event.data as unknown as Data<'StarRatingApplied'>).volunteerId);
      return true;
    case 'StarRatingAwarded': {
      const data = event.data as unknown as Data<'StarRatingAwarded'>;
      const volunteer = requireVolunteer(ws, event, data.volunteerId);
      volunteer.awarded_stars = Math.max(volunteer.awarded_stars as number, data.level);
      return true;
    }
    case 'StarAwardFlaggedForReview': {
      const data = event.data as unknown as Data<'StarAwardFlaggedForReview'>;
      requireVolunteer(ws, event, data.volunteerId).review_flag = 1;
      return true;
    }
    case 'StarAwardReviewResolved': {
      // Every flagged award is resolved at once; the event names the highest award left.
      const data = event.data as unknown as Data<'StarAwardReviewResolved'>;
      const volunteer = requireVolunteer(ws, event, data.volunteerId);
      volunteer.review_flag = 0;
      volunteer.awarded_stars = data.awardedLevelAfter;
      return true;
    }
    case 'StarCertificationBarred':
      requireVolunteer(ws, event, (event.data as unknown as Data<'StarCertificationBarred'>).volunteerId);
      return true;
    default:
      return applyServiceRecordEvent(event, ws, rules);
  }
}

/** Applies a service record event; returns false when the type is not one of these. */
function applyServiceRecordEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): boolean {
  switch (event.type) {
    case 'ServiceHoursRecorded': {
      const data = event.data as unknown as Data<'ServiceHoursRecorded'>;
      const volunteer = requireVolunteer(ws, event, data.volunteerId);
      const key = joinKey(data.volunteerId, data.recordId);
      if (ws.records.get(key) !== undefined) throw corrupt(event, `record ${data.recordId} recorded twice`);
      const record = ws.records.put(key, newRecord(volunteer, data, rules));
      record.recorded_at = data.recordedAt;
      record.recorded_by = data.actor.id;
      count(volunteer, record, 1, rules);
      return true;
    }
    case 'ServiceHoursConfirmed': {
      const data = event.data as unknown as Data<'ServiceHoursConfirmed'>;
      const volunteer = requireVolunteer(ws, event, data.volunteerId);
      const record = requireRecord(ws, event, data.volunteerId, data.recordId);
      count(volunteer, record, -1, rules);
      record.status = 'confirmed';
      record.quality_grade = data.qualityGrade;
      record.confirmed_at = data.confirmedAt;
      record.confirmed_by = data.actor.id;
      count(volunteer, record, 1, rules);
      return true;
    }
    case 'ServiceHoursRejected': {
      const data = event.data as unknown as Data<'ServiceHoursRejected'>;
      const volunteer = requireVolunteer(ws, event, data.volunteerId);
      const record = requireRecord(ws, event, data.volunteerId, data.recordId);
      count(volunteer, record, -1, rules);
      record.status = 'rejected';
      record.correction_note = data.reason;
      record.corrected_at = data.rejectedAt;
      record.corrected_by = data.actor.id;
      return true;
    }
    case 'ServiceRecordCorrected':
      applyCorrection(event, ws, rules);
      return true;
    case 'ServiceRecordVoided': {
      const data = event.data as unknown as Data<'ServiceRecordVoided'>;
      const volunteer = requireVolunteer(ws, event, data.volunteerId);
      const record = requireRecord(ws, event, data.volunteerId, data.recordId);
      count(volunteer, record, -1, rules);
      record.status = 'voided';
      record.correction_reason = data.reasonCode;
      record.correction_note = data.note;
      record.corrected_at = data.voidedAt;
      record.corrected_by = data.actor.id;
      return true;
    }
    default:
      return false;
  }
}

/** The old record stops counting and keeps a link to its replacement, which starts counting. */
function applyCorrection(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): void {
  const data = event.data as unknown as Data<'ServiceRecordCorrected'>;
  const volunteer = requireVolunteer(ws, event, data.volunteerId);
  const old = requireRecord(ws, event, data.volunteerId, data.recordId);
  count(volunteer, old, -1, rules);
  old.status = 'corrected';
  old.replaced_by_record_id = data.replacementRecordId;
  old.correction_reason = data.reasonCode;
  old.correction_note = data.note;
  old.corrected_at = data.correctedAt;
  old.corrected_by = data.actor.id;
  const key = joinKey(data.volunteerId, data.replacementRecordId);
  if (ws.records.get(key) !== undefined)
    throw corrupt(event, `replacement ${data.replacementRecordId} exists`);
  const replacement = ws.records.put(
    key,
    newRecord(volunteer, { ...data.replacement, recordId: data.replacementRecordId }, rules),
  );
  replacement.status = data.replacement.status;
  replacement.quality_grade = data.replacement.qualityGrade;
  replacement.recorded_at = data.correctedAt;
  replacement.recorded_by = data.actor.id;
  if (data.replacement.status === 'confirmed') {
    replacement.confirmed_at = data.correctedAt;
    replacement.confirmed_by = data.actor.id;
  }
  replacement.replaces_record_id = data.recordId;
  replacement.correction_reason = data.reasonCode;
  replacement.correction_note = data.note;
  count(volunteer, replacement, 1, rules);
}
