/**
 * A registered community's coordinator (专人负责) is the person in charge on its certificates,
 * in the JSON and the PDF; an administrator erases the coordinator's personal data by destroying
 * their data key, after which both show the placeholder and verify and rebuild still pass.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { ERASED_TEXT } from '@timebank/domain';
import { checkLedgerAfterErasure } from './erasure-checks.js';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';
import { filesUnder, secretsIn } from './raw-search.js';

const run = promisify(execFile);
const ISSUER = {
  organisationName: 'Qiaoxi Volunteer Service Station',
  personInCharge: 'Typed By The Desk',
  handler: 'Wang Fang',
  contact: '0311-5550000',
};
/** The fixture's coordinator of c1 and c2. */
const COORDINATOR = { name: 'Li Hua', contact: '0311-5550001' };

async function pdfText(t: Test, pdf: Buffer): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'coordinator-pdf-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const file = join(directory, 'certificate.pdf');
  await writeFile(file, pdf);
  return (await run('pdftotext', ['-layout', file, '-'])).stdout;
}

async function certify(w: World, seed: number, community: string, desk: string) {
  const volunteerId = await w.registerVolunteer(seed, community);
  await w.earn(volunteerId, 2, 5);
  const issued = await w.post(`/v1/volunteers/${volunteerId}/certificates`, desk, { issuer: ISSUER });
  t.equal(issued.statusCode, 201, issued.body);
  const certificate = issued.json<{ certificateNumber: string; issuer: Record<string, unknown> }>();
  return { volunteerId, certificate };
}

