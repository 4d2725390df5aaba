/**
 * A service certificate (志愿服务证明) as an A4 PDF, with every field the national guidance on
 * volunteer service records lists: name, ID type and masked number, volunteer number, hours and
 * content of service, issuing organisation, person in charge, handler, contact, certificate
 * number and date, plus a QR code of the public verification URL.
 *
 * pdfkit lays the page out and embeds the CJK font as a subset through fontkit; qrcode computes
 * the QR matrix, which is drawn here as vector squares (sharp in print at any size).
 */
import PDFDocument from 'pdfkit';
import { ERASED_TEXT } from '@timebank/domain';
import QRCode from 'qrcode';
import { hoursOf, type CertificateView } from './certificate-routes.js';
import type { CertificateFont } from './certificate-font.js';

const A4_WIDTH = 595.28;
const MARGIN = 64;
const CONTENT_WIDTH = A4_WIDTH - 2 * MARGIN;
const LABEL_WIDTH = 110;
const QR_SIZE = 104;
const INK = '#1a1a1a';
const RULE = '#8a8a8a';

/**
 * A personal field as printed: after an erasure (PIPL Art. 47) the view holds the API's
 * placeholder, `[erased]`, which a Chinese document says in words.
 */
const ERASED_PRINTED = '个人信息已删除';
const printed = (value: string): string => (value === ERASED_TEXT ? ERASED_PRINTED : value);

/** How the certificate names the ID types the ledger accepts. */
const ID_TYPE_LABELS: Readonly<Record<string, string>> = { resident_identity_card: '居民身份证' };

