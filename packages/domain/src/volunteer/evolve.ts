/**
 * evolve for the volunteer stream. `applyVolunteerEvent` mutates a private copy; the exported
 * `evolveVolunteer` and `foldVolunteer` never touch their input. Invariants are asserted after
 * every event: a stream that breaks them is corrupt, and folding it must crash loudly.
 */
import { ERASED_TEXT } from '../events/common.js';
import { offeredAccount } from '../accounts.js';
import { parseCalendarDate, type CalendarDate } from '../age.js';
import type { DomainEvent, EventData } from '../events/index.js';
import { parseInstant } from '../time.js';
import {
  cloneVolunteerState,
  initialVolunteerState,
  MANDATE_MINUTES_KEPT_MS,
  PROCESSED_KEYS_MAX,
  SETTLED_HOLDS_KEPT,
  type HoldState,
  type ServiceRecordState,
  type VolunteerState,
} from './state.js';

function requireRecord(state: VolunteerState, recordId: string): ServiceRecordState {
  const record = state.records.get(recordId);
  if (record === undefined) throw new Error(`event refers to unknown service record ${recordId}`);
  return record;
}

function birthDateOf(text: string): CalendarDate {
  const date = parseCalendarDate(text);
  if (date === undefined) throw new Error(`VolunteerRegistered carries an impossible birth date`);
  return date;
}

function rememberKey(state: VolunteerState, event: DomainEvent): void {
  const key = event.data.idempotencyKey;
  const types = state.processedKeys.get(key);
  if (types !== undefined) {
    types.add(event.type);
    return;
  }
  state.processedKeys.set(key, new Set([event.type]));
  if (state.processedKeys.size > PROCESSED_KEYS_MAX) {
    const oldest = state.processedKeys.keys().next();
    if (oldest.done !== true) state.processedKeys.delete(oldest.value);
  }
}

function stopCounting(state: VolunteerState, record: ServiceRecordState): void {
  if (record.status === 'confirmed') state.confirmedMinutes -= record.durationMinutes;
}

function applyServiceEvent(state: VolunteerState, event: DomainEvent): void {
  switch (event.type) {
    case 'ServiceHoursRecorded': {
      const { recordId, activity, organisationId, startAt, endAt, durationMinutes, projectId } = event.data;
      state.records.set(recordId, {
        recordId,
        activity,
        organisationId,
        projectId: projectId ?? null,
        startMs: parseInstant(startAt),
        endMs: parseInstant(endAt),
        durationMinutes,
        status: 'pending',
        qualityGrade: null,
        earnedCentipoints: 0,
        offeredCentipoints: 0,
        earnedServiceDay: null,
      });
      return;
    }
    case 'ServiceHoursConfirmed': {
      const record = requireRecord(state, event.data.recordId);
      record.status = 'confirmed';
      record.qualityGrade = event.data.qualityGrade;
      state.confirmedMinutes += record.durationMinutes;
      return;
    }
    case 'ServiceHoursRejected':
      requireRecord(state, event.data.recordId).status = 'rejected';
      return;
    case 'ServiceRecordCorrected': {
      const old = requireRecord(state, event.data.recordId);
      stopCounting(state, old);
      old.status = 'corrected';
      const { replacement } = event.data;
      state.records.set(replacement.recordId, {
        recordId: replacement.recordId,
        activity: replacement.activity,
        organisationId: replacement.organisationId,
        projectId: replacement.projectId ?? null,
        startMs: parseInstant(replacement.startAt),
        endMs: parseInstant(replacement.endAt),
        durationMinutes: replacement.durationMinutes,
        status: replacement.status,
        qualityGrade: replacement.qualityGrade,
        earnedCentipoints: 0,
        offeredCentipoints: 0,
        earnedServiceDay: null,
      });
      if (replacement.status === 'confirmed') state.confirmedMinutes += replacement.durationMinutes;
      return;
    }
    case 'ServiceRecordVoided': {
      const record = requireRecord(state, event.data.recordId);
      stopCounting(state, record);
      record.status = 'voided';
      return;
    }
    default:
      return;
  }
}

