/**
 * Project statistics facts: per event that changes whether a service record counts as
 * confirmed, one row per record with the change in confirmed minutes and records, attributed to
 * the record's organisation, its project ('' for none) and the local day of the event. Statistics
 * as of a date sum the rows up to that day, so a later void or correction never changes an
 * earlier day's figures.
 */
import type { EventPayload } from '@timebank/event-store';
import type { Row } from '../tables.js';
import { joinKey, type WorkingSet } from '../working-set.js';
import type { ProjectionRules } from './context.js';
import { localDay } from './hierarchy-handlers.js';

/** Events that may change a record's confirmed status, with the field holding their instant. */
const RECORD_STATUS_EVENTS: Readonly<Record<string, string>> = {
  ServiceHoursConfirmed: 'confirmedAt',
  ServiceRecordCorrected: 'correctedAt',
  ServiceRecordVoided: 'voidedAt',
};

interface Contribution {
  readonly minutes: number;
  readonly records: number;
}

export type RecordContributions = ReadonlyMap<string, Contribution>;

function recordKeysOf(event: EventPayload): string[] {
  const data = event.data as { volunteerId?: unknown; recordId?: unknown; replacementRecordId?: unknown };
  if (typeof data.volunteerId !== 'string') return [];
  const keys: string[] = [];
  for (const recordId of [data.recordId, data.replacementRecordId])
    if (typeof recordId === 'string') keys.push(joinKey(data.volunteerId, recordId));
  return keys;
}

function contributionOf(row: Row | undefined): Contribution {
  if (row?.status !== 'confirmed') return { minutes: 0, records: 0 };
  return { minutes: Number(row.duration_minutes ?? 0), records: 1 };
}

/** Before the event is applied: how much each of its records counts now. */
export function recordContributions(event: EventPayload, ws: WorkingSet): RecordContributions | null {
  if (!Object.hasOwn(RECORD_STATUS_EVENTS, event.type)) return null;
  return new Map(recordKeysOf(event).map((key) => [key, contributionOf(ws.records.get(key))]));
}

/** After the event is applied: one fact per record whose contribution changed. */
export function recordProjectFacts(
  event: EventPayload,
  ws: WorkingSet,
  before: RecordContributions | null,
  rules: ProjectionRules,
): void {
  if (before === null) return;
  const at = (event.data as Record<string, unknown>)[RECORD_STATUS_EVENTS[event.type]!];
  if (typeof at !== 'string') return;
  for (const [key, was] of before) {
    const row = ws.records.get(key);
    if (row === undefined) continue;
    const now = contributionOf(row);
    if (now.minutes === was.minutes && now.records === was.records) continue;
    ws.projectFacts.put(joinKey(String(event.position), String(row.record_id)), {
      position: String(event.position),
      record_id: String(row.record_id),
      volunteer_id: String(row.volunteer_id),
      organisation_id: String(row.organisation_id),
      project_id: typeof row.project_id === 'string' ? row.project_id : '',
      day: localDay(at, rules),
      confirmed_minutes: now.minutes - was.minutes,
      confirmed_records: now.records - was.records,
    });
  }
}
