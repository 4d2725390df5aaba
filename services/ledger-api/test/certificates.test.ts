/**
 * Service certificates over HTTP: a desk issues, lists and reprints them; anyone verifies one by
 * its number without a key and learns only what a verifier needs; the public route is rate
 * limited per address.
 */
import t from 'tap';
import { certificateNumberCheckPasses } from '@timebank/domain';
import { hoursAgo, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const ISSUER = {
  organisationName: 'Qiaoxi Volunteer Service Station',
  personInCharge: 'Zhang Min',
  handler: 'Wang Fang',
  contact: '0311-5550000',
};

interface Certificate {
  certificateNumber: string;
  volunteerNumber: string;
  confirmedMinutes: number;
  serviceHours: string;
  recordIds: string[];
  amendedRecordIds: string[];
  position: string;
}

/** A volunteer of c1 with 2 h + 1.5 h confirmed and 1 h pending. */
async function volunteerWithService(w: World, seed: number) {
  const volunteerId = await w.registerVolunteer(seed);
  const first = await w.earn(volunteerId, 2, 50);
  const second = await w.earn(volunteerId, 1.5, 30);
  const pending = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.admin, {
    activity: 'Tutoring',
    organisationId: 'org1',
    startAt: hoursAgo(10),
    endAt: hoursAgo(9),
  });
  t.equal(pending.statusCode, 201);
  return { volunteerId, recordIds: [first, second] };
}

t.test('a desk issues a numbered certificate of confirmed service, lists and reprints it', async (t) => {
  const w = await startWorld(t);
  const { volunteerId, recordIds } = await volunteerWithService(w, 1);
  const url = `/v1/volunteers/${volunteerId}/certificates`;
  const issued = await w.post(url, w.desk, { issuer: ISSUER }, 'certificate-1');
  t.equal(issued.statusCode, 201, issued.body);
  const certificate = issued.json<Certificate>();
  t.match(certificate, {
    certificateNumber: /^SC2(-[0-9A-Z]{4}){4}-[0-9A-Z]$/,
    sequence: 1,
    volunteerId,
    volunteerNumber: /^TB/,
    name: 'Volunteer 1',
    idType: 'resident_identity_card',
    nationalIdMasked: /^1301\*+\d{3}[0-9X]$/,
    community: 'c1',
    confirmedMinutes: 210,
    serviceHours: '3.50',
    activities: [
      { activity: 'Reading to elders', organisationId: 'org1', durationMinutes: 210, recordCount: 2 },
    ],
    issuer: ISSUER,
    issueDate: /^\d{4}-\d{2}-\d{2}$/,
    amendedRecordIds: [],
    position: /^\d+$/,
  });
  t.same(certificate.recordIds, recordIds, 'the pending record is not covered');

  const replay = await w.post(url, w.desk, { issuer: ISSUER }, 'certificate-1');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(replay.json<Certificate>().certificateNumber, certificate.certificateNumber);

  const second = await w.post(url, w.desk, { issuer: ISSUER, serviceFrom: hoursAgo(40) });
  t.equal(second.statusCode, 201);
  t.match(second.json(), { sequence: 2, confirmedMinutes: 90, certificateNumber: /^SC2-/ });

  const listed = await w.get(url, w.desk);
  t.equal(listed.statusCode, 200);
  t.match(listed.json(), {
    volunteerId,
    certificates: [
      {
        certificateNumber: certificate.certificateNumber,
        sequence: 1,
        confirmedMinutes: 210,
        amended: false,
      },
      { sequence: 2, confirmedMinutes: 90 },
    ],
  });

  const reprint = await w.get(`${url}/${certificate.certificateNumber.toLowerCase()}`, w.desk);
  t.equal(reprint.statusCode, 200, 'numbers are accepted in lower case');
  const { position: _position, ...printed } = certificate;
  t.same(reprint.json(), printed, 'the reprint is the issued certificate');
});

t.test(
  'certificate rejections: no confirmed service, bad period, unknown number, other community',
  async (t) => {
    const w = await startWorld(t);
    const { volunteerId } = await volunteerWithService(w, 2);
    const url = `/v1/volunteers/${volunteerId}/certificates`;
    const fresh = await w.registerVolunteer(3);
    const none = await w.post(`/v1/volunteers/${fresh}/certificates`, w.desk, { issuer: ISSUER });
    t.equal(none.statusCode, 422);
    t.equal(problemOf(t, none).code, 'NO_CERTIFIABLE_SERVICE');
    const inverted = await w.post(url, w.desk, {
      issuer: ISSUER,
      serviceFrom: hoursAgo(1),
      serviceUntil: hoursAgo(2),
    });
    t.equal(inverted.statusCode, 422);
    t.equal(problemOf(t, inverted).code, 'CERTIFICATE_PERIOD_INVALID');
    const missingIssuerField = await w.post(url, w.desk, { issuer: { ...ISSUER, contact: undefined } });
    t.match(problemOf(t, missingIssuerField), {
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'body.issuer.contact' }],
    });

    const issued = (await w.post(url, w.desk, { issuer: ISSUER })).json<Certificate>();
    const other = await w.registerVolunteer(4);
    const elsewhere = await w.get(`/v1/volunteers/${other}/certificates/${issued.certificateNumber}`, w.desk);
    t.equal(elsewhere.statusCode, 404, "another volunteer's number is not found on this volunteer");
    t.equal(problemOf(t, elsewhere).code, 'CERTIFICATE_NOT_FOUND');
    const malformed = await w.get(`${url}/SC-123`, w.desk);
    t.match(problemOf(t, malformed), {
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'params.certificateNumber' }],
    });
    const otherDesk = await w.post(url, w.otherDesk, { issuer: ISSUER });
    t.equal(problemOf(t, otherDesk).code, 'FORBIDDEN');
    const unknownVolunteer = await w.get('/v1/volunteers/vunknown/certificates', w.admin);
    t.equal(problemOf(t, unknownVolunteer).code, 'VOLUNTEER_NOT_FOUND');
    t.equal(
      problemOf(t, await w.post('/v1/volunteers/vunknown/certificates', w.admin, { issuer: ISSUER })).code,
      'VOLUNTEER_NOT_FOUND',
    );
  },
);