/** Star awards, their review, and a bar on certification. */
function applyStarEvent(state: VolunteerState, event: DomainEvent): void {
  switch (event.type) {
    case 'StarRatingAwarded':
      state.awards.push({
        level: event.data.level,
        effectiveAtMs: parseInstant(event.data.effectiveAt),
        flaggedForReview: false,
      });
      return;
    case 'StarAwardFlaggedForReview':
      for (const award of state.awards) if (award.level === event.data.level) award.flaggedForReview = true;
      return;
    case 'StarAwardReviewResolved': {
      const levels = new Set(event.data.levels);
      if (event.data.decision === 'revoke') {
        state.awards = state.awards.filter((award) => !levels.has(award.level));
      } else {
        for (const award of state.awards) if (levels.has(award.level)) award.flaggedForReview = false;
      }
      return;
    }
    case 'StarCertificationBarred':
      state.starBarredUntilMs = parseInstant(event.data.barredUntil);
      return;
    default:
      return;
  }
}

/**
 * Which lots an expiry took its points from. Points are spent soonest-expiring first, so what is
 * left of the lots due by the expiry's date is the latest-expiring part of them: the expired
 * amount is attributed to those lots from the latest back, each up to what expiries had not yet
 * taken from it. Replaced, not mutated: a copied state shares the lot objects.
 */
function attributeExpiry(state: VolunteerState, centipoints: number, expiredAtMs: number): void {
  if (centipoints === 0) return;
  const due = [...state.expiringLots].filter(([, lot]) => lot.expiresAtMs <= expiredAtMs);
  // Stable: lots due at the same instant keep the order they were earned in.
  due.sort(([, a], [, b]) => a.expiresAtMs - b.expiresAtMs);
  let left = centipoints;
  for (let index = due.length - 1; index >= 0 && left > 0; index -= 1) {
    const [recordId, lot] = due[index]!;
    const taken = Math.min(left, lot.centipoints - (lot.expiredCentipoints ?? 0));
    if (taken <= 0) continue;
    state.expiringLots.set(recordId, { ...lot, expiredCentipoints: (lot.expiredCentipoints ?? 0) + taken });
    left -= taken;
  }
}

/**
 * A reversal takes its `centipoints` out of the record's lot; what stays is what of the lot left
 * the volunteer by spending and expiry and was not taken back (the shortfall, the expired part).
 * That part still counts against this lot, so the spending and expiry it stands for are not
 * counted a second time against the volunteer's other lots (which would then expire that much
 * less). What the reversal took back from the volunteer's other points leaves this lot, so it
 * counts against those, soonest-expiring first, as any spending does. Replaced, not mutated: a
 * copied state shares the lot objects.
 */
function shrinkReversedLot(state: VolunteerState, recordId: string, takenCentipoints: number): void {
  const lot = state.expiringLots.get(recordId);
  if (lot === undefined) return;
  const centipoints = lot.centipoints - takenCentipoints;
  if (centipoints <= 0) {
    state.expiringLots.delete(recordId);
    return;
  }
  const expired = Math.min(lot.expiredCentipoints ?? 0, centipoints);
  state.expiringLots.set(recordId, {
    expiresAtMs: lot.expiresAtMs,
    centipoints,
    ...(lot.settled === true ? { settled: true } : {}),
    ...(expired === 0 ? {} : { expiredCentipoints: expired }),
  });
}

