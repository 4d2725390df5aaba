/**
 * decide for the volunteer stream: idempotency first, then the volunteer's status, then the
 * command's own rules. Returns the new events (possibly none) or a coded DomainError; never
 * throws for bad input.
 */
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { DomainError, reject } from '../errors.js';
import type { DomainEvent, EventType } from '../events/index.js';
import {
  applyForStarRating,
  barStarCertification,
  deactivateVolunteer,
  erasePersonalData,
  registerVolunteer,
  resolveStarAwardReview,
} from './decide-registration.js';
import { issueServiceCertificate } from './decide-certificates.js';
import { BENEFICIARY_COMMANDS, receivePoolAllocation } from './decide-beneficiary.js';
import { importServiceRecord, recordCommendation, recordTraining } from './decide-records.js';
import { checkConsent, grantSpendMandate, revokeSpendMandate } from './decide-consent.js';
import { fileDispute, resolveDispute } from './decide-disputes.js';
import { expireHold, expirePoints, holdPoints, redeemPoints, resolveHold } from './decide-points.js';
import {
  confirmServiceHours,
  correctServiceRecord,
  recordServiceHours,
  rejectServiceHours,
  voidServiceRecord,
} from './decide-service.js';
import {
  donatePoints,
  receivePointsTransfer,
  refundPointsTransfer,
  transferPoints,
} from './decide-transfers.js';
import type { VolunteerState } from './state.js';

/** The event each command's success always contains; it tells a replayed command from a reused key. */
export const VOLUNTEER_COMMAND_EFFECT = {
  RegisterVolunteer: 'VolunteerRegistered',
  DeactivateVolunteer: 'VolunteerDeactivated',
  RecordServiceHours: 'ServiceHoursRecorded',
  ConfirmServiceHours: 'ServiceHoursConfirmed',
  RejectServiceHours: 'ServiceHoursRejected',
  CorrectServiceRecord: 'ServiceRecordCorrected',
  VoidServiceRecord: 'ServiceRecordVoided',
  ApplyForStarRating: 'StarRatingApplied',
  ResolveStarAwardReview: 'StarAwardReviewResolved',
  BarStarCertification: 'StarCertificationBarred',
  HoldPoints: 'PointsHeld',
  CapturePoints: 'PointsCaptured',
  ReleasePoints: 'PointsReleased',
  ExpireHold: 'PointsHoldExpired',
  RedeemPoints: 'PointsCaptured',
  ExpirePoints: 'PointsExpired',
  TransferPoints: 'PointsTransferSent',
  ReceivePointsTransfer: 'PointsTransferReceived',
  RefundPointsTransfer: 'PointsTransferRefunded',
  DonatePoints: 'PointsDonated',
  IssueServiceCertificate: 'ServiceCertificateIssued',
  ErasePersonalData: 'PersonalDataErased',
  GrantSpendMandate: 'SpendMandateGranted',
  RevokeSpendMandate: 'SpendMandateRevoked',
  FileDispute: 'DisputeFiled',
  ResolveDispute: 'DisputeResolved',
  ReceivePoolAllocation: 'PoolAllocationReceived',
  ImportServiceRecord: 'ServiceHoursConfirmed',
  RecordTraining: 'TrainingRecorded',
  RecordCommendation: 'CommendationRecorded',
} as const satisfies Record<string, EventType>;

export type VolunteerCommandType = keyof typeof VOLUNTEER_COMMAND_EFFECT;
export type VolunteerCommand = CommandOf<VolunteerCommandType>;

/** Commands that start something new need an active volunteer; resolving what exists does not. */
const NEEDS_ACTIVE: ReadonlySet<VolunteerCommandType> = new Set([
  'RecordServiceHours',
  'ImportServiceRecord',
  'ApplyForStarRating',
  'HoldPoints',
  'RedeemPoints',
  'TransferPoints',
  'DonatePoints',
  'GrantSpendMandate',
]);

/**
 * What an erased stream still accepts: settling points already in flight when the data was erased.
 * A pending hold must still be captured, released or expired, and a due lot expired, or the points
 * would stay held for ever and the clock would retry the expiry on every sweep. None of these
 * events carries a personal field, so none needs the destroyed data key.
 */
const SETTLES_AFTER_ERASURE: ReadonlySet<VolunteerCommandType> = new Set([
  'CapturePoints',
  'ReleasePoints',
  'ExpireHold',
  'ExpirePoints',
]);

/** What the stream's status refuses before any rule of the command is looked at. */
function refusedByStatus(command: VolunteerCommand, state: VolunteerState): DomainError | undefined {
  // After erasure the stream only keeps its numbers: nothing new may append to it again, so no
  // new personal data (and no new data key) can ever be tied to the erased stream.
  if (state.personalDataErased && !SETTLES_AFTER_ERASURE.has(command.type))
    return reject('VOLUNTEER_PERSONAL_DATA_ERASED', "the volunteer's personal data has been erased");
  if (state.status === 'inactive' && NEEDS_ACTIVE.has(command.type))
    return reject('VOLUNTEER_INACTIVE', 'the volunteer is inactive');
  // A beneficiary's stream only receives pool allocations and spends them (docs/domain.md).
  if (state.kind === 'beneficiary' && !BENEFICIARY_COMMANDS.has(command.type))
    return reject('BENEFICIARY_ACCOUNT_SPEND_ONLY', "a beneficiary's account only spends pool points");
  return undefined;
}

