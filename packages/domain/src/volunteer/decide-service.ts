/** RecordServiceHours, ConfirmServiceHours, RejectServiceHours, CorrectServiceRecord, VoidServiceRecord. */
import { actsForOrganisation } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { formatInstant, parseInstant } from '../time.js';
import { foldVolunteer } from './evolve.js';
import { pointsReversed } from './reversal.js';
import { earningEvents, type Earning } from './earning.js';
import { checkServiceInterval, type ServiceInterval } from './intake.js';
import type { ServiceRecordState, VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;

export function recordServiceHours(
  command: CommandOf<'RecordServiceHours'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, activity, organisationId } = command;
  if (!actsForOrganisation(actor, organisationId)) {
    return reject('NOT_ORGANISING_ORGANISATION', 'only the organising organisation records its service', {
      organisationId,
    });
  }
  const { projectId } = command;
  if (projectId !== undefined) {
    const invalid = checkProject(projectId, organisationId, context);
    if (invalid !== null) return invalid;
  }
  const nowMs = parseInstant(context.now);
  const { backdatingReason } = command;
  const interval = checkServiceInterval({
    state,
    rules: context.rules,
    nowMs,
    request: {
      actor,
      rawStartMs: parseInstant(command.startAt),
      rawEndMs: parseInstant(command.endAt),
      replacingRecordId: null,
      backdatingReason,
    },
  });
  if (interval instanceof Error) return interval;
  const recordId = context.newId();
  if (state.records.has(recordId))
    return reject('SERVICE_RECORD_ALREADY_EXISTS', `record ${recordId} exists`);
  return [
    {
      type: 'ServiceHoursRecorded',
      data: {
        idempotencyKey,
        volunteerId,
        recordId,
        activity,
        organisationId,
        ...(projectId === undefined ? {} : { projectId }),
        startAt: formatInstant(interval.startMs),
        endAt: formatInstant(interval.endMs),
        durationMinutes: interval.durationMinutes,
        recordedAt: context.now,
        actor,
        ...(backdatingReason === undefined ? {} : { backdatingReason }),
      },
    },
  ];
}

/** A record may name a project only if the project exists and belongs to the organising organisation. */
export function checkProject(
  projectId: string,
  organisationId: string,
  context: DecideContext,
): DomainError | null {
  const project = context.project;
  if (project?.projectId !== projectId)
    return reject('PROJECT_NOT_FOUND', `no project ${projectId}`, { projectId });
  if (project.organisationId !== organisationId) {
    return reject(
      'PROJECT_ORGANISATION_MISMATCH',
      `project ${projectId} is not run by organisation ${organisationId}`,
      {
        projectId,
        organisationId,
      },
    );
  }
  return null;
}

function pendingRecord(
  state: VolunteerState,
  command: CommandOf<'ConfirmServiceHours' | 'RejectServiceHours'>,
): ServiceRecordState | DomainError {
  const record = state.records.get(command.recordId);
  if (record === undefined) return reject('SERVICE_RECORD_NOT_FOUND', `no record ${command.recordId}`);
  if (!actsForOrganisation(command.actor, record.organisationId)) {
    return reject(
      'NOT_ORGANISING_ORGANISATION',
      'only the organising organisation confirms or rejects its records',
    );
  }
  if (record.status !== 'pending')
    return reject('SERVICE_RECORD_NOT_PENDING', `record is ${record.status}`, { status: record.status });
  return record;
}

export function confirmServiceHours(
  command: CommandOf<'ConfirmServiceHours'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const record = pendingRecord(state, command);
  if (record instanceof Error) return record;
  const { idempotencyKey, actor, volunteerId, recordId, qualityGrade } = command;
  return [
    {
      type: 'ServiceHoursConfirmed',
      data: { idempotencyKey, volunteerId, recordId, qualityGrade, confirmedAt: context.now, actor },
    },
    ...earningEvents(state, { record, qualityGrade, idempotencyKey }, context),
  ];
}

export function rejectServiceHours(
  command: CommandOf<'RejectServiceHours'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const record = pendingRecord(state, command);
  if (record instanceof Error) return record;
  const { idempotencyKey, actor, volunteerId, recordId, reason } = command;
  return [
    {
      type: 'ServiceHoursRejected',
      data: { idempotencyKey, volunteerId, recordId, reason, rejectedAt: context.now, actor },
    },
  ];
}

type Amendment = CommandOf<'CorrectServiceRecord' | 'VoidServiceRecord'>;

function liveRecord(state: VolunteerState, command: Amendment): ServiceRecordState | DomainError {
  const record = state.records.get(command.recordId);
  if (record === undefined) return reject('SERVICE_RECORD_NOT_FOUND', `no record ${command.recordId}`);
  if (!actsForOrganisation(command.actor, record.organisationId)) {
    return reject('NOT_ORGANISING_ORGANISATION', 'only the organising organisation corrects its records');
  }
  if (record.status !== 'pending' && record.status !== 'confirmed') {
    return reject('SERVICE_RECORD_CLOSED', `record is ${record.status}; amend its replacement instead`, {
      status: record.status,
    });
  }
  return record;
}

