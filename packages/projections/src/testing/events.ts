/**
 * Builders of valid domain events for tests and the benchmark: every one passes the domain's
 * zod schema (verify checks that), with readable defaults a test overrides where it matters.
 */
import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMA_VERSIONS,
  heldAccount,
  partnerAccount,
  volunteerAccount,
  type Actor,
  type EventData,
  type EventType,
} from '@timebank/domain';
import type { JsonObject, NewEvent } from '@timebank/event-store';

export const DESK: Actor = { id: 'desk-1', role: 'registration_desk', organisationId: 'org-1' };
export const ORGANISER: Actor = { id: 'organiser-1', role: 'organiser', organisationId: 'org-1' };
export const ADMIN: Actor = { id: 'admin-1', role: 'administrator' };
export const partnerActor = (partnerId: string): Actor => ({
  id: `${partnerId}-till`,
  role: 'partner',
  partnerId,
});

/** A domain event ready to append, with a fresh id and its schema version. */
export function newEvent<T extends EventType>(type: T, data: EventData<T>): NewEvent {
  return {
    id: randomUUID(),
    type,
    data: data as unknown as JsonObject,
    metadata: { schemaVersion: EVENT_SCHEMA_VERSIONS[type] },
  };
}

let keyCounter = 0;
const key = (): string => `key-${(keyCounter += 1)}`;

/** Builders as plain functions (no `this`), so they can be picked and passed around. */
export const build = {
  registered: (volunteerId: string, at: string, community = 'community-a'): NewEvent => {
    return newEvent('VolunteerRegistered', {
      idempotencyKey: key(),
      volunteerId,
      volunteerNumber: `N${volunteerId}`,
      name: `Volunteer ${volunteerId}`,
      nationalIdHash: '0123456789abcdef0123456789abcdef',
      nationalIdMasked: '1301**********1234',
      phone: '+8613000000000',
      community,
      registeredAt: at,
      actor: DESK,
    });
  },
  recorded: (
    volunteerId: string,
    recordId: string,
    startAt: string,
    endAt: string,
    durationMinutes: number,
  ): NewEvent => {
    return newEvent('ServiceHoursRecorded', {
      idempotencyKey: key(),
      volunteerId,
      recordId,
      activity: 'Meal delivery',
      organisationId: 'org-1',
      startAt,
      endAt,
      durationMinutes,
      recordedAt: endAt,
      actor: ORGANISER,
    });
  },
  confirmed: (volunteerId: string, recordId: string, at: string): NewEvent => {
    return newEvent('ServiceHoursConfirmed', {
      idempotencyKey: key(),
      volunteerId,
      recordId,
      qualityGrade: 'standard',
      confirmedAt: at,
      actor: ORGANISER,
    });
  },
  earned: (
    volunteerId: string,
    recordId: string,
    centipoints: number,
    at: string,
    policyVersion = 0,
  ): NewEvent => {
    return newEvent('PointsEarned', {
      idempotencyKey: key(),
      fromAccount: 'issuance',
      toAccount: volunteerAccount(volunteerId),
      centipoints,
      volunteerId,
      recordId,
      policyVersion,
      durationMinutes: 60,
      ratePerHourCentipoints: 100,
      qualityGrade: 'standard',
      qualityMultiplierPercent: 100,
      uncappedCentipoints: centipoints,
      serviceDay: 20_454,
      expiresAt: null,
      earnedAt: at,
    });
  },
  held: (
    volunteerId: string,
    holdId: string,
    partnerId: string,
    centipoints: number,
    at: string,
    expiresAt: string,
  ): NewEvent => {
    return newEvent('PointsHeld', {
      idempotencyKey: key(),
      fromAccount: volunteerAccount(volunteerId),
      toAccount: heldAccount(volunteerId),
      centipoints,
      volunteerId,
      holdId,
      partnerId,
      offerId: 'offer-1',
      heldAt: at,
      expiresAt,
      actor: partnerActor(partnerId),
    });
  },
  captured: (
    volunteerId: string,
    holdId: string,
    partnerId: string,
    centipoints: number,
    at: string,
  ): NewEvent => {
    return newEvent('PointsCaptured', {
      idempotencyKey: key(),
      fromAccount: heldAccount(volunteerId),
      toAccount: partnerAccount(partnerId),
      centipoints,
      volunteerId,
      holdId,
      partnerId,
      capturedAt: at,
      actor: partnerActor(partnerId),
    });
  },
  released: (
    volunteerId: string,
    holdId: string,
    partnerId: string,
    centipoints: number,
    at: string,
  ): NewEvent => {
    return newEvent('PointsReleased', {
      idempotencyKey: key(),
      fromAccount: heldAccount(volunteerId),
      toAccount: volunteerAccount(volunteerId),
      centipoints,
      volunteerId,
      holdId,
      partnerId,
      releasedAt: at,
      actor: partnerActor(partnerId),
    });
  },
  holdExpired: (
    volunteerId: string,
    holdId: string,
    partnerId: string,
    centipoints: number,
    at: string,
  ): NewEvent => {
    return newEvent('PointsHoldExpired', {
      idempotencyKey: key(),
      fromAccount: heldAccount(volunteerId),
      toAccount: volunteerAccount(volunteerId),
      centipoints,
      volunteerId,
      holdId,
      partnerId,
      expiredAt: at,
    });
  },
  transferSent: (
    volunteerId: string,
    transferId: string,
    toVolunteerId: string,
    centipoints: number,
    at: string,
  ): NewEvent => {
    return newEvent('PointsTransferSent', {
      idempotencyKey: key(),
      fromAccount: volunteerAccount(volunteerId),
      toAccount: 'in-transit',
      centipoints,
      volunteerId,
      transferId,
      toVolunteerId,
      sentAt: at,
      actor: DESK,
    });
  },
  transferReceived: (
    volunteerId: string,
    transferId: string,
    fromVolunteerId: string,
    centipoints: number,
    at: string,
  ): NewEvent => {
    return newEvent('PointsTransferReceived', {
      idempotencyKey: key(),
      fromAccount: 'in-transit',
      toAccount: volunteerAccount(volunteerId),
      centipoints,
      volunteerId,
      transferId,
      fromVolunteerId,
      receivedAt: at,
    });
  },
  transferRefunded: (volunteerId: string, transferId: string, centipoints: number, at: string): NewEvent => {
    return newEvent('PointsTransferRefunded', {
      idempotencyKey: key(),
      fromAccount: 'in-transit',
      toAccount: volunteerAccount(volunteerId),
      centipoints,
      volunteerId,
      transferId,
      reasonCode: 'VOLUNTEER_INACTIVE',
      refundedAt: at,
    });
  },
  partnerRegistered: (partnerId: string, at: string): NewEvent => {
    return newEvent('PartnerRegistered', {
      idempotencyKey: key(),
      partnerId,
      name: `Partner ${partnerId}`,
      community: 'community-a',
      registeredAt: at,
      actor: ADMIN,
    });
  },
};