/** Points coming into and going out of the available balance by earning, offering, reversal and expiry. */
function applyEarningEvent(state: VolunteerState, event: DomainEvent): void {
  switch (event.type) {
    case 'PointsEarned': {
      const { recordId, centipoints, serviceDay, expiresAt } = event.data;
      const record = requireRecord(state, recordId);
      record.earnedCentipoints += centipoints;
      record.earnedServiceDay = serviceDay;
      state.availableCentipoints += centipoints;
      state.earnedByDay.set(serviceDay, (state.earnedByDay.get(serviceDay) ?? 0) + centipoints);
      if (expiresAt !== null && centipoints > 0) {
        state.expiringLots.set(recordId, { expiresAtMs: parseInstant(expiresAt), centipoints });
      }
      return;
    }
    case 'PointsExcessOffered':
      state.availableCentipoints -= event.data.centipoints;
      state.offeredCentipoints += event.data.centipoints;
      state.spentNetCentipoints += event.data.centipoints;
      requireRecord(state, event.data.recordId).offeredCentipoints += event.data.centipoints;
      return;
    case 'PointsReversed': {
      const record = requireRecord(state, event.data.recordId);
      const day = record.earnedServiceDay;
      if (day !== null)
        state.earnedByDay.set(day, (state.earnedByDay.get(day) ?? 0) - event.data.earnedCentipoints);
      record.earnedCentipoints -= event.data.earnedCentipoints;
      if (state.volunteerId !== null && event.data.fromAccount === offeredAccount(state.volunteerId)) {
        // The record's points above the cap, taken back from `offered:`: they had left the
        // available balance as spending does, so that spending is undone with them.
        state.offeredCentipoints -= event.data.centipoints;
        record.offeredCentipoints -= event.data.centipoints;
        state.spentNetCentipoints -= event.data.centipoints;
      } else {
        state.availableCentipoints -= event.data.centipoints;
        rememberRecoverableShortfall(state, event.data);
      }
      shrinkReversedLot(state, event.data.recordId, event.data.centipoints);
      return;
    }
    case 'PointsExpired': {
      state.availableCentipoints -= event.data.centipoints;
      state.expiredCentipoints += event.data.centipoints;
      attributeExpiry(state, event.data.centipoints, parseInstant(event.data.expiredAt));
      const { recordId } = event.data;
      const lot = recordId === undefined ? undefined : state.expiringLots.get(recordId);
      // Replaced, not mutated: a copied state shares the lot objects.
      if (recordId !== undefined && lot !== undefined)
        state.expiringLots.set(recordId, { ...lot, settled: true });
      return;
    }
    default:
      return;
  }
}

/**
 * A reversal's shortfall stays recoverable while holds that were pending at the reversal are
 * pending: the first reversal of a record names them, a later one of the same record (taking
 * part of the shortfall back) keeps them. With no shortfall, or no such hold, nothing is kept.
 */
function rememberRecoverableShortfall(state: VolunteerState, data: EventData<'PointsReversed'>): void {
  const known = state.recoverableShortfalls.get(data.recordId);
  const holdIds =
    known?.holdIds ??
    (data.earnedCentipoints > 0
      ? [...state.holds.values()].filter((hold) => hold.status === 'pending').map((hold) => hold.holdId)
      : []);
  if (data.shortfallCentipoints === 0 || holdIds.length === 0) {
    state.recoverableShortfalls.delete(data.recordId);
    return;
  }
  state.recoverableShortfalls.set(data.recordId, {
    reasonCode: data.reasonCode,
    centipoints: data.shortfallCentipoints,
    holdIds,
  });
}

/** A settled hold can no longer cover a shortfall: it leaves every entry, and an entry left with none goes. */
function forgetSettledHold(state: VolunteerState, holdId: string): void {
  for (const [recordId, shortfall] of state.recoverableShortfalls) {
    if (!shortfall.holdIds.includes(holdId)) continue;
    const holdIds = shortfall.holdIds.filter((id) => id !== holdId);
    if (holdIds.length === 0) state.recoverableShortfalls.delete(recordId);
    else state.recoverableShortfalls.set(recordId, { ...shortfall, holdIds });
  }
}

/** A partner's hold takes points out of the balance until it is captured, released or expires. */
function applyHoldEvent(state: VolunteerState, event: DomainEvent): void {
  switch (event.type) {
    case 'PointsHeld': {
      const { holdId, partnerId, offerId, centipoints, expiresAt, heldAt, consent } = event.data;
      state.availableCentipoints -= centipoints;
      state.heldCentipoints += centipoints;
      state.spentNetCentipoints += centipoints;
      state.holds.set(holdId, {
        holdId,
        partnerId,
        offerId,
        centipoints,
        expiresAtMs: parseInstant(expiresAt),
        heldAtMs: parseInstant(heldAt),
        consentForm: consent?.form ?? null,
        cashCopayFen: event.data.cashCopayFen ?? 0,
        status: 'pending',
      });
      if (consent?.form === 'spendCode') state.usedSpendCodeHashes.add(consent.codeHash);
      return;
    }
    case 'PointsCaptured':
    case 'PointsReleased':
    case 'PointsHoldExpired': {
      const hold = state.holds.get(event.data.holdId);
      if (hold === undefined || hold.status !== 'pending')
        throw new Error(`hold ${event.data.holdId} resolved twice or unknown`);
      state.heldCentipoints -= event.data.centipoints;
      if (event.type === 'PointsCaptured') {
        hold.status = 'captured';
      } else {
        hold.status = event.type === 'PointsReleased' ? 'released' : 'expired';
        state.availableCentipoints += event.data.centipoints;
        state.spentNetCentipoints -= event.data.centipoints;
      }
      if (state.recoverableShortfalls.size > 0) forgetSettledHold(state, hold.holdId);
      forgetOldSettledHolds(state, hold);
      return;
    }
    default:
      return;
  }
}