/**
 * Takes back the old record's points, as far as they are still available; the rest is a recorded
 * shortfall. What expiries already took from the record's points is not taken again: those points
 * left the volunteer once (to `expired`), and taking them a second time would come out of the
 * volunteer's other points, which may never expire.
 */
function reversalEvents(
  state: VolunteerState,
  record: ServiceRecordState,
  command: Amendment,
  context: DecideContext,
): DomainEvent[] {
  if (record.earnedCentipoints === 0 || state.volunteerId === null) return [];
  const lot = state.expiringLots.get(record.recordId);
  const expired = Math.min(record.earnedCentipoints, lot?.expiredCentipoints ?? 0);
  const claim = record.earnedCentipoints - expired;
  // The record's points that went to `offered:` above the cap come back from there (as far as they
  // were not donated), not out of the volunteer's spendable points, which other records earned.
  const fromOffered = Math.min(record.offeredCentipoints, state.offeredCentipoints, claim);
  const centipoints = Math.min(claim - fromOffered, state.availableCentipoints);
  const base = {
    idempotencyKey: command.idempotencyKey,
    volunteerId: state.volunteerId,
    recordId: record.recordId,
    reasonCode: command.reasonCode,
    reversedAt: context.now,
  };
  return [
    pointsReversed({
      ...base,
      centipoints,
      earnedCentipoints: record.earnedCentipoints,
      shortfallCentipoints: claim - fromOffered - centipoints,
      expiredCentipoints: expired,
    }),
    ...(fromOffered === 0 ? [] : [pointsReversed({ ...base, centipoints: fromOffered, from: 'offered' })]),
  ];
}

/** A drop below an awarded level flags the award for review; it is never silently removed. */
function reviewFlags(
  after: VolunteerState,
  recordId: string,
  command: Amendment,
  context: DecideContext,
): DomainEvent[] {
  const thresholds = context.rules.starThresholdsHours;
  return after.awards
    .filter((award) => !award.flaggedForReview)
    .flatMap((award) => {
      const thresholdMinutes = (thresholds[award.level - 1] ?? Number.POSITIVE_INFINITY) * 60;
      if (after.confirmedMinutes >= thresholdMinutes || after.volunteerId === null) return [];
      return [
        {
          type: 'StarAwardFlaggedForReview' as const,
          data: {
            idempotencyKey: command.idempotencyKey,
            volunteerId: after.volunteerId,
            level: award.level,
            confirmedMinutes: after.confirmedMinutes,
            thresholdMinutes,
            recordId,
            flaggedAt: context.now,
          },
        },
      ];
    });
}

/** The corrected times, each defaulting to the old record's, checked as a new record would be. */
function correctedInterval(
  command: CommandOf<'CorrectServiceRecord'>,
  state: VolunteerState,
  old: ServiceRecordState,
  context: DecideContext,
): ServiceInterval | DomainError {
  const startMs = command.startAt === undefined ? old.startMs : parseInstant(command.startAt);
  const endMs = command.endAt === undefined ? old.endMs : parseInstant(command.endAt);
  // A correction's note is its recorded reason, so it also serves as the back-dating reason.
  return checkServiceInterval({
    state,
    rules: context.rules,
    nowMs: parseInstant(context.now),
    request: {
      actor: command.actor,
      rawStartMs: startMs,
      rawEndMs: endMs,
      replacingRecordId: old.recordId,
      backdatingReason: command.note === '' ? undefined : command.note,
    },
  });
}

/**
 * A correction closes the record and every certificate covering it then verifies as amended, so one
 * that leaves activity, organisation, start and end as they were is refused rather than recorded.
 */
function changesNothing(
  command: CommandOf<'CorrectServiceRecord'>,
  old: ServiceRecordState,
  organisationId: string,
): DomainError | undefined {
  const same = (at: string | undefined, ms: number): boolean => at === undefined || parseInstant(at) === ms;
  if (
    (command.activity ?? old.activity) !== old.activity ||
    organisationId !== old.organisationId ||
    !same(command.startAt, old.startMs) ||
    !same(command.endAt, old.endMs)
  )
    return undefined;
  return reject(
    'CORRECTION_CHANGES_NOTHING',
    'a correction changes the activity, organisation, start or end of the record',
    { recordId: old.recordId },
  );
}

