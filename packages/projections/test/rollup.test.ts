/**
 * Roll-up statistics: random hierarchies (with communities moving between streets) and random
 * volunteers' records, projected into each engine; as of random dates every street, district and
 * city equals the sum of its children, every community equals its own volunteers' history up to
 * that date, and each community sits under the street it was on that day.
 */
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { DEFAULT_LEDGER_RULES, formatInstant, parseInstant, type LedgerRules } from '@timebank/domain';
import type { NewEvent } from '@timebank/event-store';
import { localDay } from '../src/handlers/hierarchy-handlers.js';
import { projectionRules } from '../src/handlers/index.js';
import { Projector } from '../src/projector.js';
import { createReadModelQueries } from '../src/queries.js';
import type { ReadModelDatabase } from '../src/dialect/dialect.js';
import { addFigures, emptyFigures, rollUpAsOf, type RollUp } from '../src/rollup-queries.js';
import { ADMIN, build, newEvent } from '../src/testing/index.js';
import { appendTo, harnesses } from './harness.js';

/** Low thresholds, so that a few records move volunteers between star levels. */
const RULES: LedgerRules = { ...DEFAULT_LEDGER_RULES, starThresholdsHours: [1, 3, 6] };
const PROJECTION_RULES = projectionRules(RULES);
const BASE_MS = parseInstant('2026-01-01T00:00:00.000Z');
const DAY_MS = 86_400_000;
const at = (day: number, hour: number): string => formatInstant(BASE_MS + day * DAY_MS + hour * 3_600_000);

