/**
 * On the desk's volunteer card: file a dispute on the volunteer's behalf
 * (`POST /v1/volunteers/:volunteerId/disputes`, desk and admin only, docs/api.md "Disputes"). The
 * volunteer's own 记录有误 screen sends them here: the desk checks who is asking, then names the
 * record (wrong times, not theirs) or, for hours never recorded, the organisation that ran the
 * activity (picked from the registered ones, or typed: dispute-organisation.ts), in the
 * volunteer's words. The form checks all of it before sending, and keeps one idempotency key until a dispute is filed, so
 * a double click or a retry after a lost answer files one dispute.
 */
import { textRuleViolation, type DISPUTE_KINDS } from '@timebank/domain';
import { call } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { formatServicePeriod, t } from '../lib/i18n.js';
import { statusArea, submitting } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { organisationPicker, type OrganisationPicker } from './dispute-organisation.js';
import type { HistoryEvent } from './volunteer-card.js';

/** The volunteer's words: at most 2,000 characters (the API's `freeTextSchema({ lengthMax: 2000 })`). */
const TEXT_LENGTH_MAX = 2000;
type DisputeKind = (typeof DISPUTE_KINDS)[number];
/**
 * The kinds in the order the form offers them. Spelled here, typed by the domain's list: importing
 * the list itself would bundle the module of event schemas it lives in, and zod with it.
 */
const KINDS: readonly DisputeKind[] = ['wrong_times', 'not_mine', 'missing_hours'];

interface DisputableRecord {
  readonly recordId: string;
  readonly activity: string;
  readonly organisationId: string;
  readonly startAt: string;
  readonly endAt: string;
}

function recordOf(data: unknown): DisputableRecord | null {
  if (typeof data !== 'object' || data === null) return null;
  const { recordId, activity, organisationId, startAt, endAt } = data as Record<string, unknown>;
  return typeof recordId === 'string' &&
    typeof activity === 'string' &&
    typeof organisationId === 'string' &&
    typeof startAt === 'string' &&
    typeof endAt === 'string'
    ? { recordId, activity, organisationId, startAt, endAt }
    : null;
}

/**
 * The records a dispute can name, folded from the history as the domain folds them: recorded,
 * and neither rejected, voided nor replaced by a correction (the correction's record takes its place).
 */
export function disputableRecords(events: readonly HistoryEvent[]): DisputableRecord[] {
  const records = new Map<string, DisputableRecord>();
  for (const event of events) {
    const { recordId, replacement } = event.data;
    if (event.type === 'ServiceHoursRecorded') {
      const record = recordOf(event.data);
      if (record !== null) records.set(record.recordId, record);
    } else if (
      typeof recordId === 'string' &&
      /^(ServiceHoursRejected|ServiceRecordVoided)$/.test(event.type)
    ) {
      records.delete(recordId);
    } else if (event.type === 'ServiceRecordCorrected' && typeof recordId === 'string') {
      records.delete(recordId);
      const record = recordOf(replacement);
      if (record !== null) records.set(record.recordId, record);
    }
  }
  return [...records.values()].reverse();
}

interface DisputeFields {
  readonly kind: HTMLSelectElement;
  readonly recordId: HTMLSelectElement;
  readonly organisation: OrganisationPicker;
  readonly text: HTMLTextAreaElement;
}

function disputeFields(session: Session, records: readonly DisputableRecord[]): DisputeFields {
  const kind = h(
    'select',
    { name: 'kind', id: 'dispute-kind', required: true },
    h('option', { value: '' }, t('dDispute.kindChoose')),
    ...KINDS.map((value) => h('option', { value }, t(`disputes.kind.${value}`))),
  );
  const recordId = h(
    'select',
    { name: 'recordId', id: 'dispute-record' },
    h('option', { value: '' }, records.length === 0 ? t('dDispute.noRecords') : t('dDispute.recordChoose')),
    ...records.map((record) =>
      h(
        'option',
        { value: record.recordId },
        t('dDispute.recordOption', {
          when: formatServicePeriod(record.startAt, record.endAt),
          activity: record.activity,
          organisation: record.organisationId,
        }),
      ),
    ),
  );
  const text = h('textarea', { name: 'text', id: 'dispute-text', rows: 4, maxlength: TEXT_LENGTH_MAX });
  return { kind, recordId, organisation: organisationPicker(session), text };
}

