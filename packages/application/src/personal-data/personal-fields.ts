/**
 * Which fields of which events are personal: a volunteer's name, phone, national-ID hash and
 * masked number, birth date, guardian, and free text that may name a person. Each is a path into
 * the event's data; every such event names the data subject whose key seals it (`dataSubjectOf`).
 * It must list exactly the fields the domain's event schemas mark `personal()`
 * (`personalFieldPaths`; test/personal-fields.test.ts): a field marked there and missing here
 * would be stored in plain text and outlive an erasure.
 */
import { ERASED_TEXT } from '@timebank/domain';
import type { JsonObject, JsonValue } from '@timebank/event-store';

export const PERSONAL_FIELDS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  VolunteerRegistered: [
    ['name'],
    ['nationalIdHash'],
    ['nationalIdMasked'],
    ['phone'],
    ['birthDate'],
    ['guardian', 'name'],
    ['guardian', 'contact'],
    ['platformVolunteerNumber'],
  ],
  VolunteerDeactivated: [['reason']],
  ServiceHoursRecorded: [['backdatingReason']],
  ServiceHoursRejected: [['reason']],
  ServiceRecordCorrected: [['note']],
  ServiceRecordVoided: [['note']],
  ServiceCertificateIssued: [['name'], ['nationalIdMasked']],
  // Free text that may name people: the volunteer's own words, and the answers to them.
  DisputeFiled: [['text']],
  DisputeResolved: [['reason']],
  StarAwardReviewResolved: [['reason']],
  StarCertificationBarred: [['reason']],
  // A community's coordinator (专人负责) is a data subject of their own, not a volunteer.
  CommunityRegistered: [['coordinatorName'], ['coordinatorContact']],
  // A donation-pool beneficiary is a data subject of their own, not a volunteer.
  BeneficiaryRegistered: [['name'], ['contact']],
  // A project's leading social worker, likewise a data subject of their own.
  ProjectRegistered: [['leaderName'], ['leaderContact']],
};

/**
 * Whose data key seals an event's personal fields: the volunteer's, except for events about a
 * community coordinator, sealed under `coordinator:<coordinatorId>`, and a donation-pool
 * beneficiary's registration, sealed under `beneficiary:<beneficiaryId>` so that a coordinator's key
 * can never be a volunteer's (volunteer ids have no colon) and erasing one touches only them.
 */
export function dataSubjectOf(event: { readonly type: string; readonly data: JsonObject }): string {
  if (event.type === 'CommunityRegistered') {
    const coordinatorId = event.data.coordinatorId;
    if (typeof coordinatorId !== 'string') throw new Error('CommunityRegistered has no coordinatorId');
    return `coordinator:${coordinatorId}`;
  }
  if (event.type === 'BeneficiaryRegistered') {
    const beneficiaryId = event.data.beneficiaryId;
    if (typeof beneficiaryId !== 'string') throw new Error('BeneficiaryRegistered has no beneficiaryId');
    return `beneficiary:${beneficiaryId}`;
  }
  if (event.type === 'ProjectRegistered') {
    const leaderId = event.data.leaderId;
    if (typeof leaderId !== 'string') throw new Error('ProjectRegistered has no leaderId');
    return `social-worker:${leaderId}`;
  }
  const volunteerId = event.data.volunteerId;
  if (typeof volunteerId !== 'string')
    throw new Error(`${event.type} has personal fields but no volunteerId`);
  return volunteerId;
}

export function hasPersonalFields(eventType: string): boolean {
  return Object.hasOwn(PERSONAL_FIELDS, eventType);
}

/**
 * What a field reads as once its key is destroyed: the fixed placeholder `[erased]`, except the
 * birth date, which is dropped (a later age check must not parse a placeholder as a date), and
 * the platform volunteer number, dropped as well.
 */
export function erasedReplacement(path: readonly string[]): JsonValue | undefined {
  // The platform number is an optional id whose pattern a placeholder would not match: dropped too.
  const leaf = path.at(-1);
  return leaf === 'birthDate' || leaf === 'platformVolunteerNumber' ? undefined : ERASED_TEXT;
}

/**
 * A copy of `data` with `transform` applied to every personal field that is present (`data` itself
 * when none is). `transform` returns the new value, or undefined to drop the field.
 */
export function mapPersonalFields(
  eventType: string,
  data: JsonObject,
  transform: (value: JsonValue, path: readonly string[]) => JsonValue | undefined,
): JsonObject {
  const paths = PERSONAL_FIELDS[eventType];
  // Most events of a type with personal fields carry none of its optional ones (a record without a
  // back-dating reason): nothing to transform, so no copy. Every write seals its events this way.
  if (paths === undefined || !paths.some((path) => Object.hasOwn(data, path[0]!))) return data;
  const copy = structuredClone(data);
  for (const path of paths) {
    let parent: JsonObject | undefined = copy;
    for (const step of path.slice(0, -1)) {
      const next: JsonValue | undefined = parent[step];
      parent = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : undefined;
      if (parent === undefined) break;
    }
    const leaf = path.at(-1)!;
    if (parent === undefined || !Object.hasOwn(parent, leaf)) continue;
    const value = transform(parent[leaf]!, path);
    if (value === undefined) delete parent[leaf];
    else parent[leaf] = value;
  }
  return copy;
}
