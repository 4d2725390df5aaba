/**
 * The roll-up read model: the administrative hierarchy with each unit's parent over time, and
 * per event what it changed about one volunteer (registration, confirmed minutes, points, star
 * level), attributed to the volunteer's community and local day. Statistics as of a date sum the
 * facts up to that day and place each community under the street it was on that day.
 */
import { formatInstant, MILLISECONDS_PER_DAY, parseInstant, type EventData } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import type { Row } from '../tables.js';
import { joinKey, type WorkingSet } from '../working-set.js';
import type { ProjectionRules } from './context.js';

/**
 * Local days already formatted, by day number (days since the epoch, local): a replay puts a fact
 * on nearly every event, over a few thousand distinct days, and formatting each one dominated the
 * fact's cost. Bounded at 100,000 entries (~270 years of days), then started afresh.
 */
const dayTexts = new Map<number, string>();
const DAY_TEXTS_MAX = 100_000;

/** The local calendar day (`2026-03-10`) an instant falls in. */
export function localDay(instant: string, rules: ProjectionRules): string {
  // Every instant is parsed in full, so a malformed one still fails here.
  const day = Math.floor(
    (parseInstant(instant) + rules.localTimeOffsetMinutes * 60_000) / MILLISECONDS_PER_DAY,
  );
  const cached = dayTexts.get(day);
  if (cached !== undefined) return cached;
  const text = formatInstant(day * MILLISECONDS_PER_DAY).slice(0, 10);
  if (dayTexts.size >= DAY_TEXTS_MAX) dayTexts.clear();
  dayTexts.set(day, text);
  return text;
}

interface Link {
  readonly unitId: string;
  readonly parentId: string;
  /** From this instant on. */
  readonly at: string;
}

function link(ws: WorkingSet, { unitId, parentId, at }: Link, rules: ProjectionRules): void {
  ws.adminLinks.put(joinKey(unitId, at), {
    unit_id: unitId,
    valid_from: at,
    valid_day: localDay(at, rules),
    parent_id: parentId,
  });
}

/** Applies a hierarchy event; returns false when the type is not one of these. */
export function applyHierarchyEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): boolean {
  switch (event.type) {
    case 'AreaRegistered': {
      const data = event.data as unknown as EventData<'AreaRegistered'>;
      const at = data.registeredAt;
      ws.adminUnits.put(data.areaId, {
        unit_id: data.areaId,
        level: data.level,
        name: data.name,
        registered_at: at,
        registered_day: localDay(at, rules),
      });
      if (data.parentId !== null) link(ws, { unitId: data.areaId, parentId: data.parentId, at }, rules);
      return true;
    }
    case 'CommunityRegistered': {
      const data = event.data as unknown as EventData<'CommunityRegistered'>;
      const at = data.registeredAt;
      ws.adminUnits.put(data.communityId, {
        unit_id: data.communityId,
        level: 'community',
        name: data.name,
        registered_at: at,
        registered_day: localDay(at, rules),
      });
      link(ws, { unitId: data.communityId, parentId: data.streetId, at }, rules);
      return true;
    }
    case 'CommunityMoved': {
      const data = event.data as unknown as EventData<'CommunityMoved'>;
      link(ws, { unitId: data.communityId, parentId: data.toStreetId, at: data.movedAt }, rules);
      return true;
    }
    default:
      return false;
  }
}

/**
 * The instant an event happened, by its own field: the first of these the data has. Stored
 * events carry no clock of the store's, and a replay must attribute each fact to the same day.
 */
const OCCURRED_AT_FIELDS = [
  'confirmedAt',
  'registeredAt',
  'deactivatedAt',
  'rejectedAt',
  'correctedAt',
  'voidedAt',
  'earnedAt',
  'reversedAt',
  'capturedAt',
  'releasedAt',
  'expiredAt',
  'donatedAt',
  'sentAt',
  'receivedAt',
  'refundedAt',
  'offeredAt',
  'heldAt',
  'awardedAt',
  'appliedAt',
  'flaggedAt',
  'erasedAt',
  'recordedAt',
] as const;

function occurredAt(data: Readonly<Record<string, unknown>>): string | undefined {
  for (const field of OCCURRED_AT_FIELDS) {
    const value = data[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** The columns of a volunteer's summary that facts are the differences of. */
interface Snapshot {
  readonly exists: boolean;
  readonly active: boolean;
  readonly confirmedMinutes: number;
  readonly issued: number;
  readonly redeemed: number;
  readonly donated: number;
  readonly expired: number;
  readonly stars: number;
}

const num = (row: Row, column: string): number => Number(row[column] ?? 0);

export function snapshotVolunteer(row: Row | undefined): Snapshot {
  if (row === undefined)
    return {
      exists: false,
      active: false,
      confirmedMinutes: 0,
      issued: 0,
      redeemed: 0,
      donated: 0,
      expired: 0,
      stars: -1,
    };
  return {
    exists: true,
    active: row.status === 'active',
    confirmedMinutes: num(row, 'confirmed_minutes'),
    issued: num(row, 'earned_centipoints') - num(row, 'reversed_centipoints'),
    redeemed: num(row, 'spent_centipoints'),
    donated: num(row, 'donated_centipoints'),
    expired: num(row, 'expired_centipoints'),
    stars: num(row, 'eligible_stars'),
  };
}

/** Records what `event` changed about its volunteer, if anything, as one fact row. */
export function recordVolunteerFact(
  event: EventPayload,
  ws: WorkingSet,
  before: Snapshot,
  rules: ProjectionRules,
): void {
  const data = event.data as Readonly<Record<string, unknown>>;
  const volunteerId = data.volunteerId;
  if (typeof volunteerId !== 'string') return;
  const row = ws.volunteers.get(volunteerId);
  const at = occurredAt(data);
  if (row === undefined || at === undefined) return;
  const after = snapshotVolunteer(row);
  const registered = Number(after.exists) - Number(before.exists);
  const deactivated = Number(before.active && !after.active);
  const confirmedMinutes = after.confirmedMinutes - before.confirmedMinutes;
  const issued = after.issued - before.issued;
  const redeemed = after.redeemed - before.redeemed;
  const donated = after.donated - before.donated;
  const expired = after.expired - before.expired;
  const starsChanged = before.stars !== after.stars;
  // Checked before the row is built (and its day formatted): most events change nothing here.
  const changed =
    registered !== 0 ||
    deactivated !== 0 ||
    confirmedMinutes !== 0 ||
    issued !== 0 ||
    redeemed !== 0 ||
    donated !== 0 ||
    expired !== 0;
  if (!changed && !starsChanged) return;
  const position = String(event.position);
  ws.communityFacts.put(position, {
    position,
    community: String(row.community),
    day: localDay(at, rules),
    volunteer_id: volunteerId,
    registered,
    deactivated,
    confirmed_minutes: confirmedMinutes,
    issued_centipoints: issued,
    redeemed_centipoints: redeemed,
    donated_centipoints: donated,
    expired_centipoints: expired,
    stars_from: starsChanged ? before.stars : -1,
    stars_to: starsChanged ? after.stars : -1,
  });
}
