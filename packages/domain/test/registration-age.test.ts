/**
 * The birth date inside the ID number (characters 7–14, YYYYMMDD) must be a real date, not in the
 * future, and old enough: `registrationAgeYearsMin` (default 14), with a guardian's recorded
 * consent below `adultAgeYears` (default 18). Ages count local days of the injected clock.
 */
import t from 'tap';
import { ageYearsOn, dayNumberOf, DEFAULT_LEDGER_RULES, nationalIdCheckCharacter } from '../src/index.js';
import { register } from './support/fixtures.js';
import { given, testContext } from './support/scenario.js';

/** A resident ID number of a Beijing district with the given birth date and a correct check character. */
function idBornOn(yyyymmdd: string): string {
  const body = `110105${yyyymmdd}002`;
  return body + nationalIdCheckCharacter(body);
}

const GUARDIAN = { name: '李芳', contact: '13900000000', consentGiven: true };

// NOW is 2026-03-10T04:00Z, 12:00 on 2026-03-10 local (UTC+8).

t.test('a birth date that is not a calendar date fails NATIONAL_ID_BIRTH_DATE_INVALID', async (t) => {
  for (const date of ['19901301', '19900230', '20100229', '19900000', '19901232']) {
    given(t, [])
      .when(register({ nationalIdNumber: idBornOn(date) }))
      .thenFails('NATIONAL_ID_BIRTH_DATE_INVALID', { reason: 'not_a_calendar_date' });
  }
});

t.test('a birth date after today fails NATIONAL_ID_BIRTH_DATE_INVALID', async (t) => {
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20990101') }))
    .thenFails('NATIONAL_ID_BIRTH_DATE_INVALID', { reason: 'in_the_future' });
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20260311') }))
    .thenFails('NATIONAL_ID_BIRTH_DATE_INVALID', { reason: 'in_the_future' });
});

t.test('the check character is checked before the birth date', async (t) => {
  given(t, [])
    .when(register({ nationalIdNumber: '110105199013010021' }))
    .thenFails('INVALID_NATIONAL_ID');
});

t.test('a person under the minimum age fails VOLUNTEER_TOO_YOUNG, guardian or not', async (t) => {
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20200101'), guardian: GUARDIAN }))
    .thenFails('VOLUNTEER_TOO_YOUNG', { registrationAgeYearsMin: 14 });
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20260310'), guardian: GUARDIAN }))
    .thenFails('VOLUNTEER_TOO_YOUNG');
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20120311'), guardian: GUARDIAN }))
    .thenFails('VOLUNTEER_TOO_YOUNG');
});

t.test('on the fourteenth birthday, with a guardian, registration succeeds', async (t) => {
  const [event] = given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20120310'), guardian: GUARDIAN }))
    .then([
      {
        type: 'VolunteerRegistered',
        data: { birthDate: '2012-03-10', guardian: GUARDIAN },
      },
    ]);
  t.ok(event, 'registered');
});

t.test('ages count the local day, not the UTC day', async (t) => {
  // 2026-03-09T16:00Z is already 2026-03-10 00:00 in UTC+8: the fourteenth birthday.
  const localMidnight = testContext({ now: '2026-03-09T16:00:00.000Z' });
  given(t, [], localMidnight)
    .when(register({ nationalIdNumber: idBornOn('20120310'), guardian: GUARDIAN }))
    .then([{ type: 'VolunteerRegistered' }]);
  const justBefore = testContext({ now: '2026-03-09T15:59:59.999Z' });
  given(t, [], justBefore)
    .when(register({ nationalIdNumber: idBornOn('20120310'), guardian: GUARDIAN }))
    .thenFails('VOLUNTEER_TOO_YOUNG');
});

t.test('a minor without a guardian or without consent fails GUARDIAN_CONSENT_REQUIRED', async (t) => {
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20100601') }))
    .thenFails('GUARDIAN_CONSENT_REQUIRED', { adultAgeYears: 18 });
  given(t, [])
    .when(
      register({ nationalIdNumber: idBornOn('20100601'), guardian: { ...GUARDIAN, consentGiven: false } }),
    )
    .thenFails('GUARDIAN_CONSENT_REQUIRED');
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20080311') }))
    .thenFails('GUARDIAN_CONSENT_REQUIRED');
});

t.test('a guardian needs a name with a letter and a telephone number', async (t) => {
  given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20100601'), guardian: { ...GUARDIAN, name: '\u200b' } }))
    .thenFails('INVALID_COMMAND', { path: 'guardian.name' });
  given(t, [])
    .when(
      register({ nationalIdNumber: idBornOn('20100601'), guardian: { ...GUARDIAN, contact: 'ask at desk' } }),
    )
    .thenFails('INVALID_COMMAND', { path: 'guardian.contact' });
});

t.test('an adult registers without a guardian, and a guardian sent anyway is not recorded', async (t) => {
  const [alone] = given(t, [])
    .when(register({ nationalIdNumber: idBornOn('20080310') }))
    .then([{ type: 'VolunteerRegistered', data: { birthDate: '2008-03-10' } }]);
  t.notOk(alone !== undefined && 'guardian' in alone.data, 'no guardian field');
  const [withGuardian] = given(t, [])
    .when(register({ nationalIdNumber: idBornOn('19900101'), guardian: GUARDIAN }))
    .then([{ type: 'VolunteerRegistered', data: { birthDate: '1990-01-01' } }]);
  t.notOk(withGuardian !== undefined && 'guardian' in withGuardian.data, "an adult's guardian is not kept");
});

t.test('the ages are policy: other rules move both limits', async (t) => {
  const rules = { ...DEFAULT_LEDGER_RULES, registrationAgeYearsMin: 16, adultAgeYears: 16 };
  given(t, [], testContext({ rules }))
    .when(register({ nationalIdNumber: idBornOn('20110101'), guardian: GUARDIAN }))
    .thenFails('VOLUNTEER_TOO_YOUNG', { registrationAgeYearsMin: 16 });
  given(t, [], testContext({ rules }))
    .when(register({ nationalIdNumber: idBornOn('20100101') }))
    .then([{ type: 'VolunteerRegistered' }]);
});

t.test('someone born on 29 February turns a year older on 1 March in common years', async (t) => {
  const birth = { year: 2012, month: 2, day: 29 };
  t.equal(ageYearsOn(birth, dayNumberOf({ year: 2026, month: 2, day: 28 })), 13);
  t.equal(ageYearsOn(birth, dayNumberOf({ year: 2026, month: 3, day: 1 })), 14);
  t.equal(ageYearsOn(birth, dayNumberOf({ year: 2028, month: 2, day: 29 })), 16, 'on the day in a leap year');
  t.equal(ageYearsOn({ year: 1990, month: 12, day: 31 }, dayNumberOf({ year: 1991, month: 12, day: 30 })), 0);
  t.equal(ageYearsOn({ year: 1990, month: 12, day: 31 }, dayNumberOf({ year: 1991, month: 12, day: 31 })), 1);
});
