/** A volunteer with confirmed service (hence points) and a partner with a 5-point offer. */
import type { Test } from 'tap';
import { deciderFor, type DecideContext, type DomainEvent, type PartnerState } from '../../src/index.js';
import { confirm, mandate, partnerSetup, record, register } from './fixtures.js';
import { history, lastRecordId, testContext } from './scenario.js';

export function partnerState(t: Test, extra: DomainEvent[] = []): PartnerState {
  const events = [...history(t, partnerSetup), ...extra];
  const decider = deciderFor('partner');
  return events.reduce(decider.evolve, decider.initialState());
}

/**
 * Registers the volunteer, records their mandate to partner p1 (so p1's holds have consent), and
 * confirms `hours` of service on local 2026-03-09 from 08:00 (standard quality).
 */
export function volunteerWithHours(
  t: Test,
  hours: number,
  context: DecideContext = testContext(),
): DomainEvent[] {
  let events = history(t, [register()], context);
  events = history(t, [mandate()], { ...context, partner: partnerState(t) }, events);
  events = history(t, [record(8, 8 + hours)], context, events);
  return history(t, [confirm(lastRecordId(events))], context, events);
}

export function partnerContext(t: Test, overrides: Partial<DecideContext> = {}): DecideContext {
  return testContext({ partner: partnerState(t), ...overrides });
}