const scenarioArbitrary = fc.record({
  districts: fc.integer({ min: 1, max: 3 }),
  streets: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  communities: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  moves: fc.array(
    fc.record({ community: fc.nat(), street: fc.nat(), day: fc.integer({ min: 1, max: 60 }) }),
    {
      maxLength: 4,
    },
  ),
  volunteers: fc.array(
    fc.record({
      community: fc.nat(),
      day: fc.integer({ min: 0, max: 40 }),
      records: fc.array(
        fc.record({ minutes: fc.integer({ min: 30, max: 240 }), day: fc.integer({ min: 0, max: 40 }) }),
        { maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  asOfDays: fc.array(fc.integer({ min: -1, max: 100 }), { minLength: 1, maxLength: 3 }),
});
type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer S> ? S : never;

interface Timed {
  readonly time: string;
  readonly stream: string;
  readonly event: NewEvent;
}

function areaEvent(level: string, areaId: string, parentId: string | null): NewEvent {
  return newEvent('AreaRegistered', {
    idempotencyKey: `area-${areaId}`,
    level: level as 'city',
    areaId,
    parentId,
    name: `Unit ${areaId}`,
    registeredAt: at(0, 0),
    actor: ADMIN,
  });
}

/** The scenario as events, in time order, and each volunteer's facts for the model. */
function eventsOf(scenario: Scenario) {
  const timed: Timed[] = [];
  const hierarchy = (event: NewEvent, time: string): void => {
    timed.push({ time, stream: 'city-hierarchy', event });
  };
  hierarchy(areaEvent('city', 'city', null), at(0, 0));
  for (let d = 0; d < scenario.districts; d += 1) hierarchy(areaEvent('district', `d${d}`, 'city'), at(0, 0));
  const streets = scenario.streets.map((pick, index) => {
    hierarchy(areaEvent('street', `s${index}`, `d${pick % scenario.districts}`), at(0, 0));
    return `s${index}`;
  });
  const communities = scenario.communities.map((pick, index) => {
    const event = newEvent('CommunityRegistered', {
      idempotencyKey: `community-c${index}`,
      communityId: `c${index}`,
      streetId: streets[pick % streets.length]!,
      name: `Community c${index}`,
      coordinatorId: `coordinator-${index}`,
      coordinatorName: 'Coordinator',
      coordinatorContact: '0311-0000000',
      registeredAt: at(0, 1),
      actor: ADMIN,
    });
    hierarchy(event, at(0, 1));
    return `c${index}`;
  });
  const streetOf = new Map(
    scenario.communities.map((pick, index) => [`c${index}`, streets[pick % streets.length]!]),
  );
  const moves: { community: string; street: string; time: string }[] = [];
  for (const [index, move] of scenario.moves.entries()) {
    const community = communities[move.community % communities.length]!;
    const street = streets[move.street % streets.length]!;
    moves.push({ community, street, time: at(move.day, 2 + (index % 20)) });
  }
  moves.sort((a, b) => (a.time < b.time ? -1 : 1));
  for (const [index, move] of moves.entries()) {
    const from = streetOf.get(move.community)!;
    if (from === move.street) continue;
    streetOf.set(move.community, move.street);
    const event = newEvent('CommunityMoved', {
      idempotencyKey: `move-${index}`,
      communityId: move.community,
      fromStreetId: from,
      toStreetId: move.street,
      movedAt: move.time,
      actor: ADMIN,
    });
    hierarchy(event, move.time);
  }
  const facts: { community: string; registeredAt: string; confirmed: { minutes: number; at: string }[] }[] =
    [];
  for (const [index, volunteer] of scenario.volunteers.entries()) {
    const volunteerId = `v${index}`;
    const stream = `volunteer-${volunteerId}`;
    const community = communities[volunteer.community % communities.length]!;
    const registeredAt = at(volunteer.day, 3);
    timed.push({ time: registeredAt, stream, event: build.registered(volunteerId, registeredAt, community) });
    const confirmed: { minutes: number; at: string }[] = [];
    for (const [recordIndex, record] of volunteer.records.entries()) {
      const day = volunteer.day + record.day;
      const recordId = `r${recordIndex}`;
      const end = at(day, 5);
      const confirmedAt = at(day, 6);
      timed.push({
        time: end,
        stream,
        event: build.recorded(volunteerId, recordId, at(day, 4), end, record.minutes),
      });
      timed.push({ time: confirmedAt, stream, event: build.confirmed(volunteerId, recordId, confirmedAt) });
      timed.push({
        time: confirmedAt,
        stream,
        event: build.earned(volunteerId, recordId, record.minutes, confirmedAt),
      });
      confirmed.push({ minutes: record.minutes, at: confirmedAt });
    }
    facts.push({ community, registeredAt, confirmed });
  }
  // A stable sort keeps each stream's own order where times tie.
  timed.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return { timed, facts, moves };
}

/** Each community's figures computed straight from the scenario, without the read model. */
function modelCommunity(facts: ReturnType<typeof eventsOf>['facts'], community: string, asOf: string) {
  const figures = emptyFigures();
  for (const volunteer of facts) {
    if (volunteer.community !== community || localDay(volunteer.registeredAt, PROJECTION_RULES) > asOf)
      continue;
    const part = emptyFigures();
    part.registeredVolunteers = 1;
    part.activeVolunteers = 1;
    let minutes = 0;
    for (const record of volunteer.confirmed) {
      const day = localDay(record.at, PROJECTION_RULES);
      if (day > asOf) continue;
      minutes += record.minutes;
      part.issuedCentipoints += record.minutes;
      const month = day.slice(0, 7);
      part.confirmedMinutesByMonth[month] = (part.confirmedMinutesByMonth[month] ?? 0) + record.minutes;
    }
    const stars = PROJECTION_RULES.starThresholdsMinutes.filter((threshold) => minutes >= threshold).length;
    part.starDistribution[String(stars)] = 1;
    addFigures(figures, part);
  }
  return figures;
}

function checkRollUp(t: Test, rollUp: RollUp, scenario: ReturnType<typeof eventsOf>): void {
  for (const unit of rollUp.units.values()) {
    if (unit.level === 'community') {
      t.same(
        unit.figures,
        modelCommunity(scenario.facts, unit.unitId, rollUp.asOf),
        `${unit.unitId} as of ${rollUp.asOf}`,
      );
      const movesBefore = scenario.moves.filter(
        (move) => move.community === unit.unitId && localDay(move.time, PROJECTION_RULES) <= rollUp.asOf,
      );
      const lastMove = movesBefore.at(-1);
      if (lastMove !== undefined)
        t.equal(unit.parentId, lastMove.street, `${unit.unitId} is on its street of the day`);
      continue;
    }
    const sum = emptyFigures();
    for (const childId of unit.childIds) addFigures(sum, rollUp.units.get(childId)!.figures);
    t.same(unit.figures, sum, `${unit.level} ${unit.unitId} is the sum of its children as of ${rollUp.asOf}`);
  }
}

/** Paging a unit's volunteers three at a time gives the whole list, each volunteer once, in order. */
async function checkVolunteerPages(t: Test, db: ReadModelDatabase, streams: string[]): Promise<void> {
  const queries = createReadModelQueries(db);
  const communities = Array.from({ length: 20 }, (_, index) => `c${index}`);
  const whole = await queries.volunteersOfCommunities(communities);
  t.equal(whole.length, streams.filter((stream) => stream.startsWith('volunteer-')).length);
  const paged: typeof whole = [];
  let after: { volunteerNumber: string; volunteerId: string } | undefined;
  for (let pages = 0; pages <= whole.length; pages += 1) {
    const page = await queries.volunteersOfCommunities(communities, {
      limit: 3,
      ...(after ? { after } : {}),
    });
    paged.push(...page);
    const last = page.at(-1);
    if (page.length < 3 || last === undefined) break;
    after = { volunteerNumber: last.volunteerNumber, volunteerId: last.volunteerId };
  }
  t.same(
    paged.map((volunteer) => volunteer.volunteerId),
    whole.map((volunteer) => volunteer.volunteerId),
  );
}

for (const harness of harnesses()) {
  t.test(`${harness.name}: every level's totals equal the sum of its children, as of any date`, async (t) => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const engine = await harness.create();
        try {
          const events = eventsOf(scenario);
          let last = 0n;
          for (const { stream, event } of events.timed) last = await appendTo(engine.store, stream, [event]);
          const projector = new Projector({
            store: engine.store,
            db: engine.db,
            rules: RULES,
            batchEventsMax: 13,
          });
          await projector.start();
          try {
            await projector.waitForPosition(last);
          } finally {
            await projector.stop();
          }
          for (const asOfDay of scenario.asOfDays) {
            const asOf = localDay(at(asOfDay, 12), PROJECTION_RULES);
            const rollUp = await rollUpAsOf(engine.db, asOf);
            checkRollUp(t, rollUp, events);
            // Everything is registered on day 0: before it there is no hierarchy to roll up into.
            t.equal(rollUp.units.has('city'), asOfDay >= 0, `the city exists as of ${asOf} only from day 0`);
          }
          await checkVolunteerPages(t, engine.db, [...new Set(events.timed.map(({ stream }) => stream))]);
        } finally {
          await engine.close();
        }
      }),
      { numRuns: harness.name === 'sqlite' ? 25 : 8 },
    );
  });
}
