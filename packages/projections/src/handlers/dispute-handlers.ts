/**
 * Two small indexes over the volunteer streams. The dispute queue: each organisation's disputes, open until resolved. The volunteer's words
 * are sealed personal data, so the queue keeps only what routes a dispute (who, which record,
 * when, what kind); the API opens the text from the volunteer's stream when it shows the queue.
 */
import type { EventData } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import { joinKey, type WorkingSet } from '../working-set.js';

export function wantDisputeRows(event: EventPayload, ws: WorkingSet): void {
  if (event.type !== 'DisputeFiled' && event.type !== 'DisputeResolved') return;
  const data = event.data as { volunteerId: string; disputeId: string };
  ws.disputes.want(joinKey(data.volunteerId, data.disputeId), [data.volunteerId, data.disputeId]);
}

/** Keeps the queue; a no-op for other events. */
export function applyDisputeEvent(event: EventPayload, ws: WorkingSet): boolean {
  if (event.type === 'DisputeFiled') {
    const data = event.data as unknown as EventData<'DisputeFiled'>;
    ws.disputes.put(joinKey(data.volunteerId, data.disputeId), {
      volunteer_id: data.volunteerId,
      dispute_id: data.disputeId,
      organisation_id: data.organisationId,
      kind: data.kind,
      record_id: data.recordId ?? null,
      filed_at: data.filedAt,
      status: 'open',
      outcome: null,
      resulting_record_id: null,
      resolved_at: null,
    });
    return true;
  }
  if (event.type !== 'DisputeResolved') return false;
  const data = event.data as unknown as EventData<'DisputeResolved'>;
  const key = joinKey(data.volunteerId, data.disputeId);
  const row = ws.disputes.get(key);
  if (row === undefined) return true;
  row.status = 'resolved';
  row.outcome = data.outcome;
  row.resulting_record_id = data.resultingRecordId ?? null;
  row.resolved_at = data.resolvedAt;
  ws.disputes.touch(key);
  return true;
}

/** The certificate index: number → volunteer, for the public verification of numbers that name nobody. */
export function wantCertificateRows(event: EventPayload, ws: WorkingSet): void {
  if (event.type !== 'ServiceCertificateIssued') return;
  const number = (event.data as { certificateNumber: string }).certificateNumber;
  ws.certificates.want(number, [number]);
}

export function applyCertificateEvent(event: EventPayload, ws: WorkingSet): boolean {
  if (event.type !== 'ServiceCertificateIssued') return false;
  const data = event.data as unknown as EventData<'ServiceCertificateIssued'>;
  ws.certificates.put(data.certificateNumber, {
    certificate_number: data.certificateNumber,
    volunteer_id: data.volunteerId,
    issued_at: data.issuedAt,
  });
  return true;
}
