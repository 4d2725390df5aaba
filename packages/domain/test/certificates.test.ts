import t from 'tap';
import {
  amendedCertificateRecords,
  CERTIFICATE_NUMBER_PATTERN,
  certificateNumberCheckPasses,
  certificateNumberV2For,
  certificateNumberFor,
  foldVolunteer,
  normaliseCertificateNumber,
  volunteerIdOfCertificateNumber,
  type CommandInput,
  type DomainEvent,
} from '../src/index.js';
import { confirm, local, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import { ADMIN, DESK, given, history, lastRecordId, NOW, testContext } from './support/scenario.js';

/** The desk of the test volunteer's community ("Qiaoxi"); the shared DESK acts for org-1. */
const COMMUNITY_DESK = { id: 'desk-q', role: 'registration_desk', organisationId: 'Qiaoxi' } as const;
const ISSUER = {
  organisationName: 'Qiaoxi Volunteer Service Station',
  personInCharge: 'Zhang Min',
  handler: 'Wang Fang',
  contact: '0311-5550000',
};

let keyCounter = 0;
const issue = (overrides: Partial<Extract<CommandInput, { type: 'IssueServiceCertificate' }>> = {}) =>
  ({
    type: 'IssueServiceCertificate',
    idempotencyKey: `certificate-${++keyCounter}`,
    actor: COMMUNITY_DESK,
    volunteerId: VOLUNTEER_ID,
    issuer: ISSUER,
    ...overrides,
  }) as CommandInput;

/** Confirmed 2 h on day 5 (tutoring) and 3 h on day 9 (visiting); a pending hour on day 9. */
function withService(t: Parameters<typeof history>[0]): DomainEvent[] {
  const context = testContext();
  let events = history(t, [register()], context);
  events = history(t, [record(8, 10, { activity: 'Tutoring' }, 5)], context, events);
  events = history(t, [confirm(lastRecordId(events))], context, events);
  events = history(t, [record(8, 11)], context, events);
  events = history(t, [confirm(lastRecordId(events))], context, events);
  return history(t, [record(14, 15)], context, events);
}

t.test(
  'IssueServiceCertificate snapshots confirmed service with every field a certificate shows',
  async (t) => {
    const events = withService(t);
    const [issued] = given(t, events)
      .when(issue())
      .then([
        {
          type: 'ServiceCertificateIssued',
          data: {
            volunteerId: VOLUNTEER_ID,
            sequence: 1,
            volunteerNumber: 'SJZ-000001',
            name: 'Li Wei',
            idType: 'resident_identity_card',
            nationalIdMasked: '1101**********002X',
            community: 'Qiaoxi',
            serviceFrom: null,
            serviceUntil: null,
            confirmedMinutes: 300,
            activities: [
              { activity: 'Tutoring', durationMinutes: 120, recordCount: 1, firstStartAt: local(5, 8) },
              { activity: 'Visiting elderly neighbours', durationMinutes: 180, lastEndAt: local(9, 11) },
            ],
            issuer: ISSUER,
            issuedAt: NOW,
            issueDate: '2026-03-10',
            actor: COMMUNITY_DESK,
          },
        },
      ]);
    if (issued?.type !== 'ServiceCertificateIssued') return;
    t.equal(issued.data.recordIds.length, 2, 'the pending record is not covered');
    t.match(issued.data.certificateNumber, CERTIFICATE_NUMBER_PATTERN);
    t.equal(
      volunteerIdOfCertificateNumber(issued.data.certificateNumber),
      null,
      'the number names no volunteer',
    );
    t.ok(certificateNumberCheckPasses(issued.data.certificateNumber), 'its check character matches');
    t.equal(issued.data.sequence, 1, 'numbered per volunteer from 1');

    const second = given(t, [...events, issued])
      .when(issue())
      .then([{ type: 'ServiceCertificateIssued', data: { sequence: 2 } }]);
    t.match(second[0]?.data, { sequence: 2, certificateNumber: CERTIFICATE_NUMBER_PATTERN });
    const state = foldVolunteer([...events, issued, ...second]);
    t.same([...state.certificates.keys()].length, 2, 'the state keeps both certificates');
  },
);

t.test('a period limits the records; an empty or inverted period is rejected', async (t) => {
  const events = withService(t);
  given(t, events)
    .when(issue({ serviceFrom: local(9, 0), serviceUntil: local(10, 0) }))
    .then([
      {
        type: 'ServiceCertificateIssued',
        data: { confirmedMinutes: 180, serviceFrom: local(9, 0), serviceUntil: local(10, 0) },
      },
    ]);
  given(t, events)
    .when(issue({ serviceFrom: local(1, 0), serviceUntil: local(5, 0) }))
    .thenFails('NO_CERTIFIABLE_SERVICE');
  given(t, events)
    .when(issue({ serviceFrom: local(9, 0), serviceUntil: local(9, 0) }))
    .thenFails('CERTIFICATE_PERIOD_INVALID');
  // Found over HTTP: a period from year 0 was accepted, and the PDF printed 服务时间 1年01月01日.
  given(t, events)
    .when(issue({ serviceFrom: '0000-01-01T00:00:00.000Z' }))
    .thenFails('CERTIFICATE_PERIOD_INVALID');
  t.ok(foldVolunteer(events).birthDate !== null, 'the volunteer’s birth date is known');
  given(t, history(t, [register()]))
    .when(issue())
    .thenFails('NO_CERTIFIABLE_SERVICE');
});

t.test('only the desk of the volunteer’s community or an administrator issues certificates', async (t) => {
  const events = withService(t);
  given(t, events)
    .when(issue({ actor: DESK }))
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, events)
    .when(issue({ actor: { id: 'worker-1', role: 'organiser', organisationId: 'Qiaoxi' } }))
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, events)
    .when(issue({ actor: ADMIN }))
    .then([{ type: 'ServiceCertificateIssued', data: { actor: ADMIN } }]);
  given(t, []).when(issue()).thenFails('VOLUNTEER_NOT_FOUND');
});