/**
 * Keeps the latest `SETTLED_HOLDS_KEPT` settled holds, so that the state does not grow with every
 * redemption; a dropped captured mandate hold still counts towards its partner's monthly cap.
 */
function forgetOldSettledHolds(state: VolunteerState, settled: HoldState): void {
  state.settledHoldIds.add(settled.holdId);
  for (const holdId of state.settledHoldIds) {
    if (state.settledHoldIds.size <= SETTLED_HOLDS_KEPT) break;
    const hold = state.holds.get(holdId);
    state.settledHoldIds.delete(holdId);
    state.holds.delete(holdId);
    if (hold?.status === 'captured' && hold.consentForm === 'mandate') {
      rememberMandateCapture(state, hold, settled.heldAtMs);
    }
  }
}

function rememberMandateCapture(state: VolunteerState, hold: HoldState, latestHeldAtMs: number): void {
  let minutes = state.mandateCapturedByMinute.get(hold.partnerId);
  if (minutes === undefined) {
    minutes = new Map();
    state.mandateCapturedByMinute.set(hold.partnerId, minutes);
  }
  const minute = Math.floor(hold.heldAtMs / 60_000);
  minutes.set(minute, (minutes.get(minute) ?? 0) + hold.centipoints);
  // Minutes arrive nearly in order, so the oldest are first: stop at the first one still kept.
  const oldestKeptMinute = Math.floor((latestHeldAtMs - MANDATE_MINUTES_KEPT_MS) / 60_000);
  for (const kept of minutes.keys()) {
    if (kept >= oldestKeptMinute) break;
    minutes.delete(kept);
  }
}

/** Transfers between volunteers and donations. */
function applyTransferEvent(state: VolunteerState, event: DomainEvent): void {
  switch (event.type) {
    case 'PointsTransferSent':
      state.availableCentipoints -= event.data.centipoints;
      state.spentNetCentipoints += event.data.centipoints;
      state.sentTransfers.set(event.data.transferId, {
        toVolunteerId: event.data.toVolunteerId,
        centipoints: event.data.centipoints,
        refunded: false,
      });
      return;
    case 'PointsTransferReceived':
      state.availableCentipoints += event.data.centipoints;
      state.receivedTransferIds.add(event.data.transferId);
      return;
    case 'PoolAllocationReceived':
      // The first allocation opens a beneficiary's spending account (docs/domain.md).
      if (state.status === 'unregistered') {
        state.status = 'active';
        state.kind = 'beneficiary';
        state.volunteerId = event.data.volunteerId;
        state.community = event.data.community;
      }
      state.availableCentipoints += event.data.centipoints;
      state.receivedTransferIds.add(event.data.allocationId);
      return;
    case 'PointsTransferRefunded': {
      const transfer = state.sentTransfers.get(event.data.transferId);
      if (transfer === undefined || transfer.refunded)
        throw new Error(`transfer ${event.data.transferId} refunded twice or unknown`);
      transfer.refunded = true;
      state.availableCentipoints += event.data.centipoints;
      state.spentNetCentipoints -= event.data.centipoints;
      return;
    }
    case 'PointsDonated':
      if (state.volunteerId !== null && event.data.fromAccount === offeredAccount(state.volunteerId)) {
        state.offeredCentipoints -= event.data.centipoints;
      } else {
        state.availableCentipoints -= event.data.centipoints;
        state.spentNetCentipoints += event.data.centipoints;
      }
      return;
    default:
      return;
  }
}

/** Each family of points events changes its own part of the state; the others ignore it. */
function applyPointsEvent(state: VolunteerState, event: DomainEvent): void {
  applyEarningEvent(state, event);
  applyHoldEvent(state, event);
  applyTransferEvent(state, event);
}