t.test('the coordinator is the person in charge until their data is erased', async (t) => {
  const w = await startWorld(t);
  await w.registerHierarchy();
  const { volunteerId, certificate } = await certify(w, 7001, 'c1', w.desk);
  t.match(certificate.issuer, {
    personInCharge: COORDINATOR.name,
    personInChargeContact: COORDINATOR.contact,
    personInChargeCoordinatorId: 'coordinator-c1',
    handler: 'Wang Fang',
  });
  const [issuedEvent] = (await w.store.readStream(`volunteer-${volunteerId}`)).filter(
    (event) => event.type === 'ServiceCertificateIssued',
  );
  t.equal(
    issuedEvent?.data.personInChargeCoordinatorId,
    'coordinator-c1',
    'the certificate names the coordinator',
  );
  t.notMatch(
    JSON.stringify(issuedEvent?.data),
    /Li Hua/,
    "the coordinator's name is not copied into the event",
  );

  const url = `/v1/volunteers/${volunteerId}/certificates/${certificate.certificateNumber}`;
  const json = await w.get(url, w.desk);
  t.match(json.json(), {
    issuer: { personInCharge: COORDINATOR.name, personInChargeContact: COORDINATOR.contact },
  });
  const pdf = await w.get(`${url}.pdf`, w.desk);
  t.equal(pdf.statusCode, 200);
  const text = await pdfText(t, pdf.rawPayload);
  t.match(text, /负责人\s+Li Hua（0311-5550001）/, 'the PDF prints the coordinator and their contact');
  // Found over HTTP: the certificate printed 所属社区 c1, the community's id, which says nothing to
  // whoever reads the paper, although the hierarchy holds the community's name.
  t.match(json.json(), { community: 'c1', communityName: 'Community c1' });
  t.match(text, /所属社区\s+Community c1\n/, "the PDF prints the community's name");

  t.equal(
    (await w.post('/v1/admin/coordinators/coordinator-c1/erasure', w.desk, { reason: 'purpose_met' }))
      .statusCode,
    403,
  );
  t.equal(
    (await w.post('/v1/admin/coordinators/coordinator-c1/erasure', w.coordinator, { reason: 'purpose_met' }))
      .statusCode,
    403,
  );
  const unknown = await w.post('/v1/admin/coordinators/nobody/erasure', w.admin, { reason: 'purpose_met' });
  t.equal(unknown.statusCode, 404);
  t.equal(problemOf(t, unknown).code, 'COORDINATOR_NOT_FOUND');
  const erased = await w.post('/v1/admin/coordinators/coordinator-c1/erasure', w.admin, {
    reason: 'service_stopped',
  });
  t.equal(erased.statusCode, 200, erased.body);
  t.match(erased.json(), { coordinatorId: 'coordinator-c1', reason: 'service_stopped' });
  const again = await w.post('/v1/admin/coordinators/coordinator-c1/erasure', w.admin, {
    reason: 'purpose_met',
  });
  t.equal(again.statusCode, 409);
  t.equal(problemOf(t, again).code, 'COORDINATOR_DATA_ERASED');

  const afterJson = await w.get(url, w.desk);
  t.match(afterJson.json(), {
    issuer: { personInCharge: ERASED_TEXT, personInChargeContact: ERASED_TEXT, handler: 'Wang Fang' },
  });
  const afterText = await pdfText(t, (await w.get(`${url}.pdf`, w.desk)).rawPayload);
  t.match(afterText, /负责人\s+个人信息已删除/, 'the PDF says the person in charge was erased, in Chinese');
  t.notMatch(afterText, /Li Hua|5550001/);
  const verification = await w.get(`/v1/certificates/${certificate.certificateNumber}/verification`, '');
  t.match(verification.json(), { valid: true, status: 'valid' }, 'the certificate still verifies');

  // A fresh process (no cached fold) reads the coordinator from the store: the key is gone.
  const reopened = await w.ledger.loadAsOf({ position: await w.store.headPosition() }, 'hierarchy');
  t.match(reopened.state.coordinators.get('coordinator-c1'), { name: ERASED_TEXT, erased: true });
  const [community] = (await w.store.readStream('city-hierarchy')).filter(
    (event) => event.type === 'CommunityRegistered' && event.data.coordinatorId === 'coordinator-c1',
  );
  t.match(
    community?.data,
    { coordinatorName: /^sealed:v1:/ },
    'the event is unchanged: ciphertext without a key',
  );
  for (const path of filesUnder(w.directory))
    t.same(secretsIn([COORDINATOR.name], path, readFileSync(path)), [], `no plain name in ${path}`);

  const reuse = await w.post('/v1/admin/communities', w.admin, {
    communityId: 'c9',
    streetId: 's1',
    name: 'Community nine',
    coordinatorId: 'coordinator-c1',
    coordinatorName: 'Li Hua',
    coordinatorContact: '0311-5550001',
  });
  t.equal(reuse.statusCode, 409, 'an erased coordinator id is never sealed again');
  t.equal(problemOf(t, reuse).code, 'COORDINATOR_DATA_ERASED');

  // A certificate issued after the erasure names no one who can never be replaced: it shows the
  // person in charge the desk gave (until this release: [erased], and the desk's text was dropped).
  const later = await certify(w, 7003, 'c1', w.desk);
  t.match(later.certificate.issuer, {
    personInCharge: ISSUER.personInCharge,
    personInChargeContact: null,
    personInChargeCoordinatorId: null,
  });
  const laterText = await pdfText(
    t,
    (
      await w.get(
        `/v1/volunteers/${later.volunteerId}/certificates/${later.certificate.certificateNumber}.pdf`,
        w.desk,
      )
    ).rawPayload,
  );
  t.match(laterText, /负责人\s+Typed By The Desk/, 'and so does its PDF');

  // c2 shares the name but not the coordinator: its certificates are untouched.
  const other = await certify(w, 7002, 'c2', w.otherDesk);
  t.match(other.certificate.issuer, {
    personInCharge: COORDINATOR.name,
    personInChargeCoordinatorId: 'coordinator-c2',
  });

  await checkLedgerAfterErasure(t, w);
});

t.test('a community without a registered coordinator keeps the desk’s person in charge', async (t) => {
  const w = await startWorld(t);
  const { certificate } = await certify(w, 7003, 'c1', w.desk);
  t.match(certificate.issuer, {
    personInCharge: ISSUER.personInCharge,
    personInChargeContact: null,
    personInChargeCoordinatorId: null,
  });
});
