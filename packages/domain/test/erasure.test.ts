import t from 'tap';
import type { CommandInput } from '../src/index.js';
import { confirm, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import {
  ADMIN,
  DESK,
  given,
  history,
  lastRecordId,
  NOW,
  ORGANISER,
  SYSTEM,
  testContext,
} from './support/scenario.js';

const erase = (overrides: Record<string, unknown> = {}): CommandInput => ({
  type: 'ErasePersonalData',
  idempotencyKey: 'erase-1',
  actor: ADMIN,
  volunteerId: VOLUNTEER_ID,
  reason: 'consent_withdrawn',
  ...overrides,
});

t.test('an administrator erases: PersonalDataErased names no person', async (t) => {
  const events = history(t, [register()]);
  const [event] = given(t, events)
    .when(erase())
    .then([
      {
        type: 'PersonalDataErased',
        data: { volunteerId: VOLUNTEER_ID, reason: 'consent_withdrawn', erasedAt: NOW, actor: ADMIN },
      },
    ]);
  const text = JSON.stringify(event);
  t.notOk(text.includes('Li Wei') || text.includes('13800000000'), 'no name or phone in the event');
});

t.test('the system erases when the retention period ends', async (t) => {
  const events = history(t, [register()]);
  given(t, events)
    .when(erase({ actor: SYSTEM, reason: 'retention_ended' }))
    .then([{ type: 'PersonalDataErased', data: { reason: 'retention_ended', actor: SYSTEM } }]);
});

t.test('a desk or an organiser cannot erase: ACTOR_NOT_PERMITTED', async (t) => {
  const events = history(t, [register()]);
  given(t, events)
    .when(erase({ actor: DESK }))
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, events)
    .when(erase({ actor: ORGANISER }))
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('an unknown volunteer cannot be erased: VOLUNTEER_NOT_FOUND', async (t) => {
  given(t, []).when(erase()).thenFails('VOLUNTEER_NOT_FOUND');
});

t.test('the same erasure decided twice has no second effect', async (t) => {
  const events = history(t, [register(), erase()]);
  given(t, events).when(erase()).then([]);
});

t.test('after erasure every command is refused, a second erasure included', async (t) => {
  const context = testContext();
  const recorded = history(t, [register(), record(9, 11)], context);
  const events = history(t, [confirm(lastRecordId(recorded)), erase()], context, recorded);
  t.ok(
    events.some((event) => event.type === 'ServiceHoursConfirmed'),
    'hours were confirmed before the erasure',
  );
  given(t, events)
    .when(erase({ idempotencyKey: 'erase-2' }))
    .thenFails('VOLUNTEER_PERSONAL_DATA_ERASED');
  given(t, events).when(record(13, 14)).thenFails('VOLUNTEER_PERSONAL_DATA_ERASED');
  given(t, events)
    .when({
      type: 'DeactivateVolunteer',
      idempotencyKey: 'deactivate-1',
      actor: ADMIN,
      volunteerId: VOLUNTEER_ID,
      reason: 'moved away',
    })
    .thenFails('VOLUNTEER_PERSONAL_DATA_ERASED');
});