/**
 * A partner without the volunteer's consent learns nothing about them (docs/domain.md): not
 * whether they exist, nor that they are inactive or erased. Those answers came first, so a
 * partner could tell the four apart by the code; now it hears CONSENT_REQUIRED (or
 * SPEND_CODE_INVALID) as for an active volunteer, and the status only once consent is shown.
 */
function refusedWithoutConsent(
  command: VolunteerCommand,
  state: VolunteerState,
  context: DecideContext,
): DomainError | undefined {
  if (command.type !== 'HoldPoints' && command.type !== 'RedeemPoints') return undefined;
  if (command.actor.role !== 'partner' || (state.status === 'active' && !state.personalDataErased))
    return undefined;
  const consent = checkConsent(command, state, context);
  return consent instanceof DomainError ? consent : undefined;
}

export function decideVolunteer(
  command: VolunteerCommand,
  state: VolunteerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const seen = state.processedKeys.get(command.idempotencyKey);
  if (seen !== undefined) {
    if (seen.has(VOLUNTEER_COMMAND_EFFECT[command.type])) return [];
    return reject('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different command', {
      commandType: command.type,
    });
  }
  if (command.type === 'RegisterVolunteer') return registerVolunteer(command, state, context);
  if (command.type === 'ReceivePointsTransfer') return receivePointsTransfer(command, state, context);
  if (command.type === 'ReceivePoolAllocation') return receivePoolAllocation(command, state, context);
  const withoutConsent = refusedWithoutConsent(command, state, context);
  if (withoutConsent !== undefined) return withoutConsent;
  if (state.status === 'unregistered')
    return reject('VOLUNTEER_NOT_FOUND', `no volunteer ${command.volunteerId}`);
  if (state.volunteerId !== command.volunteerId)
    throw new Error('command routed to the wrong volunteer stream');
  const refused = refusedByStatus(command, state);
  if (refused !== undefined) return refused;
  switch (command.type) {
    case 'DeactivateVolunteer':
      return deactivateVolunteer(command, state, context);
    case 'RecordServiceHours':
      return recordServiceHours(command, state, context);
    case 'ConfirmServiceHours':
      return confirmServiceHours(command, state, context);
    case 'RejectServiceHours':
      return rejectServiceHours(command, state, context);
    case 'CorrectServiceRecord':
      return correctServiceRecord(command, state, context);
    case 'VoidServiceRecord':
      return voidServiceRecord(command, state, context);
    case 'HoldPoints':
      return holdPoints(command, state, context);
    case 'CapturePoints':
    case 'ReleasePoints':
      return resolveHold(command, state, context);
    case 'ExpireHold':
      return expireHold(command, state, context);
    case 'RedeemPoints':
      return redeemPoints(command, state, context);
    case 'ExpirePoints':
      return expirePoints(command, state, context);
    case 'TransferPoints':
      return transferPoints(command, state, context);
    case 'RefundPointsTransfer':
      return refundPointsTransfer(command, state, context);
    case 'DonatePoints':
      return donatePoints(command, state, context);
    case 'ErasePersonalData':
      return erasePersonalData(command, state, context);
    case 'GrantSpendMandate':
      return grantSpendMandate(command, state, context);
    case 'RevokeSpendMandate':
      // Withdrawing consent needs no active volunteer: it only ever stops spending.
      return revokeSpendMandate(command, state, context);
    case 'FileDispute':
      // An inactive volunteer may still report a wrong record of the service they gave.
      return fileDispute(command, state, context);
    case 'ResolveDispute':
      return resolveDispute(command, state, context);
    case 'IssueServiceCertificate':
      // Inactive volunteers keep their right to a certificate of the service they gave.
      return issueServiceCertificate(command, state, context);
    default:
      return decideStarsAndRecords(command, state, context);
  }
}

/**
 * Stars: applying, and the administrator's review of flagged awards and bar after fraud; and the
 * records exchanged with the national platform: imported service, training, commendations.
 */
function decideStarsAndRecords(
  command: CommandOf<
    | 'ApplyForStarRating'
    | 'ResolveStarAwardReview'
    | 'BarStarCertification'
    | 'ImportServiceRecord'
    | 'RecordTraining'
    | 'RecordCommendation'
  >,
  state: VolunteerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  switch (command.type) {
    case 'ApplyForStarRating':
      return applyForStarRating(command, state, context);
    case 'ResolveStarAwardReview':
      // Reviewing what was awarded needs no active volunteer, nor does barring after fraud.
      return resolveStarAwardReview(command, state, context);
    case 'BarStarCertification':
      return barStarCertification(command, state, context);
    case 'ImportServiceRecord':
      return importServiceRecord(command, state, context);
    case 'RecordTraining':
      // Past training and commendations stay part of an inactive volunteer's record.
      return recordTraining(command, state, context);
    case 'RecordCommendation':
      return recordCommendation(command, state, context);
  }
}