export function correctServiceRecord(
  command: CommandOf<'CorrectServiceRecord'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const old = liveRecord(state, command);
  if (old instanceof Error) return old;
  const organisationId = command.organisationId ?? old.organisationId;
  if (!actsForOrganisation(command.actor, organisationId)) {
    return reject(
      'NOT_ORGANISING_ORGANISATION',
      'a record can only be moved to an organisation the actor acts for',
    );
  }
  const unchanged = changesNothing(command, old, organisationId);
  if (unchanged !== undefined) return unchanged;
  const interval = correctedInterval(command, state, old, context);
  if (interval instanceof Error) return interval;
  const replacementRecordId = context.newId();
  if (state.records.has(replacementRecordId))
    return reject('SERVICE_RECORD_ALREADY_EXISTS', `record ${replacementRecordId} exists`);
  const { idempotencyKey, actor, volunteerId, reasonCode, note } = command;
  const status = old.status === 'confirmed' ? ('confirmed' as const) : ('pending' as const);
  const events: DomainEvent[] = [
    {
      type: 'ServiceRecordCorrected',
      data: {
        idempotencyKey,
        volunteerId,
        recordId: old.recordId,
        replacementRecordId,
        replacement: {
          recordId: replacementRecordId,
          activity: command.activity ?? old.activity,
          organisationId,
          // A project belongs to one organisation: a record moved to another leaves its project.
          ...(old.projectId !== null && organisationId === old.organisationId
            ? { projectId: old.projectId }
            : {}),
          startAt: formatInstant(interval.startMs),
          endAt: formatInstant(interval.endMs),
          durationMinutes: interval.durationMinutes,
          status,
          qualityGrade: status === 'confirmed' ? old.qualityGrade : null,
        },
        reasonCode,
        note,
        correctedAt: context.now,
        actor,
      },
    },
    ...reversalEvents(state, old, command, context),
  ];
  if (status === 'confirmed') {
    const replacement = {
      recordId: replacementRecordId,
      startMs: interval.startMs,
      durationMinutes: interval.durationMinutes,
    };
    events.push(
      ...reEarning(
        state,
        events,
        { record: replacement, qualityGrade: old.qualityGrade ?? 'standard', idempotencyKey },
        context,
      ),
    );
  }
  return [...events, ...reviewFlags(foldVolunteer(events, state), old.recordId, command, context)];
}

/** A confirmed replacement earns its points anew, less what the old record's reversal left (below). */
function reEarning(
  state: VolunteerState,
  events: readonly DomainEvent[],
  earning: Earning,
  context: DecideContext,
): DomainEvent[] {
  const reversed = foldVolunteer(events, state);
  const earned = earningEvents(reversed, earning, context);
  const after = foldVolunteer(earned, reversed);
  return [...earned, ...shortfallRecovery({ before: reversed, after }, [...events, ...earned], context)];
}

/**
 * The old record's points that its reversal could not take back (already spent) come out of the
 * replacement's points, as a second reversal of the old record that reverses no earning of its
 * own (`earnedCentipoints` 0). Without it a correction of spent points earned them anew: a
 * volunteer could spend a record's points, have it corrected, and spend them again. What even
 * the replacement cannot cover stays a recorded shortfall, as for a void. Likewise the old
 * record's points that had expired: the replacement earns them anew, and they come out of its
 * points (never out of the volunteer's others), so a correction does not bring expired points back.
 */
function shortfallRecovery(
  { before, after }: { readonly before: VolunteerState; readonly after: VolunteerState },
  events: readonly DomainEvent[],
  context: DecideContext,
): DomainEvent[] {
  const reversal = events.find((event) => event.type === 'PointsReversed');
  if (reversal?.type !== 'PointsReversed' || after.volunteerId === null) return [];
  const { shortfallCentipoints, recordId } = reversal.data;
  const shortfallTaken = Math.min(shortfallCentipoints, after.availableCentipoints);
  // What the replacement's earning added to the available points (its excess above the cap went to `offered`).
  const replacementCredit = Math.max(0, after.availableCentipoints - before.availableCentipoints);
  const expiredTaken = Math.max(
    0,
    Math.min(
      reversal.data.expiredCentipoints ?? 0,
      replacementCredit - shortfallTaken,
      after.availableCentipoints - shortfallTaken,
    ),
  );
  const centipoints = shortfallTaken + expiredTaken;
  if (centipoints === 0) return [];
  return [
    pointsReversed({
      idempotencyKey: reversal.data.idempotencyKey,
      volunteerId: after.volunteerId,
      recordId,
      centipoints,
      shortfallCentipoints: shortfallCentipoints - shortfallTaken,
      reasonCode: reversal.data.reasonCode,
      reversedAt: context.now,
    }),
  ];
}

export function voidServiceRecord(
  command: CommandOf<'VoidServiceRecord'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const record = liveRecord(state, command);
  if (record instanceof Error) return record;
  const { idempotencyKey, actor, volunteerId, recordId, reasonCode, note } = command;
  const events: DomainEvent[] = [
    {
      type: 'ServiceRecordVoided',
      data: { idempotencyKey, volunteerId, recordId, reasonCode, note, voidedAt: context.now, actor },
    },
    ...reversalEvents(state, record, command, context),
  ];
  return [...events, ...reviewFlags(foldVolunteer(events, state), recordId, command, context)];
}
