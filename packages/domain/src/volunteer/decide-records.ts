/**
 * ImportServiceRecord, RecordTraining and RecordCommendation: the record kinds that exchange with
 * the national volunteer platform brings in (docs/interchange.md).
 */
import { actsForCommunity, isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { dayNumberOf, parseCalendarDate } from '../age.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { formatInstant, parseInstant, MILLISECONDS_PER_DAY, MILLISECONDS_PER_MINUTE } from '../time.js';
import { confirmServiceHours, recordServiceHours } from './decide-service.js';
import { foldVolunteer } from './evolve.js';
import type { VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;

/**
 * Decided exactly as `RecordServiceHours` followed by `ConfirmServiceHours` under the importing
 * administrator (overlap, per-record and per-day caps, no future end, minimum age), and returned
 * as one list so that the record, its confirmation and its points are appended together or not
 * at all. Service older than the back-dating window is the administrator's override, as it is
 * over HTTP; the import's reason names the source record.
 */
export function importServiceRecord(
  command: CommandOf<'ImportServiceRecord'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, activity, organisationId, startAt, endAt, source } = command;
  if (!isAdministrator(actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator imports service recorded elsewhere');
  const beyondWindow =
    parseInstant(startAt) <
    parseInstant(context.now) - context.rules.backdatingDaysMax * MILLISECONDS_PER_DAY;
  const recorded = recordServiceHours(
    {
      type: 'RecordServiceHours',
      idempotencyKey,
      actor,
      volunteerId,
      activity,
      organisationId,
      startAt,
      endAt,
      ...(beyondWindow
        ? { backdatingReason: `imported from ${source.system} record ${source.recordId}` }
        : {}),
    },
    state,
    context,
  );
  if (recorded instanceof Error) return recorded;
  const first = recorded[0];
  if (first?.type !== 'ServiceHoursRecorded') throw new Error('RecordServiceHours decided no record');
  const withSource: DomainEvent = { type: 'ServiceHoursRecorded', data: { ...first.data, source } };
  const confirmed = confirmServiceHours(
    {
      type: 'ConfirmServiceHours',
      idempotencyKey,
      actor,
      volunteerId,
      recordId: first.data.recordId,
      qualityGrade: command.qualityGrade,
    },
    foldVolunteer([withSource], state),
    context,
  );
  if (confirmed instanceof Error) return confirmed;
  return [withSource, ...confirmed];
}

/** Today's local calendar date, `YYYY-MM-DD`, in the ledger's zone. */
function localToday(context: DecideContext): string {
  const offsetMs = context.rules.localTimeOffsetMinutes * MILLISECONDS_PER_MINUTE;
  return formatInstant(parseInstant(context.now) + offsetMs).slice(0, 10);
}

/** A training completed, or a commendation awarded, after today would print on a certificate as fact. */
function futureDate(date: string, field: 'completedOn' | 'awardedOn', context: DecideContext) {
  const today = localToday(context);
  if (date <= today) return null;
  const what =
    field === 'completedOn' ? 'a training cannot be completed' : 'a commendation cannot be awarded';
  return reject('RECORD_DATE_IN_FUTURE', `${what} after today (${today})`, { path: field });
}

/**
 * A training completed, or a commendation awarded, before the volunteer was born is a typing error
 * (a year off by a century, the birth date typed for the event) that would print on certificates
 * as fact. Checked only where the stream knows the birth date: streams registered before it was
 * kept have none (and an erased stream accepts no command, so its destroyed birth date never
 * blocks). Neither the message nor the details name the birth date, which is personal data.
 */
function beforeBirth(
  date: string,
  field: 'completedOn' | 'awardedOn',
  state: VolunteerState,
): DomainError | null {
  const day = parseCalendarDate(date);
  if (state.birthDate === null || day === undefined) return null;
  if (dayNumberOf(day) >= dayNumberOf(state.birthDate)) return null;
  const what =
    field === 'completedOn' ? 'a training cannot be completed' : 'a commendation cannot be awarded';
  return reject('RECORD_DATE_BEFORE_BIRTH', `${what} before the volunteer was born`, { path: field });
}

/** The checks a training's or commendation's date must pass: not after today, not before birth. */
function checkRecordDate(
  date: string,
  field: 'completedOn' | 'awardedOn',
  state: VolunteerState,
  context: DecideContext,
): DomainError | null {
  return futureDate(date, field, context) ?? beforeBirth(date, field, state);
}

function mayRecordFor(state: VolunteerState, command: CommandOf<'RecordTraining' | 'RecordCommendation'>) {
  return isAdministrator(command.actor) || actsForCommunity(command.actor, state.community ?? '');
}

export function recordTraining(
  command: CommandOf<'RecordTraining'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  if (!mayRecordFor(state, command))
    return reject(
      'ACTOR_NOT_PERMITTED',
      "the desk of the volunteer's community or an administrator records training",
    );
  const { idempotencyKey, actor, volunteerId, title, provider, completedOn, durationMinutes, source } =
    command;
  const badDate = checkRecordDate(completedOn, 'completedOn', state, context);
  if (badDate !== null) return badDate;
  return [
    {
      type: 'TrainingRecorded',
      data: {
        idempotencyKey,
        volunteerId,
        trainingId: context.newId(),
        title,
        provider,
        completedOn,
        durationMinutes,
        ...(source === undefined ? {} : { source }),
        recordedAt: context.now,
        actor,
      },
    },
  ];
}

export function recordCommendation(
  command: CommandOf<'RecordCommendation'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  if (!mayRecordFor(state, command))
    return reject(
      'ACTOR_NOT_PERMITTED',
      "the desk of the volunteer's community or an administrator records commendations",
    );
  const { idempotencyKey, actor, volunteerId, title, awardedBy, awardedOn, source } = command;
  const badDate = checkRecordDate(awardedOn, 'awardedOn', state, context);
  if (badDate !== null) return badDate;
  return [
    {
      type: 'CommendationRecorded',
      data: {
        idempotencyKey,
        volunteerId,
        commendationId: context.newId(),
        title,
        awardedBy,
        awardedOn,
        ...(source === undefined ? {} : { source }),
        recordedAt: context.now,
        actor,
      },
    },
  ];
}
