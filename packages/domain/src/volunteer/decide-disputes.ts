/**
 * FileDispute and ResolveDispute. A dispute is the volunteer's report that a record is wrong; the
 * organising organisation resolves it by a correction, a void or a dismissal with a reason.
 * A correction or void is the ordinary `ServiceRecordCorrected` / `ServiceRecordVoided` (with
 * its point reversal and earning), decided by the same rules and appended in the same write as
 * `DisputeResolved`, so the outcome and its effect can never be seen apart.
 */
import { actsForCommunity, actsForOrganisation } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { DomainError, reject } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { recordServiceHours, correctServiceRecord, voidServiceRecord } from './decide-service.js';
import type { DisputeState, VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;

/** The volunteer in person, the desk of their community, or an administrator. */
function filesForVolunteer(command: CommandOf<'FileDispute'>, state: VolunteerState): boolean {
  const { actor } = command;
  if (actor.role === 'volunteer') return actor.id === command.volunteerId;
  return state.community !== null && actsForCommunity(actor, state.community);
}

/**
 * Whether missing hours may name this organising body: a registered organisation (a suspended one
 * too: an administrator still answers for its records), the volunteer's own community (service its
 * desk organised), or a community the hierarchy holds. Anything else would sit in the queue of an
 * organisation nobody acts for, and the volunteer would wait for an answer that never comes.
 * The context carries the named organisation's stream and the hierarchy.
 */
function organisesService(organisationId: string, state: VolunteerState, context: DecideContext): boolean {
  if (context.organisation !== undefined && context.organisation.status !== 'unregistered') return true;
  if (organisationId === state.community) return true;
  return context.hierarchy?.units.get(organisationId)?.level === 'community';
}

export function fileDispute(
  command: CommandOf<'FileDispute'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  if (!filesForVolunteer(command, state))
    return reject('ACTOR_NOT_PERMITTED', "disputes are filed by the volunteer or their community's desk");
  const { idempotencyKey, actor, volunteerId, kind, recordId, text } = command;
  let organisationId = command.organisationId;
  if (kind === 'missing_hours') {
    if (organisationId === undefined)
      return reject('DISPUTE_RECORD_REQUIRED', 'missing hours name the organisation that ran the activity');
    if (!organisesService(organisationId, state, context))
      return reject('ORGANISATION_NOT_FOUND', `no organisation or community ${organisationId}`, {
        organisationId,
      });
  } else {
    if (recordId === undefined)
      return reject('DISPUTE_RECORD_REQUIRED', `a ${kind} dispute names the disputed record`);
    const record = state.records.get(recordId);
    if (record === undefined) return reject('SERVICE_RECORD_NOT_FOUND', `no record ${recordId}`);
    // The record's own organisation answers for it, whatever the filer named.
    organisationId = record.organisationId;
  }
  const disputeId = context.newId();
  return [
    {
      type: 'DisputeFiled',
      data: {
        idempotencyKey,
        volunteerId,
        disputeId,
        kind,
        organisationId,
        ...(recordId === undefined || kind === 'missing_hours' ? {} : { recordId }),
        text,
        filedAt: context.now,
        actor,
      },
    },
  ];
}

function openDispute(
  command: CommandOf<'ResolveDispute'>,
  state: VolunteerState,
): DisputeState | DomainError {
  const dispute = state.disputes.get(command.disputeId);
  if (dispute === undefined) return reject('DISPUTE_NOT_FOUND', `no dispute ${command.disputeId}`);
  if (!actsForOrganisation(command.actor, dispute.organisationId))
    return reject('NOT_ORGANISING_ORGANISATION', 'only the organising organisation resolves its disputes');
  if (dispute.outcome !== null)
    return reject('DISPUTE_ALREADY_RESOLVED', `the dispute was ${dispute.outcome}`, {
      outcome: dispute.outcome,
    });
  return dispute;
}

/** The correction or void the outcome calls for, decided by the record rules; [] for a dismissal. */
function effectOf(
  command: CommandOf<'ResolveDispute'>,
  dispute: DisputeState,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, reason, activity, startAt, endAt } = command;
  const changes = {
    ...(activity === undefined ? {} : { activity }),
    ...(startAt === undefined ? {} : { startAt }),
    ...(endAt === undefined ? {} : { endAt }),
  };
  if (command.outcome === 'dismissed') return [];
  if (dispute.recordId === null) {
    if (
      command.outcome === 'voided' ||
      activity === undefined ||
      startAt === undefined ||
      endAt === undefined
    )
      return reject(
        'DISPUTE_OUTCOME_NOT_APPLICABLE',
        'missing hours are corrected by recording them: give activity, startAt and endAt',
      );
    const base = { idempotencyKey, actor, volunteerId, organisationId: dispute.organisationId };
    return recordServiceHours(
      { type: 'RecordServiceHours', ...base, activity, startAt, endAt },
      state,
      context,
    );
  }
  const amendment = {
    idempotencyKey,
    actor,
    volunteerId,
    recordId: dispute.recordId,
    reasonCode: 'reported_by_volunteer' as const,
    note: reason,
  };
  if (command.outcome === 'voided')
    return voidServiceRecord({ type: 'VoidServiceRecord', ...amendment }, state, context);
  if (Object.keys(changes).length === 0)
    return reject('DISPUTE_OUTCOME_NOT_APPLICABLE', 'a correction changes the activity, startAt or endAt');
  const corrected = correctServiceRecord(
    { type: 'CorrectServiceRecord', ...amendment, ...changes },
    state,
    context,
  );
  if (corrected instanceof DomainError && corrected.code === 'CORRECTION_CHANGES_NOTHING')
    return reject('DISPUTE_OUTCOME_NOT_APPLICABLE', 'the correction leaves the record as it was');
  return corrected;
}

export function resolveDispute(
  command: CommandOf<'ResolveDispute'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const dispute = openDispute(command, state);
  if (dispute instanceof Error) return dispute;
  if (command.outcome === 'dismissed' && (command.startAt ?? command.endAt ?? command.activity) !== undefined)
    return reject('DISPUTE_OUTCOME_NOT_APPLICABLE', 'a dismissal changes no record');
  const effect = effectOf(command, dispute, state, context);
  if (effect instanceof Error) return effect;
  const created = effect.find(
    (event) => event.type === 'ServiceHoursRecorded' || event.type === 'ServiceRecordCorrected',
  );
  let resultingRecordId: string | undefined;
  if (created?.type === 'ServiceHoursRecorded') resultingRecordId = created.data.recordId;
  if (created?.type === 'ServiceRecordCorrected') resultingRecordId = created.data.replacementRecordId;
  const { idempotencyKey, actor, volunteerId, disputeId, outcome, reason } = command;
  return [
    {
      type: 'DisputeResolved',
      data: {
        idempotencyKey,
        volunteerId,
        disputeId,
        outcome,
        reason,
        ...(resultingRecordId === undefined ? {} : { resultingRecordId }),
        resolvedAt: context.now,
        actor,
      },
    },
    ...effect,
  ];
}
