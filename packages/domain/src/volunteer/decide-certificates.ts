/**
 * IssueServiceCertificate: a numbered, verifiable snapshot of a volunteer's confirmed service,
 * issued free on request by the desk of the volunteer's community (or an administrator). It
 * states only what the ledger holds as confirmed ("truthfully"): pending, rejected, voided and
 * corrected records never count, a correction's replacement does.
 */
import { dayNumberOf } from '../age.js';
import { actsForCommunity } from '../authority.js';
import { certificateNumberV2For } from '../certificate-number.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent, EventData } from '../events/index.js';
import { formatInstant, localDayOf, MILLISECONDS_PER_MINUTE, parseInstant } from '../time.js';
import type { ServiceRecordState, VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;
type Activity = EventData<'ServiceCertificateIssued'>['activities'][number];

/**
 * Records one certificate may cover: 5,000. Each costs about 40 bytes of record id in the event,
 * so the event stays far below the store's 1 MiB limit; 5,000 records are more than a decade of
 * weekly service. A longer history is certified in periods. A constant, not configuration:
 * it bounds the size of an event, which must not depend on the deployment.
 */
export const CERTIFICATE_RECORDS_MAX = 5_000;

function coveredRecords(state: VolunteerState, fromMs: number, untilMs: number): ServiceRecordState[] {
  return [...state.records.values()]
    .filter((record) => record.status === 'confirmed' && record.startMs >= fromMs && record.startMs < untilMs)
    .sort((a, b) => a.startMs - b.startMs || (a.recordId < b.recordId ? -1 : 1));
}

/** The content of service: minutes per activity and organisation, in order of first service. */
function summariseActivities(records: readonly ServiceRecordState[]): Activity[] {
  const byActivity = new Map<string, Activity>();
  for (const record of records) {
    const key = `${record.organisationId}\n${record.activity}`;
    const seen = byActivity.get(key);
    const endAt = formatInstant(record.endMs);
    if (seen === undefined) {
      byActivity.set(key, {
        activity: record.activity,
        organisationId: record.organisationId,
        durationMinutes: record.durationMinutes,
        recordCount: 1,
        firstStartAt: formatInstant(record.startMs),
        lastEndAt: endAt,
      });
    } else {
      byActivity.set(key, {
        ...seen,
        durationMinutes: seen.durationMinutes + record.durationMinutes,
        recordCount: seen.recordCount + 1,
        lastEndAt: endAt > seen.lastEndAt ? endAt : seen.lastEndAt,
      });
    }
  }
  return [...byActivity.values()];
}

export function issueServiceCertificate(
  command: CommandOf<'IssueServiceCertificate'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, issuer } = command;
  const community = state.community;
  if (community === null) throw new Error('a registered volunteer has no community');
  if (!actsForCommunity(actor, community))
    return reject('ACTOR_NOT_PERMITTED', "certificates are issued by the desk of the volunteer's community");
  const fromMs = command.serviceFrom === undefined ? -Infinity : parseInstant(command.serviceFrom);
  const untilMs = command.serviceUntil === undefined ? Infinity : parseInstant(command.serviceUntil);
  if (fromMs >= untilMs)
    return reject('CERTIFICATE_PERIOD_INVALID', 'the service period must start before it ends');
  // A period from before the volunteer was born certifies nothing and printed years like 1年.
  if (
    state.birthDate !== null &&
    fromMs !== -Infinity &&
    localDayOf(fromMs, context.rules.localTimeOffsetMinutes) < dayNumberOf(state.birthDate)
  )
    return reject(
      'CERTIFICATE_PERIOD_INVALID',
      'the service period cannot start before the volunteer was born',
    );
  const records = coveredRecords(state, fromMs, untilMs);
  if (records.length === 0)
    return reject('NO_CERTIFIABLE_SERVICE', 'the volunteer has no confirmed service in this period');
  if (records.length > CERTIFICATE_RECORDS_MAX) {
    return reject('CERTIFICATE_TOO_MANY_RECORDS', 'certify this service in shorter periods', {
      recordCount: records.length,
      recordsMax: CERTIFICATE_RECORDS_MAX,
    });
  }
  if (state.volunteerNumber === null || state.name === null || state.nationalIdMasked === null)
    throw new Error('a registered volunteer lacks the fields a certificate shows');
  const sequence = state.certificates.size + 1;
  // An erased coordinator is named on no new certificate: it shows the issuer's person in charge
  // (the desk's text) instead of a placeholder that no later command could ever replace.
  const communityCoordinatorId = context.hierarchy?.units.get(community)?.coordinatorId;
  const coordinatorId =
    communityCoordinatorId === undefined ||
    context.hierarchy?.coordinators.get(communityCoordinatorId)?.erased === true
      ? undefined
      : communityCoordinatorId;
  const nowMs = parseInstant(context.now);
  const localNow = nowMs + context.rules.localTimeOffsetMinutes * MILLISECONDS_PER_MINUTE;
  return [
    {
      type: 'ServiceCertificateIssued',
      data: {
        idempotencyKey,
        volunteerId,
        certificateNumber: certificateNumberV2For(context.newId()),
        sequence,
        volunteerNumber: state.volunteerNumber,
        name: state.name,
        idType: 'resident_identity_card',
        nationalIdMasked: state.nationalIdMasked,
        community,
        serviceFrom: command.serviceFrom ?? null,
        serviceUntil: command.serviceUntil ?? null,
        confirmedMinutes: records.reduce((sum, record) => sum + record.durationMinutes, 0),
        recordIds: records.map((record) => record.recordId),
        activities: summariseActivities(records),
        issuer,
        ...(coordinatorId === undefined ? {} : { personInChargeCoordinatorId: coordinatorId }),
        issuedAt: context.now,
        issueDate: formatInstant(localNow).slice(0, 10),
        actor,
      },
    },
  ];
}

/**
 * Covered records that no longer count as they did at issue (voided, corrected): a verifier
 * should know the certificate states hours that were later amended. The certificate itself is
 * never changed.
 */
export function amendedCertificateRecords(state: VolunteerState, certificateNumber: string): string[] {
  const certificate = state.certificates.get(certificateNumber);
  if (certificate === undefined) return [];
  return certificate.recordIds.filter((recordId) => state.records.get(recordId)?.status !== 'confirmed');
}
