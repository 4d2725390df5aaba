/**
 * Roll-up statistics as of a local date: every registered unit of the hierarchy as it stood at
 * the end of that day, each community's figures summed from its facts up to that day, and every
 * street, district and city the sum of its children. A community counts under the street it was
 * on that day, so a move changes where its whole history counts from the day of the move on.
 */
import type { ReadModelDatabase } from './dialect/dialect.js';
import { ProjectionError } from './errors.js';
import { LIVE_PREFIX, type TableName } from './tables.js';

export type UnitLevel = 'city' | 'district' | 'street' | 'community';

export interface RollUpFigures {
  /** Volunteers ever registered in the subtree up to the date. */
  registeredVolunteers: number;
  /** Registered and not deactivated, as of the date. */
  activeVolunteers: number;
  /** Minutes confirmed per local month of the confirmation, up to the date (corrections net). */
  confirmedMinutesByMonth: Record<string, number>;
  /** Volunteers per star level earned by confirmed hours, as of the date. */
  starDistribution: Record<string, number>;
  issuedCentipoints: number;
  redeemedCentipoints: number;
  donatedCentipoints: number;
  expiredCentipoints: number;
}

export interface RollUpUnit {
  readonly unitId: string;
  readonly level: UnitLevel;
  readonly name: string;
  /** The parent as of the date; null for a city. */
  readonly parentId: string | null;
  readonly childIds: string[];
  readonly figures: RollUpFigures;
}