t.test('an inactive volunteer still gets a certificate of past service', async (t) => {
  const events = history(
    t,
    [
      {
        type: 'DeactivateVolunteer',
        idempotencyKey: 'leave',
        actor: DESK,
        volunteerId: VOLUNTEER_ID,
        reason: 'moved',
      },
    ],
    testContext(),
    withService(t),
  );
  given(t, events)
    .when(issue())
    .then([{ type: 'ServiceCertificateIssued' }]);
});

t.test('the same idempotency key decides nothing new; a different command with it is rejected', async (t) => {
  const events = withService(t);
  const command = issue();
  const issued = given(t, events)
    .when(command)
    .then([{ type: 'ServiceCertificateIssued' }]);
  given(t, [...events, ...issued])
    .when(command)
    .then([]);
  given(t, [...events, ...issued])
    .when({
      type: 'ApplyForStarRating',
      idempotencyKey: command.idempotencyKey,
      actor: DESK,
      volunteerId: VOLUNTEER_ID,
    })
    .thenFails('IDEMPOTENCY_KEY_REUSED');
});

t.test('a later void of a covered record leaves the certificate unchanged and is reported', async (t) => {
  const events = withService(t);
  const issued = given(t, events)
    .when(issue())
    .then([{ type: 'ServiceCertificateIssued' }]);
  const first = issued[0];
  if (first?.type !== 'ServiceCertificateIssued') return;
  const coveredId = first.data.recordIds[0]!;
  const voided = history(
    t,
    [
      {
        type: 'VoidServiceRecord',
        idempotencyKey: 'void-1',
        actor: ADMIN,
        volunteerId: VOLUNTEER_ID,
        recordId: coveredId,
        reasonCode: 'fraudulent_record',
      },
    ],
    testContext(),
    [...events, ...issued],
  );
  const state = foldVolunteer(voided);
  t.same(amendedCertificateRecords(state, first.data.certificateNumber), [coveredId]);
  t.equal(state.certificates.get(first.data.certificateNumber)?.confirmedMinutes, 300, 'the snapshot stands');
  t.same(amendedCertificateRecords(foldVolunteer([...events, ...issued]), first.data.certificateNumber), []);
});

t.test(
  'certificate numbers: stream, sequence and an unguessable code; malformed numbers name nothing',
  async (t) => {
    const number = certificateNumberFor(VOLUNTEER_ID, 12, 'id-abc');
    t.match(number, /^SC[0-9A-Z]{26}-0012-[0-9A-Z]{8}$/);
    t.equal(certificateNumberFor(VOLUNTEER_ID, 12, 'id-abc'), number, 'deterministic');
    t.not(certificateNumberFor(VOLUNTEER_ID, 12, 'id-abd'), number, 'the code depends on the issuing id');
    t.equal(
      volunteerIdOfCertificateNumber(normaliseCertificateNumber(` ${number.toLowerCase()} `)),
      VOLUNTEER_ID,
    );
    const max = `v${'f'.repeat(32)}`;
    t.equal(volunteerIdOfCertificateNumber(certificateNumberFor(max, 1, 'x')), max);
    const min = `v${'0'.repeat(32)}`;
    t.equal(volunteerIdOfCertificateNumber(certificateNumberFor(min, 999_999_999, 'x')), min);
    for (const bad of [
      '',
      'SC',
      number.replace(/^SC/, 'XX'),
      number.replace(/-0012-/, '-12-'),
      `${number}0`,
      `SC8${number.slice(3)}`,
      number.replace(/.$/, 'U'),
    ]) {
      t.equal(volunteerIdOfCertificateNumber(bad), null, `malformed: ${JSON.stringify(bad)}`);
    }
    t.throws(() => certificateNumberFor('v1', 1, 'x'), /derived volunteer id/);
    t.throws(() => certificateNumberFor(VOLUNTEER_ID, 0, 'x'), /sequence/);
  },
);

t.test(
  'a new number names nobody, and its check character catches one wrong character or one swap',
  async (t) => {
    const number = certificateNumberV2For('id0123456789abcdef0123456789abcdef');
    t.match(number, CERTIFICATE_NUMBER_PATTERN);
    t.equal(volunteerIdOfCertificateNumber(number), null);
    t.ok(certificateNumberCheckPasses(number));
    t.not(
      certificateNumberV2For('id0123456789abcdef0123456789abcdee'),
      number,
      'the number depends on the issuing id',
    );
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const positions = [...number].flatMap((character, index) =>
      index > 3 && character !== '-' ? [index] : [],
    );
    let changed = 0;
    for (const index of positions) {
      for (const other of alphabet) {
        if (other === number[index]) continue;
        const typo = number.slice(0, index) + other + number.slice(index + 1);
        if (certificateNumberCheckPasses(typo)) t.fail(`${typo} passes the check`);
        changed += 1;
      }
    }
    t.equal(changed, 17 * 31, 'every single wrong character is caught');
    const body = positions.filter((index) => index < number.length - 1);
    for (let at = 0; at + 1 < body.length; at += 1) {
      const [left, right] = [body[at]!, body[at + 1]!];
      if (number[left] === number[right]) continue;
      const characters = [...number];
      [characters[left], characters[right]] = [characters[right]!, characters[left]!];
      t.notOk(
        certificateNumberCheckPasses(characters.join('')),
        `swapping positions ${left} and ${right} is caught`,
      );
    }
  },
);
