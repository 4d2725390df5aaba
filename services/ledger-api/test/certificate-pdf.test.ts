/**
 * The certificate as a PDF over HTTP: the text poppler extracts holds every field label of the
 * national guidance and this volunteer's values, the CJK font is embedded as a subset, the page
 * is A4, and the route answers like the JSON route (404 for an unknown number, the erasure
 * placeholder after an erasure). Needs poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm),
 * which .ci/run installs. With CERTIFICATE_IMAGE_OUT set, page 1 is also written there as PNG
 * (how docs/img/certificate.png is made).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { certificateNumberV2For, ERASED_TEXT } from '@timebank/domain';
import { hoursAgo, nationalIdNumber, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const run = promisify(execFile);

const NAME = '李秀英';
const ISSUER = {
  organisationName: '桥西区志愿服务站',
  personInCharge: '张敏',
  handler: '王芳',
  contact: '0311-5550000',
};
const LABELS = [
  '志愿服务证明',
  '姓名',
  '证件类型',
  '证件号码',
  '志愿者编号',
  '服务时长',
  '服务内容',
  '出具单位',
  '负责人',
  '经办人',
  '联系方式',
  '证明编号',
  '出具日期',
];

interface Certificate {
  certificateNumber: string;
  volunteerNumber: string;
  nationalIdMasked: string;
  serviceHours: string;
  issueDate: string;
}

/** A volunteer of c1 named in Chinese, with 2.5 confirmed hours of one activity, and a certificate. */
async function certifiedVolunteer(w: World): Promise<{ volunteerId: string; certificate: Certificate }> {
  const registered = await w.post('/v1/volunteers', w.desk, {
    name: NAME,
    nationalIdNumber: nationalIdNumber(31_415),
    phone: '+86-311-5551234',
    community: 'c1',
  });
  t.equal(registered.statusCode, 201, registered.body);
  const { volunteerId } = registered.json<{ volunteerId: string }>();
  const recorded = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.admin, {
    activity: '陪伴老人读书',
    organisationId: 'org1',
    startAt: hoursAgo(30.5),
    endAt: hoursAgo(28),
  });
  t.equal(recorded.statusCode, 201, recorded.body);
  const { recordId } = recorded.json<{ recordId: string }>();
  const confirmed = await w.post(
    `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`,
    w.admin,
    {},
  );
  t.equal(confirmed.statusCode, 200, confirmed.body);
  const issued = await w.post(`/v1/volunteers/${volunteerId}/certificates`, w.desk, { issuer: ISSUER });
  t.equal(issued.statusCode, 201, issued.body);
  return { volunteerId, certificate: issued.json<Certificate>() };
}

