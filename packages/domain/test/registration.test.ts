import t from 'tap';
import { parseCommand } from '../src/index.js';
import { register, VOLUNTEER_ID } from './support/fixtures.js';
import {
  ADMIN,
  DESK,
  given,
  HASH,
  history,
  NATIONAL_ID,
  ORGANISER,
  testContext,
} from './support/scenario.js';

t.test('RegisterVolunteer keeps only the keyed hash and a masked ID number', async (t) => {
  const [event] = given(t, [])
    .when(register())
    .then([
      {
        type: 'VolunteerRegistered',
        data: {
          volunteerId: VOLUNTEER_ID,
          volunteerNumber: 'SJZ-000001',
          nationalIdHash: HASH,
          nationalIdMasked: '1101**********002X',
        },
      },
    ]);
  t.notOk(JSON.stringify(event).includes(NATIONAL_ID), 'the full ID number appears nowhere in the event');
  t.notOk(JSON.stringify(event).includes(NATIONAL_ID.slice(4, 14)), 'nor its middle digits');
});

t.test('a second registration with the same ID number fails VOLUNTEER_ALREADY_REGISTERED', async (t) => {
  const events = history(t, [register()]);
  given(t, events)
    .when(register({ name: 'Someone Else', nationalIdNumber: '11010519491231002x' }))
    .thenFails('VOLUNTEER_ALREADY_REGISTERED');
});

t.test('the same registration decided twice has no second effect', async (t) => {
  const command = register();
  const events = history(t, [command]);
  given(t, events).when(command).then([]);
});

t.test('a reused idempotency key on a different command fails IDEMPOTENCY_KEY_REUSED', async (t) => {
  const command = register();
  const events = history(t, [command]);
  given(t, events)
    .when({
      type: 'DeactivateVolunteer',
      idempotencyKey: command.idempotencyKey,
      actor: ADMIN,
      volunteerId: VOLUNTEER_ID,
      reason: 'moved away',
    })
    .thenFails('IDEMPOTENCY_KEY_REUSED');
});

t.test('a malformed ID number or a wrong check digit fails INVALID_NATIONAL_ID', async (t) => {
  given(t, [])
    .when(register({ nationalIdNumber: '110105194912310021' }))
    .thenFails('INVALID_NATIONAL_ID');
  given(t, [])
    .when(register({ nationalIdNumber: '12345' }))
    .thenFails('INVALID_NATIONAL_ID');
});

t.test('only a registration desk or an administrator registers', async (t) => {
  given(t, [])
    .when(register({ actor: ORGANISER }))
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, [])
    .when(register({ actor: ADMIN }))
    .then([{ type: 'VolunteerRegistered' }]);
});

t.test('input that breaks the schema is INVALID_COMMAND and names the field', async (t) => {
  given(t, [])
    .when(register({ phone: 'call me' }))
    .thenFails('INVALID_COMMAND', { path: 'phone' });
  const parsed = parseCommand({ type: 'NoSuchCommand' });
  t.match(parsed, { code: 'INVALID_COMMAND' });
});

t.test('DeactivateVolunteer; then new service fails VOLUNTEER_INACTIVE', async (t) => {
  const events = history(t, [register()]);
  const deactivate = {
    type: 'DeactivateVolunteer',
    idempotencyKey: 'd1',
    actor: DESK,
    volunteerId: VOLUNTEER_ID,
    reason: 'moved away',
  } as const;
  const after = [
    ...events,
    ...given(t, events)
      .when(deactivate)
      .then([{ type: 'VolunteerDeactivated' }]),
  ];
  given(t, after)
    .when({ ...deactivate, idempotencyKey: 'd2' })
    .thenFails('VOLUNTEER_INACTIVE');
  given(t, after)
    .when({ type: 'ApplyForStarRating', idempotencyKey: 's1', actor: DESK, volunteerId: VOLUNTEER_ID })
    .thenFails('VOLUNTEER_INACTIVE');
  given(t, events)
    .when({ ...deactivate, actor: ORGANISER })
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('commands for an unknown volunteer fail VOLUNTEER_NOT_FOUND', async (t) => {
  given(t, [])
    .when({ type: 'ApplyForStarRating', idempotencyKey: 's1', actor: DESK, volunteerId: VOLUNTEER_ID })
    .thenFails('VOLUNTEER_NOT_FOUND');
});

t.test('the context must supply the hash: a missing one is a programmer error', async (t) => {
  const { nationalIdHash: _unused, ...rest } = testContext();
  t.throws(() => given(t, [], rest).when(register()), /nationalIdHash/);
});