export interface RollUp {
  readonly asOf: string;
  readonly units: ReadonlyMap<string, RollUpUnit>;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function emptyFigures(): RollUpFigures {
  return {
    registeredVolunteers: 0,
    activeVolunteers: 0,
    confirmedMinutesByMonth: {},
    starDistribution: {},
    issuedCentipoints: 0,
    redeemedCentipoints: 0,
    donatedCentipoints: 0,
    expiredCentipoints: 0,
  };
}

function addTo(record: Record<string, number>, key: string, amount: number): void {
  const sum = (record[key] ?? 0) + amount;
  if (sum === 0) delete record[key];
  else record[key] = sum;
}

/** Adds `part` into `total` in place. */
export function addFigures(total: RollUpFigures, part: RollUpFigures): void {
  total.registeredVolunteers += part.registeredVolunteers;
  total.activeVolunteers += part.activeVolunteers;
  total.issuedCentipoints += part.issuedCentipoints;
  total.redeemedCentipoints += part.redeemedCentipoints;
  total.donatedCentipoints += part.donatedCentipoints;
  total.expiredCentipoints += part.expiredCentipoints;
  for (const [month, minutes] of Object.entries(part.confirmedMinutesByMonth))
    addTo(total.confirmedMinutesByMonth, month, minutes);
  for (const [stars, count] of Object.entries(part.starDistribution))
    addTo(total.starDistribution, stars, count);
}

const n = (value: unknown): number => Number(value ?? 0);

/** Each community's own figures up to `asOf` (inclusive), from its facts. */
async function communityFigures(
  db: ReadModelDatabase,
  t: (name: TableName) => string,
  asOf: string,
): Promise<Map<string, RollUpFigures>> {
  const byCommunity = new Map<string, RollUpFigures>();
  const figuresOf = (community: unknown): RollUpFigures => {
    const key = String(community);
    let figures = byCommunity.get(key);
    if (figures === undefined) byCommunity.set(key, (figures = emptyFigures()));
    return figures;
  };
  const facts = t('community_fact');
  const totals = await db.query(
    `SELECT community, SUM(registered) AS registered, SUM(deactivated) AS deactivated, SUM(issued_centipoints) AS issued, SUM(redeemed_centipoints) AS redeemed, SUM(donated_centipoints) AS donated, SUM(expired_centipoints) AS expired FROM ${facts} WHERE day <= ? GROUP BY community`,
    [asOf],
  );
  for (const row of totals) {
    const figures = figuresOf(row.community);
    figures.registeredVolunteers = n(row.registered);
    figures.activeVolunteers = n(row.registered) - n(row.deactivated);
    figures.issuedCentipoints = n(row.issued);
    figures.redeemedCentipoints = n(row.redeemed);
    figures.donatedCentipoints = n(row.donated);
    figures.expiredCentipoints = n(row.expired);
  }
  const months = await db.query(
    `SELECT community, SUBSTR(day, 1, 7) AS month, SUM(confirmed_minutes) AS minutes FROM ${facts} WHERE day <= ? GROUP BY community, SUBSTR(day, 1, 7)`,
    [asOf],
  );
  for (const row of months)
    addTo(figuresOf(row.community).confirmedMinutesByMonth, String(row.month), n(row.minutes));
  const starsTo = await db.query(
    `SELECT community, stars_to AS stars, COUNT(*) AS total FROM ${facts} WHERE day <= ? AND stars_to >= 0 GROUP BY community, stars_to`,
    [asOf],
  );
  const starsFrom = await db.query(
    `SELECT community, stars_from AS stars, COUNT(*) AS total FROM ${facts} WHERE day <= ? AND stars_from >= 0 GROUP BY community, stars_from`,
    [asOf],
  );
  for (const row of starsTo)
    addTo(figuresOf(row.community).starDistribution, String(n(row.stars)), n(row.total));
  for (const row of starsFrom)
    addTo(figuresOf(row.community).starDistribution, String(n(row.stars)), -n(row.total));
  return byCommunity;
}

/** The hierarchy as of the end of local day `asOf`, without figures. */
async function hierarchyAsOf(
  db: ReadModelDatabase,
  t: (name: TableName) => string,
  asOf: string,
): Promise<Map<string, RollUpUnit>> {
  const units = new Map<string, RollUpUnit>();
  const rows = await db.query(
    `SELECT unit_id, level, name FROM ${t('admin_unit')} WHERE registered_day <= ? ORDER BY unit_id`,
    [asOf],
  );
  for (const row of rows) {
    const unitId = String(row.unit_id);
    units.set(unitId, {
      unitId,
      level: String(row.level) as UnitLevel,
      name: String(row.name),
      parentId: null,
      childIds: [],
      figures: emptyFigures(),
    });
  }
  // The latest link of each unit up to the day: valid_from is an ISO instant, so text order is time order.
  const links = await db.query(
    `SELECT unit_id, parent_id, valid_from FROM ${t('admin_link')} WHERE valid_day <= ? ORDER BY unit_id, valid_from`,
    [asOf],
  );
  const parentOf = new Map<string, string>();
  for (const row of links) parentOf.set(String(row.unit_id), String(row.parent_id));
  for (const [unitId, parentId] of parentOf) {
    const unit = units.get(unitId);
    const parent = units.get(parentId);
    if (unit === undefined || parent === undefined) continue;
    units.set(unitId, { ...unit, parentId });
    parent.childIds.push(unitId);
  }
  return units;
}

const LEVEL_DEPTH: Readonly<Record<UnitLevel, number>> = { community: 0, street: 1, district: 2, city: 3 };

/** Roll-up statistics of every unit as of local day `asOf` (`YYYY-MM-DD`, inclusive). */
export async function rollUpAsOf(
  db: ReadModelDatabase,
  asOf: string,
  prefix: string = LIVE_PREFIX,
): Promise<RollUp> {
  if (!DAY_PATTERN.test(asOf))
    throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', 'asOf must be a local date YYYY-MM-DD');
  const t = (name: TableName): string => `${prefix}${name}`;
  const units = await hierarchyAsOf(db, t, asOf);
  const own = await communityFigures(db, t, asOf);
  for (const unit of units.values()) {
    if (unit.level === 'community') addFigures(unit.figures, own.get(unit.unitId) ?? emptyFigures());
  }
  // Bottom up: streets sum communities, districts streets, the city districts.
  const ordered = [...units.values()].sort((a, b) => LEVEL_DEPTH[a.level] - LEVEL_DEPTH[b.level]);
  for (const unit of ordered) {
    if (unit.parentId === null) continue;
    const parent = units.get(unit.parentId);
    if (parent !== undefined) addFigures(parent.figures, unit.figures);
  }
  return { asOf, units };
}

/** `unitId` and every unit under it, as of the roll-up's date. */
export function subtreeOf(rollUp: RollUp, unitId: string): string[] {
  const ids: string[] = [];
  const stack = [unitId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const unit = rollUp.units.get(id);
    if (unit === undefined) continue;
    ids.push(id);
    stack.push(...unit.childIds);
  }
  return ids;
}