async function poppler(t: Test, pdf: Buffer) {
  const directory = await mkdtemp(join(tmpdir(), 'certificate-pdf-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const file = join(directory, 'certificate.pdf');
  await writeFile(file, pdf);
  const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
  const fonts = (await run('pdffonts', [file])).stdout;
  const info = (await run('pdfinfo', [file])).stdout;
  return { directory, file, text, fonts, info };
}

// The first test of this file, so that the renderer (pdfkit and its fonts, loaded on the first PDF
// asked for) is loaded here: two first requests at once both get a PDF.
t.test('the first two PDFs asked for at once, while the renderer loads, are both printed', async (t) => {
  const w = await startWorld(t);
  const { volunteerId, certificate } = await certifiedVolunteer(w);
  const url = `/v1/volunteers/${volunteerId}/certificates/${certificate.certificateNumber}.pdf`;
  const responses = await Promise.all([w.get(url, w.desk), w.get(url, w.admin)]);
  for (const response of responses) {
    t.equal(response.statusCode, 200, response.body.slice(0, 200));
    t.equal(response.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
  }
});

t.test(
  'a desk prints a certificate as an A4 PDF with every field, a subset CJK font and a QR code',
  async (t) => {
    const w = await startWorld(t);
    const { volunteerId, certificate } = await certifiedVolunteer(w);
    const url = `/v1/volunteers/${volunteerId}/certificates/${certificate.certificateNumber}.pdf`;
    const response = await w.get(url, w.desk);
    t.equal(response.statusCode, 200);
    t.equal(response.headers['content-type'], 'application/pdf');
    t.match(response.headers['content-disposition'], `${certificate.certificateNumber}.pdf`);
    t.equal(response.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');

    const { directory, file, text, fonts, info } = await poppler(t, response.rawPayload);
    const flat = text.replace(/\s+/g, ' ');
    for (const label of LABELS) t.match(flat, label, `label ${label}`);
    for (const value of [
      NAME,
      '居民身份证',
      certificate.nationalIdMasked,
      certificate.volunteerNumber,
      `${certificate.serviceHours} 小时`,
      '陪伴老人读书',
      ...Object.values(ISSUER),
      certificate.certificateNumber,
      `${certificate.issueDate.slice(0, 4)}年${certificate.issueDate.slice(5, 7)}月${certificate.issueDate.slice(8, 10)}日`,
    ])
      t.match(flat, value, `value ${value}`);
    t.equal(certificate.serviceHours, '2.50');
    t.match(flat, '所属社区 c1 ', 'a community not registered in the hierarchy is printed by its id');
    t.match(
      flat,
      '陪伴老人读书（Qiaoxi Social Work Station）',
      'the organisation of the service by its registered name',
    );
    t.notMatch(flat, '（org1）', 'not by its id');
    t.match(
      flat,
      /服务时间 \d{4}年\d{2}月\d{2}日 至 \d{4}年\d{2}月\d{2}日/,
      'the span of the covered service',
    );
    t.notMatch(flat, nationalIdNumber(31_415), 'the full ID number is never printed');
    t.match(flat, `/console/verify/${certificate.certificateNumber}`, "the verification page's URL");
    t.match(
      fonts,
      /[A-Z]{6}\+\S+\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/,
      'CJK font embedded as a subset',
    );
    t.match(info, /Pages:\s+1\n/, 'one page');
    t.match(info, /Page size:\s+595\.28 x 841\.89 pts \(A4\)/, 'A4');
    t.ok(
      response.rawPayload.length < 60_000,
      `${response.rawPayload.length} bytes: the font is cut to the glyphs used`,
    );

    await run('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      join(directory, 'page'),
    ]);
    const png = await readFile(join(directory, 'page.png'));
    t.equal(png.subarray(1, 4).toString('latin1'), 'PNG', 'page 1 renders');
    const imageOut = process.env.CERTIFICATE_IMAGE_OUT;
    if (imageOut !== undefined && imageOut !== '') await copyFile(join(directory, 'page.png'), imageOut);

    const admin = await w.get(url, w.admin);
    t.equal(admin.statusCode, 200, 'an admin prints it too');
    const otherDesk = await w.get(url, w.otherDesk);
    t.equal(otherDesk.statusCode, 403, 'a desk of another community does not');
    t.equal(problemOf(t, otherDesk).code, 'FORBIDDEN');
  },
);

t.test('an unknown certificate number is 404, as on the JSON route', async (t) => {
  const w = await startWorld(t);
  const { volunteerId, certificate } = await certifiedVolunteer(w);
  // A well-formed number with a matching check character that was never issued.
  const unknown = certificateNumberV2For('an issue id no certificate had');
  t.not(unknown, certificate.certificateNumber);
  const json = await w.get(`/v1/volunteers/${volunteerId}/certificates/${unknown}`, w.desk);
  const pdf = await w.get(`/v1/volunteers/${volunteerId}/certificates/${unknown}.pdf`, w.desk);
  t.equal(json.statusCode, 404);
  t.equal(pdf.statusCode, 404);
  t.equal(problemOf(t, pdf).code, 'CERTIFICATE_NOT_FOUND');
  const malformed = await w.get(`/v1/volunteers/${volunteerId}/certificates/not-a-number.pdf`, w.desk);
  t.equal(malformed.statusCode, 400);
});

t.test(
  'after an erasure the PDF says in Chinese that the personal data was erased, never the name',
  async (t) => {
    const w = await startWorld(t);
    const { volunteerId, certificate } = await certifiedVolunteer(w);
    const erased = await w.post(`/v1/admin/volunteers/${volunteerId}/erasure`, w.admin, {
      reason: 'consent_withdrawn',
    });
    t.equal(erased.statusCode, 200, erased.body);
    const path = `/v1/volunteers/${volunteerId}/certificates/${certificate.certificateNumber}`;
    const json = await w.get(path, w.desk);
    t.equal(json.statusCode, 200);
    t.match(json.json(), { name: ERASED_TEXT });
    const pdf = await w.get(`${path}.pdf`, w.desk);
    t.equal(pdf.statusCode, 200);
    const { text } = await poppler(t, pdf.rawPayload);
    const flat = text.replace(/\s+/g, '');
    t.notMatch(text, ERASED_TEXT, "the API's placeholder token is not printed on a Chinese document");
    t.match(flat, `兹证明志愿者编号${certificate.volunteerNumber}的志愿者（个人信息已依法删除）参加志愿服务`);
    t.match(flat, '姓名个人信息已删除', 'the name field says why it is empty');
    t.match(flat, '证件号码个人信息已删除');
    t.notMatch(text, NAME);
    t.match(text, certificate.certificateNumber, 'the certificate itself still prints');
  },
);

// Found over HTTP: `Host: evil.example/phish?x=` printed http://evil.example/phish?x=/console/verify/…
// under the QR code, and an empty Host printed http:///console/verify/….
t.test('a Host header that is not a host name is refused, not printed on the certificate', async (t) => {
  const w = await startWorld(t);
  const { volunteerId, certificate } = await certifiedVolunteer(w);
  const url = `/v1/volunteers/${volunteerId}/certificates/${certificate.certificateNumber}.pdf`;
  for (const host of ['evil.example/phish?x=', 'a b', 'user@evil.example']) {
    const refused = await w.app.inject({ method: 'GET', url, headers: { authorization: w.desk, host } });
    t.equal(refused.statusCode, 400, `Host ${JSON.stringify(host)}`);
    t.equal(problemOf(t, refused).code, 'MALFORMED_REQUEST');
  }
  for (const host of ['ledger.example.cn', '127.0.0.1:3000', '[::1]:3000', 'localhost']) {
    const printed = await w.app.inject({ method: 'GET', url, headers: { authorization: w.desk, host } });
    t.equal(printed.statusCode, 200, `Host ${host} is printed`);
  }
});
