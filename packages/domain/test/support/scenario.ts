/**
 * Given / when / then over events, in the shape STYLE.md asks for:
 * `given(t, [events]).when(command).then([events])` or `.thenFails('CODE')`.
 * Every decided event is also checked against its schema and for being plain JSON.
 */
import type { Test } from 'tap';
import {
  COMMAND_STREAM_KIND,
  DEFAULT_LEDGER_RULES,
  deciderFor,
  EVENT_DATA_SCHEMAS,
  initialPolicyState,
  isDomainError,
  parseCommand,
  type CommandInput,
  type DecideContext,
  type DomainError,
  type DomainErrorCode,
  type DomainEvent,
} from '../../src/index.js';

export const NOW = '2026-03-10T04:00:00.000Z'; // 12:00 in UTC+8
export const HASH = 'ab'.repeat(32);
export const NATIONAL_ID = '11010519491231002X';

let idCounter = 0;

/** A context with a fixed clock and ids unique within the test process (`id-1`, `id-2`, …). */
export function testContext(overrides: Partial<DecideContext> = {}): DecideContext {
  return {
    now: NOW,
    newId: () => `id-${++idCounter}`,
    rules: DEFAULT_LEDGER_RULES,
    pointsPolicy: initialPolicyState,
    nationalIdHash: HASH,
    volunteerNumber: 'SJZ-000001',
    ...overrides,
  };
}

/** Decides one command on the stream state folded from `history`; the command is parsed first. */
export function decideOn(
  history: readonly DomainEvent[],
  input: CommandInput,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const command = parseCommand(input);
  if (isDomainError(command)) return command;
  const decider = deciderFor(COMMAND_STREAM_KIND[command.type]);
  return decider.decide(command, history.reduce(decider.evolve, decider.initialState()), context);
}

/** Asserts events are valid and plain JSON; returns them. */
export function checkEvents(t: Test, events: readonly DomainEvent[]): void {
  for (const event of events) {
    const parsed = EVENT_DATA_SCHEMAS[event.type].safeParse(event.data);
    t.ok(
      parsed.success,
      `${event.type} matches its schema${parsed.success ? '' : ': ' + parsed.error.message}`,
    );
    t.same(JSON.parse(JSON.stringify(event.data)), event.data, `${event.type} is plain JSON`);
  }
}

/** Runs commands one after another on one stream and returns all events; fails the test on any rejection. */
export function history(
  t: Test,
  commands: readonly CommandInput[],
  context: DecideContext = testContext(),
  from: readonly DomainEvent[] = [],
): DomainEvent[] {
  const events = [...from];
  for (const command of commands) {
    const result = decideOn(events, command, context);
    if (isDomainError(result)) {
      t.fail(`setup command ${command.type} failed: ${result.code} ${result.message}`);
      return events;
    }
    events.push(...result);
  }
  return events;
}

/** The id of the last record of `events` (recorded or replacement). */
export function lastRecordId(events: readonly DomainEvent[]): string {
  for (let index = events.length - 1; index >= 0; index -= 1) {
    const event = events[index];
    if (event?.type === 'ServiceHoursRecorded') return event.data.recordId;
    if (event?.type === 'ServiceRecordCorrected') return event.data.replacementRecordId;
  }
  throw new Error('no record in history');
}

export function given(t: Test, events: readonly DomainEvent[], context: DecideContext = testContext()) {
  return {
    when(command: CommandInput) {
      const result = decideOn(events, command, context);
      return {
        result,
        /** The decided events have exactly these types, in order, and match these (partial) shapes. */
        then(expected: readonly { type: string; data?: Record<string, unknown> }[]): DomainEvent[] {
          if (isDomainError(result)) {
            t.fail(`expected events, got ${result.code}: ${result.message}`);
            return [];
          }
          t.same(
            result.map((event) => event.type),
            expected.map((event) => event.type),
            'event types',
          );
          t.match(result, expected, 'event data');
          checkEvents(t, result);
          return result;
        },
        thenFails(code: DomainErrorCode, details?: Record<string, unknown>): void {
          if (!isDomainError(result)) {
            t.fail(
              `expected ${code}, got events ${result.map((event) => event.type).join(', ') || '(none)'}`,
            );
            return;
          }
          t.equal(result.code, code, `fails with ${code}`);
          if (details !== undefined) t.match(result.details, details, 'error details');
        },
        /** Fails with `code` and exactly these details: nothing more is told to the caller. */
        thenFailsTelling(code: DomainErrorCode, details: Record<string, unknown>): void {
          if (!isDomainError(result)) {
            t.fail(`expected ${code}, got events`);
            return;
          }
          t.equal(result.code, code, `fails with ${code}`);
          t.same(result.details, details, 'error details, exactly');
        },
      };
    },
  };
}

export const DESK = { id: 'desk-1', role: 'registration_desk', organisationId: 'org-1' } as const;
export const ORGANISER = { id: 'worker-1', role: 'organiser', organisationId: 'org-1' } as const;
export const OTHER_ORGANISER = { id: 'worker-9', role: 'organiser', organisationId: 'org-9' } as const;
export const ADMIN = { id: 'admin-1', role: 'administrator' } as const;
export const SYSTEM = { id: 'ledger', role: 'system' } as const;
export const PARTNER_USER = { id: 'partner-user-1', role: 'partner', partnerId: 'p1' } as const;
