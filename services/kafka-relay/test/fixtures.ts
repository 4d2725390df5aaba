/**
 * Realistic domain events for the relay's tests: every one is checked against the domain's own
 * data schema before it is returned, so the tests exercise the shapes the ledger really stores.
 */
import { randomUUID } from 'node:crypto';
import {
  EVENT_DATA_SCHEMAS,
  EVENT_SCHEMA_VERSIONS,
  heldAccount,
  ISSUANCE_ACCOUNT,
  partnerAccount,
  volunteerAccount,
  volunteerStream,
  type EventType,
} from '@timebank/domain';
import type { EventStore, JsonObject, NewEvent } from '@timebank/event-store';

const actor = { id: 'desk-1', role: 'registration_desk', organisationId: 'org1' } as const;
const at = (minute: number): string => new Date(Date.UTC(2026, 2, 1, 8, minute)).toISOString();

export function domainEvent(type: EventType, data: JsonObject, correlationId = randomUUID()): NewEvent {
  EVENT_DATA_SCHEMAS[type].parse(data);
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { schemaVersion: EVENT_SCHEMA_VERSIONS[type], correlationId },
  };
}

/**
 * One volunteer's history, one append per step: registration, then `rounds` rounds of
 * record → confirm → earn → hold → capture, the holds by `partnerId`. Internal events
 * (ServiceHoursRecorded) are in it too.
 */
export function volunteerHistory(volunteerId: string, rounds: number, partnerId = 'p1'): NewEvent[] {
  const key = (step: string): { idempotencyKey: string } => ({ idempotencyKey: `${volunteerId}-${step}` });
  const events: NewEvent[] = [
    domainEvent('VolunteerRegistered', {
      ...key('register'),
      volunteerId,
      volunteerNumber: `N${volunteerId}`,
      name: 'Li Wei',
      nationalIdHash: 'ab'.repeat(32),
      nationalIdMasked: '1301**********1234',
      phone: '+8613800000000',
      community: 'Qiaoxi',
      registeredAt: at(0),
      actor,
    }),
  ];
  for (let round = 0; round < rounds; round += 1) {
    const recordId = `r${round}`;
    const holdId = `h${round}`;
    const movement = (from: string, to: string) => ({ fromAccount: from, toAccount: to, centipoints: 100 });
    events.push(
      domainEvent('ServiceHoursRecorded', {
        ...key(`record-${round}`),
        volunteerId,
        recordId,
        activity: 'Reading to the elderly',
        organisationId: 'org1',
        startAt: at(round * 2),
        endAt: at(round * 2 + 1),
        durationMinutes: 60,
        recordedAt: at(round * 2 + 1),
        actor,
      }),
      domainEvent('ServiceHoursConfirmed', {
        ...key(`confirm-${round}`),
        volunteerId,
        recordId,
        qualityGrade: 'good',
        confirmedAt: at(round * 2 + 1),
        actor,
      }),
      domainEvent('PointsEarned', {
        ...key(`earn-${round}`),
        ...movement(ISSUANCE_ACCOUNT, volunteerAccount(volunteerId)),
        volunteerId,
        recordId,
        policyVersion: 0,
        durationMinutes: 60,
        ratePerHourCentipoints: 100,
        qualityGrade: 'good',
        qualityMultiplierPercent: 100,
        uncappedCentipoints: 100,
        serviceDay: 20_513,
        expiresAt: null,
        earnedAt: at(round * 2 + 1),
      }),
      domainEvent('PointsHeld', {
        ...key(`hold-${round}`),
        ...movement(volunteerAccount(volunteerId), heldAccount(volunteerId)),
        volunteerId,
        holdId,
        partnerId,
        offerId: 'meal',
        heldAt: at(round * 2 + 1),
        expiresAt: at(round * 2 + 31),
        actor: { id: `${partnerId}-user`, role: 'partner', partnerId },
      }),
      domainEvent('PointsCaptured', {
        ...key(`capture-${round}`),
        ...movement(heldAccount(volunteerId), partnerAccount(partnerId)),
        volunteerId,
        holdId,
        partnerId,
        capturedAt: at(round * 2 + 2),
        actor: { id: `${partnerId}-user`, role: 'partner', partnerId },
      }),
    );
  }
  return events;
}

/** Appends each event of each history as its own append, interleaving the volunteers. */
export async function appendInterleaved(
  store: EventStore,
  histories: ReadonlyMap<string, NewEvent[]>,
): Promise<void> {
  const revisions = new Map<string, bigint | 'no_stream'>();
  for (const volunteerId of histories.keys()) {
    const stream = volunteerStream(volunteerId);
    const [last] = await store.readStream(stream, {
      direction: 'backwards',
      fromRevision: 'end',
      maxCount: 1,
    });
    revisions.set(stream, last?.revision ?? 'no_stream');
  }
  const longest = Math.max(...[...histories.values()].map((events) => events.length));
  for (let index = 0; index < longest; index += 1) {
    await Promise.all(
      [...histories].map(async ([volunteerId, events]) => {
        const event = events[index];
        if (event === undefined) return;
        const stream = volunteerStream(volunteerId);
        const result = await store.appendToStream(stream, [event], {
          expectedRevision: revisions.get(stream) as bigint | 'no_stream',
        });
        revisions.set(stream, result.nextExpectedRevision);
      }),
    );
  }
}

/** The family topic each published fixture type goes to; ServiceHoursRecorded is internal. */
const FAMILY_OF: Readonly<Record<string, string>> = {
  VolunteerRegistered: 'volunteers',
  ServiceHoursConfirmed: 'service-records',
  PointsEarned: 'points',
  PointsHeld: 'points',
  PointsCaptured: 'points',
};

/**
 * The ids the relay must publish, per `<topic>|<volunteer>`, in order. Kafka orders messages per
 * partition, so a volunteer's order holds within each family's topic; across families consumers
 * order by the global-position header.
 */
export function expectedIds(
  prefix: string,
  histories: ReadonlyMap<string, NewEvent[]>,
): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (const [volunteerId, events] of histories) {
    for (const event of events) {
      const family = FAMILY_OF[event.type];
      if (family === undefined) continue;
      const key = `${prefix}timebank.${family}.v1|${volunteerId}`;
      expected.set(key, [...(expected.get(key) ?? []), event.id]);
    }
  }
  return expected;
}

/** The hold events of `partnerId` the relay must publish to that partner's topic, per `<topic>|<volunteer>`, in order. */
export function expectedPartnerIds(
  prefix: string,
  partnerId: string,
  histories: ReadonlyMap<string, NewEvent[]>,
): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  const key = (volunteerId: string): string =>
    `${prefix}timebank.partner.${partnerId}.points.v1|${volunteerId}`;
  for (const [volunteerId, events] of histories) {
    for (const event of events) {
      if (event.data.partnerId !== partnerId) continue;
      expected.set(key(volunteerId), [...(expected.get(key(volunteerId)) ?? []), event.id]);
    }
  }
  return expected;
}