function assertInvariants(state: VolunteerState, event: DomainEvent): void {
  if (state.availableCentipoints < 0 || state.heldCentipoints < 0 || state.offeredCentipoints < 0) {
    throw new Error(`volunteer ${state.volunteerId} has a negative balance after ${event.type}`);
  }
  if (state.confirmedMinutes < 0)
    throw new Error(`volunteer ${state.volunteerId} has negative confirmed minutes after ${event.type}`);
}

/** Training and commendations: immutable records, kept in the order they were recorded. */
function applyRecordEvent(state: VolunteerState, event: DomainEvent): void {
  if (event.type === 'TrainingRecorded') state.trainings.push(event.data);
  else if (event.type === 'CommendationRecorded') state.commendations.push(event.data);
}

/** Applies one event to `state` in place. Only for states this module owns (fresh or cloned). */
export function applyVolunteerEvent(state: VolunteerState, event: DomainEvent): void {
  switch (event.type) {
    case 'VolunteerRegistered':
      state.status = 'active';
      state.volunteerId = event.data.volunteerId;
      state.volunteerNumber = event.data.volunteerNumber;
      state.name = event.data.name;
      state.community = event.data.community;
      state.nationalIdMasked = event.data.nationalIdMasked;
      state.platformVolunteerNumber = event.data.platformVolunteerNumber ?? null;
      state.birthDate = event.data.birthDate === undefined ? null : birthDateOf(event.data.birthDate);
      break;
    case 'VolunteerDeactivated':
      state.status = 'inactive';
      break;
    case 'PersonalDataErased':
      state.personalDataErased = true;
      state.name = ERASED_TEXT;
      state.nationalIdMasked = ERASED_TEXT;
      state.platformVolunteerNumber = null;
      state.birthDate = null;
      // Certificates are snapshots: their copies of the name and masked number go too.
      for (const [number, certificate] of state.certificates) {
        state.certificates.set(number, { ...certificate, name: ERASED_TEXT, nationalIdMasked: ERASED_TEXT });
      }
      // So are the volunteer's words in their disputes, which a state folded before erasure still holds.
      for (const [disputeId, dispute] of state.disputes) {
        state.disputes.set(disputeId, { ...dispute, text: ERASED_TEXT });
      }
      break;
    case 'SpendMandateGranted': {
      const { partnerId, monthlyCapCentipoints, endsAt } = event.data;
      const endsAtMs = endsAt === null ? null : parseInstant(endsAt);
      state.mandates.set(partnerId, { partnerId, monthlyCapCentipoints, endsAtMs });
      break;
    }
    case 'DisputeFiled': {
      const { disputeId, kind, organisationId, recordId, text } = event.data;
      state.disputes.set(disputeId, {
        disputeId,
        kind,
        organisationId,
        recordId: recordId ?? null,
        text,
        outcome: null,
      });
      break;
    }
    case 'DisputeResolved': {
      const dispute = state.disputes.get(event.data.disputeId);
      if (dispute === undefined)
        throw new Error(`dispute ${event.data.disputeId} resolved before it was filed`);
      dispute.outcome = event.data.outcome;
      break;
    }
    case 'SpendMandateRevoked':
      state.mandates.delete(event.data.partnerId);
      break;
    case 'ServiceCertificateIssued':
      if (event.data.sequence !== state.certificates.size + 1)
        throw new Error(`certificate ${event.data.certificateNumber} is out of sequence`);
      state.certificates.set(event.data.certificateNumber, event.data);
      break;
    default:
      applyServiceEvent(state, event);
      applyStarEvent(state, event);
      applyPointsEvent(state, event);
      applyRecordEvent(state, event);
  }
  rememberKey(state, event);
  assertInvariants(state, event);
}

/** evolve(state, event) → new state; the input state is left unchanged. */
export function evolveVolunteer(state: VolunteerState, event: DomainEvent): VolunteerState {
  const next = cloneVolunteerState(state);
  applyVolunteerEvent(next, event);
  return next;
}

/** Folds events onto a copy of `from` (default: the empty stream), in one pass. */
export function foldVolunteer(
  events: readonly DomainEvent[],
  from: VolunteerState = initialVolunteerState(),
): VolunteerState {
  const state = cloneVolunteerState(from);
  for (const event of events) applyVolunteerEvent(state, event);
  return state;
}