/** Another number with a valid check character: the first character after `SC2-` changed, the check recomputed. */
function wellFormedNumber(number: string): string {
  for (const character of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
    for (const check of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
      const candidate = `SC2-${character}${number.slice(5, -1)}${check}`;
      if (candidate !== number && certificateNumberCheckPasses(candidate)) return candidate;
    }
  }
  throw new Error('no other well-formed number');
}

t.test('anyone verifies a certificate by number and learns only what a verifier needs', async (t) => {
  const w = await startWorld(t);
  const { volunteerId, recordIds } = await volunteerWithService(w, 5);
  const issued = (
    await w.post(`/v1/volunteers/${volunteerId}/certificates`, w.desk, { issuer: ISSUER })
  ).json<Certificate>();
  const verify = (number: string) =>
    w.app.inject({ method: 'GET', url: `/v1/certificates/${number}/verification` });

  const verified = await verify(issued.certificateNumber);
  t.equal(verified.statusCode, 200, 'no API key needed');
  t.same(verified.json(), {
    certificateNumber: issued.certificateNumber,
    valid: true,
    status: 'valid',
    certificate: {
      holderName: 'V**********',
      idType: 'resident_identity_card',
      nationalIdMasked: verified.json<{ certificate: { nationalIdMasked: string } }>().certificate
        .nationalIdMasked,
      confirmedMinutes: 210,
      serviceHours: '3.50',
      serviceFrom: null,
      serviceUntil: null,
      issueDate: verified.json<{ certificate: { issueDate: string } }>().certificate.issueDate,
      issuer: { organisationName: ISSUER.organisationName, community: 'c1' },
    },
  });
  for (const secret of [volunteerId, issued.volunteerNumber, 'Volunteer 5', ISSUER.handler, recordIds[0]!]) {
    t.notMatch(verified.body, secret, 'the verification reveals no identity, record or staff data');
  }

  const spaced = await verify(encodeURIComponent(` ${issued.certificateNumber.toLowerCase()} `));
  t.equal(spaced.statusCode, 400, 'spaces in a path are not a number');
  const lower = await verify(issued.certificateNumber.toLowerCase());
  t.match(lower.json(), { valid: true, certificateNumber: issued.certificateNumber });

  const forged = issued.certificateNumber.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
  t.same((await verify(forged)).json(), {
    certificateNumber: forged,
    valid: false,
    status: 'unknown',
    certificate: null,
  });
  // A well-formed number with a matching check character that was never issued.
  const neverIssued = wellFormedNumber(issued.certificateNumber);
  t.match((await verify(neverIssued)).json(), { valid: false, status: 'unknown' });
  t.match(problemOf(t, await verify('not-a-number')), { code: 'VALIDATION_FAILED' });

  const voided = await w.post(`/v1/volunteers/${volunteerId}/service-records/${recordIds[0]}/void`, w.admin, {
    reasonCode: 'fraudulent_record',
  });
  t.equal(voided.statusCode, 200);
  t.match((await verify(issued.certificateNumber)).json(), {
    valid: false,
    status: 'amended',
    certificate: { confirmedMinutes: 210 },
  });
  t.match(
    (await w.get(`/v1/volunteers/${volunteerId}/certificates/${issued.certificateNumber}`, w.desk)).json(),
    {
      confirmedMinutes: 210,
      amendedRecordIds: [recordIds[0]],
    },
  );
});

t.test('the public verification route is rate limited per client address', async (t) => {
  const w = await startWorld(t, { CERTIFICATE_VERIFICATIONS_MAX: '3' });
  const { volunteerId } = await volunteerWithService(w, 6);
  const issued = (
    await w.post(`/v1/volunteers/${volunteerId}/certificates`, w.desk, { issuer: ISSUER })
  ).json<Certificate>();
  const url = `/v1/certificates/${issued.certificateNumber}/verification`;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    t.equal((await w.app.inject({ method: 'GET', url })).statusCode, 200, `verification ${attempt}`);
  }
  const limited = await w.app.inject({ method: 'GET', url, headers: { authorization: w.admin } });
  t.equal(limited.statusCode, 429, 'a key does not lift the per-address limit');
  t.equal(problemOf(t, limited).code, 'RATE_LIMITED');
  const other = await w.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.7' });
  t.equal(other.statusCode, 200, 'another address has its own budget');
  t.equal(
    (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).statusCode,
    200,
    'keyed routes are unaffected',
  );
});