/** A date in the ledger's local time zone, as printed on a certificate: 2026年03月01日. */
function printedDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${year}年${month}月${day}日`;
}

function localDateOf(instant: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(instant));
}

/** The period asked for, or else the span of the service the certificate covers. */
function servicePeriod(view: CertificateView): string {
  const starts = view.activities.map((activity) => activity.firstStartAt).sort();
  const ends = view.activities.map((activity) => activity.lastEndAt).sort();
  const from = view.serviceFrom ?? starts[0];
  const until = view.serviceUntil ?? ends.at(-1);
  if (from === undefined || until === undefined) return '—';
  return `${printedDate(localDateOf(from))} 至 ${printedDate(localDateOf(until))}`;
}

/**
 * Content of service: one line per activity and organisation, with its hours and record count.
 * The organisation by its registered name; by its id only when none is registered.
 */
function serviceContent(view: CertificateView, organisationNames: OrganisationNames): string {
  if (view.activities.length === 0) return '—';
  return view.activities
    .map(
      (activity) =>
        `${activity.activity}（${organisationNames.get(activity.organisationId) ?? activity.organisationId}）：` +
        `${hoursOf(activity.durationMinutes)} 小时，` +
        `${activity.recordCount} 次`,
    )
    .join('\n');
}

/** The community coordinator (专人负责) with their contact when the certificate names one. */
function personInCharge(view: CertificateView): string {
  const { personInCharge: name, personInChargeContact: contact } = view.issuer;
  if (name === ERASED_TEXT) return ERASED_PRINTED;
  return contact === null ? name : `${name}（${printed(contact)}）`;
}

/** The labelled fields, in the order the guidance lists them. */
/** One line per training: date, title, provider and hours. */
function trainingLines(trainings: NonNullable<CertificateView['trainings']>): string {
  if (trainings.length === 0) return '—';
  return trainings
    .map(
      (training) =>
        `${printedDate(training.completedOn)} ${training.title}（${training.provider}，${hoursText(training.durationMinutes)} 小时）`,
    )
    .join('\n');
}

/** One line per commendation: date, title and who awarded it. */
function commendationLines(commendations: NonNullable<CertificateView['commendations']>): string {
  if (commendations.length === 0) return '—';
  return commendations
    .map(
      (commendation) =>
        `${printedDate(commendation.awardedOn)} ${commendation.title}（${commendation.awardedBy}）`,
    )
    .join('\n');
}

function hoursText(minutes: number): string {
  return (Math.floor((minutes * 100) / 60) / 100).toFixed(2);
}

/** The labelled fields, in the order the guidance lists them; training and commendations when asked. */
/** Registered organisation names by organisation id, for the content of service. */
export type OrganisationNames = ReadonlyMap<string, string>;

export function certificateFields(
  view: CertificateView,
  organisationNames: OrganisationNames = new Map(),
): ReadonlyArray<readonly [string, string]> {
  return [
    ['姓名', printed(view.name)],
    ['证件类型', ID_TYPE_LABELS[view.idType] ?? view.idType],
    ['证件号码', printed(view.nationalIdMasked)],
    ['志愿者编号', view.volunteerNumber],
    // A reader knows the community by its name; the id is printed only when no name is registered.
    ['所属社区', view.communityName ?? view.community],
    ['服务时间', servicePeriod(view)],
    ['服务时长', `${view.serviceHours} 小时（${view.confirmedMinutes} 分钟）`],
    ['服务内容', serviceContent(view, organisationNames)],
    ...(view.trainings === undefined ? [] : [['培训经历', trainingLines(view.trainings)] as const]),
    ...(view.commendations === undefined
      ? []
      : [['表彰奖励', commendationLines(view.commendations)] as const]),
    ['出具单位', view.issuer.organisationName],
    ['负责人', personInCharge(view)],
    ['经办人', view.issuer.handler],
    ['联系方式', view.issuer.contact],
    ['证明编号', view.certificateNumber],
    ['出具日期', printedDate(view.issueDate)],
  ];
}

function drawField(doc: PDFKit.PDFDocument, label: string, value: string): void {
  const top = doc.y;
  doc.fontSize(11).fillColor(RULE).text(label, MARGIN, top, { width: LABEL_WIDTH });
  doc
    .fontSize(12)
    .fillColor(INK)
    .text(value, MARGIN + LABEL_WIDTH, top, { width: CONTENT_WIDTH - LABEL_WIDTH, lineGap: 3 });
  const bottom = Math.max(doc.y, top + 18) + 6;
  doc
    .moveTo(MARGIN, bottom - 3)
    .lineTo(MARGIN + CONTENT_WIDTH, bottom - 3)
    .lineWidth(0.4)
    .strokeColor(RULE)
    .stroke();
  doc.y = bottom + 4;
}

/** The QR matrix as filled squares, with the quiet zone the standard asks for left blank. */
function drawQrCode(doc: PDFKit.PDFDocument, text: string, left: number, top: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const cell = QR_SIZE / modules.size;
  for (let row = 0; row < modules.size; row += 1)
    for (let column = 0; column < modules.size; column += 1)
      if (modules.get(row, column)) doc.rect(left + column * cell, top + row * cell, cell, cell);
  doc.fillColor('#000000').fill();
}

/** Who the certificate is for: by name, or, after an erasure, by volunteer number alone. */
function holderSentence(view: CertificateView): string {
  return view.name === ERASED_TEXT
    ? `兹证明志愿者编号 ${view.volunteerNumber} 的志愿者（个人信息已依法删除）`
    : `兹证明 ${view.name}（志愿者编号 ${view.volunteerNumber}）`;
}

function drawHeading(doc: PDFKit.PDFDocument, view: CertificateView): void {
  doc
    .fontSize(28)
    .fillColor(INK)
    .text('志愿服务证明', MARGIN, MARGIN + 8, {
      width: CONTENT_WIDTH,
      align: 'center',
      characterSpacing: 6,
    });
  doc.moveDown(0.3);
  doc
    .fontSize(10)
    .fillColor(RULE)
    .text(`编号：${view.certificateNumber}`, { width: CONTENT_WIDTH, align: 'center' });
  doc.moveDown(1.2);
  doc
    .fontSize(12)
    .fillColor(INK)
    .text(
      `${holderSentence(view)}参加志愿服务，` +
        `经服务组织确认的服务时长累计 ${view.serviceHours} 小时。特此证明。`,
      MARGIN,
      doc.y,
      { width: CONTENT_WIDTH, lineGap: 4 },
    );
  doc.moveDown(1);
}

function drawFooter(doc: PDFKit.PDFDocument, view: CertificateView, verificationUrl: string): void {
  const top = Math.max(doc.y + 12, 841.89 - MARGIN - QR_SIZE - 24);
  if (view.amendedRecordIds.length > 0)
    doc
      .fontSize(10)
      .fillColor(INK)
      .text(
        `注：本证明所含 ${view.amendedRecordIds.length} 条服务记录已于出具后更正或撤销，证明本身不变。`,
        MARGIN,
        top - 28,
        { width: CONTENT_WIDTH },
      );
  drawQrCode(doc, verificationUrl, MARGIN + CONTENT_WIDTH - QR_SIZE, top);
  doc
    .fontSize(10)
    .fillColor(INK)
    .text('扫描二维码或访问以下地址，凭证明编号在线核验：', MARGIN, top + 8, {
      width: CONTENT_WIDTH - QR_SIZE - 16,
    });
  doc
    .fontSize(9)
    .fillColor(RULE)
    .text(`证明编号 ${view.certificateNumber}`, {
      width: CONTENT_WIDTH - QR_SIZE - 16,
    });
  doc.moveDown(0.6);
  doc
    .fontSize(10)
    .fillColor(INK)
    .text(`出具单位：${view.issuer.organisationName}（盖章）`, { width: CONTENT_WIDTH - QR_SIZE - 16 })
    .text(printedDate(view.issueDate), { width: CONTENT_WIDTH - QR_SIZE - 16 });
  // On one line below the code, so that it can be typed in (and extracted) whole.
  doc
    .fontSize(7)
    .fillColor(RULE)
    .text(verificationUrl, MARGIN, top + QR_SIZE + 6, {
      width: CONTENT_WIDTH,
      align: 'right',
      lineBreak: false,
    });
}

/** The certificate as PDF bytes. */
export function renderCertificatePdf(
  view: CertificateView,
  font: CertificateFont,
  verificationUrl: string,
  organisationNames: OrganisationNames = new Map(),
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: `志愿服务证明 ${view.certificateNumber}`, Subject: '志愿服务证明' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('certificate', font.bytes, font.face);
  doc.font('certificate');
  drawHeading(doc, view);
  for (const [label, value] of certificateFields(view, organisationNames)) drawField(doc, label, value);
  drawFooter(doc, view, verificationUrl);
  doc.end();
  return done;
}