/** What is wrong with the form, as the input to fix and the sentence saying so; null when it can go. */
function invalidField(
  fields: DisputeFields,
  words: string,
): { readonly input: HTMLElement; readonly message: string } | null {
  const kind = fields.kind.value as DisputeKind | '';
  if (kind === '') return { input: fields.kind, message: t('dDispute.kindNeeded') };
  if (kind === 'missing_hours') {
    const organisation = fields.organisation.invalid();
    if (organisation !== null) return organisation;
  } else if (fields.recordId.value === '') {
    return { input: fields.recordId, message: t('dDispute.recordNeeded') };
  }
  if (words === '') return { input: fields.text, message: t('dDispute.textNeeded') };
  if (words.length > TEXT_LENGTH_MAX)
    return { input: fields.text, message: t('dDispute.textTooLong', { max: TEXT_LENGTH_MAX }) };
  if (textRuleViolation(words, { letterRequired: false }) !== undefined)
    return { input: fields.text, message: t('dDispute.textInvalid') };
  return null;
}

/** The request body: the record for wrong times and not mine, the organisation for missing hours. */
function disputeBody(fields: DisputeFields, words: string): Record<string, string> {
  const kind = fields.kind.value;
  return kind === 'missing_hours'
    ? { kind, organisationId: fields.organisation.value(), text: words }
    : { kind, recordId: fields.recordId.value, text: words };
}

/** Shows the record's choice or the organisation's, whichever the kind needs. */
function showFieldsOfKind(fields: DisputeFields): void {
  const missing = fields.kind.value === 'missing_hours';
  const chosen = fields.kind.value !== '';
  fields.organisation.show(missing);
  fields.recordId.closest('.field')?.toggleAttribute('hidden', missing || !chosen);
}

export function cardDispute(
  session: Session,
  volunteerId: string,
  events: readonly HistoryEvent[],
  reload: (notice: string) => void,
): HTMLElement {
  const fields = disputeFields(session, disputableRecords(events));
  const status = statusArea();
  const button = h('button', { type: 'submit', id: 'file-dispute' }, t('dDispute.submit'));
  const form = h(
    'form',
    { id: 'dispute-form', novalidate: true },
    h('p', { class: 'hint' }, t('dDispute.intro')),
    field(t('dDispute.kind'), fields.kind),
    field(t('dDispute.record'), fields.recordId),
    ...fields.organisation.fields,
    field(t('dDispute.text'), fields.text),
    button,
    status.element,
  );
  showFieldsOfKind(fields);
  fields.kind.addEventListener('change', () => showFieldsOfKind(fields));
  // One key until a dispute is filed: a second press, or a retry after a timeout or a lost
  // answer, repeats the same request, which the API answers with the dispute it already filed.
  // A refused request filed nothing, so the same key may carry the corrected one.
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    for (const input of [fields.kind, fields.recordId, ...fields.organisation.inputs, fields.text])
      input.removeAttribute('aria-invalid');
    // The API takes one line of text: the clerk's line breaks become spaces.
    const words = fields.text.value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    const invalid = invalidField(fields, words);
    if (invalid !== null) {
      invalid.input.setAttribute('aria-invalid', 'true');
      status.show('error', invalid.message);
      invalid.input.focus();
      return;
    }
    const body = disputeBody(fields, words);
    void submitting(button, status, async () => {
      const filed = await call<{ disputeId: string; organisationId: string }>(
        session,
        `/v1/volunteers/${encodeURIComponent(volunteerId)}/disputes`,
        { method: 'POST', body, idempotencyKey, retryReusesKey: true },
      );
      idempotencyKey = crypto.randomUUID();
      reload(t('dDispute.filed', { organisation: filed.organisationId }));
    });
  });
  return h(
    'div',
    { class: 'actions' },
    h('h3', {}, t('dDispute.title')),
    h('details', { id: 'dispute' }, h('summary', {}, t('dDispute.open')), form),
  );
}
