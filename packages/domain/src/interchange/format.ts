/**
 * The interchange format for the national volunteer platform (docs/interchange.md): one table of
 * rows, each a record of one kind, in the five categories of 民政部令第67号 Art. 4 — personal basic
 * information (`volunteer`), service details (`service`), training, commendations and
 * evaluations. The same columns are used in CSV and JSON; an import reads the first four kinds.
 */
import { z } from 'zod';
import { idSchema, instantSchema } from '../events/common.js';
import { calendarDateSchema, RECORD_SOURCE_SYSTEMS } from '../events/record-events.js';
import { QUALITY_GRADES } from '../rules.js';

export const INTERCHANGE_FORMAT = 'timebank-interchange';
export const INTERCHANGE_VERSION = 1;

export const RECORD_KINDS = ['volunteer', 'service', 'training', 'commendation', 'evaluation'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Every column, in file order. Which apply to which kind is in docs/interchange.md. */
export const INTERCHANGE_COLUMNS = [
  'record_kind',
  'source_system',
  'source_record_id',
  'volunteer_id',
  'volunteer_number',
  'platform_volunteer_number',
  'name',
  'national_id_number',
  'national_id_masked',
  'phone',
  'community',
  'status',
  'personal_data_erased',
  'star_level',
  'record_id',
  'activity',
  'organisation_id',
  'start_at',
  'end_at',
  'duration_minutes',
  'quality_grade',
  'title',
  'provider',
  'completed_on',
  'awarded_by',
  'awarded_on',
  'recorded_at',
] as const;
export type InterchangeColumn = (typeof INTERCHANGE_COLUMNS)[number];
export type InterchangeRow = Partial<Record<InterchangeColumn, string>>;

const platformNumber = z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'expected 1-40 letters, digits and dashes');
const text = z.string().trim().min(1).max(200);
const minutes = z
  .string()
  .regex(/^[1-9][0-9]{0,5}$/, 'expected a whole number of minutes')
  .transform(Number);

const source = {
  source_system: z.enum(RECORD_SOURCE_SYSTEMS),
  source_record_id: idSchema,
};
/** Who a service, training or commendation row is about: the platform's number, or ours. */
const subject = {
  platform_volunteer_number: platformNumber.optional(),
  volunteer_number: idSchema.optional(),
};

export const importRowSchemas = {
  volunteer: z.object({
    ...source,
    platform_volunteer_number: platformNumber.optional(),
    name: text,
    national_id_number: z.string().min(1).max(40),
    phone: z.string().regex(/^\+?[0-9-]{5,20}$/, 'expected 5-20 digits, dashes, optional leading +'),
    community: idSchema,
  }),
  service: z.object({
    ...source,
    ...subject,
    activity: text,
    organisation_id: idSchema,
    start_at: instantSchema,
    end_at: instantSchema,
    quality_grade: z.enum(QUALITY_GRADES).optional(),
  }),
  training: z.object({
    ...source,
    ...subject,
    title: text,
    provider: text,
    completed_on: calendarDateSchema,
    duration_minutes: minutes,
  }),
  commendation: z.object({
    ...source,
    ...subject,
    title: text,
    awarded_by: text,
    awarded_on: calendarDateSchema,
  }),
} as const;

export type ImportKind = keyof typeof importRowSchemas;
export type ImportRow = {
  [K in ImportKind]: { kind: K; row: number; fields: z.output<(typeof importRowSchemas)[K]> };
}[ImportKind];

/** Why a row was not imported: the 1-based row number (header excluded), the field, a stable code. */
export interface Rejection {
  readonly row: number;
  readonly field: string | null;
  readonly code: string;
  readonly message: string;
  readonly sourceRecordId: string | null;
}

function sourceIdOf(input: Readonly<Record<string, unknown>>): string | null {
  const id = input.source_record_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** One input row, checked against its kind's columns: a typed row or a rejection naming the field. */
export function parseImportRow(input: Readonly<Record<string, unknown>>, row: number): ImportRow | Rejection {
  const kind = input.record_kind;
  const sourceRecordId = sourceIdOf(input);
  if (kind !== 'volunteer' && kind !== 'service' && kind !== 'training' && kind !== 'commendation') {
    return {
      row,
      field: 'record_kind',
      code: kind === undefined || kind === '' ? 'MISSING_FIELD' : 'UNKNOWN_RECORD_KIND',
      message: 'record_kind must be volunteer, service, training or commendation',
      sourceRecordId,
    };
  }
  const parsed = importRowSchemas[kind].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || null;
    const missing = field !== null && (input[field] === undefined || input[field] === '');
    return {
      row,
      field,
      code: missing ? 'MISSING_FIELD' : 'INVALID_FIELD',
      message: issue.message,
      sourceRecordId,
    };
  }
  if (kind !== 'volunteer') {
    const fields = parsed.data as { platform_volunteer_number?: string; volunteer_number?: string };
    if (fields.platform_volunteer_number === undefined && fields.volunteer_number === undefined)
      return {
        row,
        field: 'platform_volunteer_number',
        code: 'MISSING_FIELD',
        message:
          'a service, training or commendation row names its volunteer by platform_volunteer_number or volunteer_number',
        sourceRecordId,
      };
  }
  return { kind, row, fields: parsed.data } as ImportRow;
}

/** The JSON file's shape: the format's name and version, and the rows with the CSV's columns as keys. */
export interface InterchangeDocument {
  readonly format: typeof INTERCHANGE_FORMAT;
  readonly version: typeof INTERCHANGE_VERSION;
  readonly period?: string;
  readonly exportedAt?: string;
  readonly records: readonly InterchangeRow[];
}

/** The rows of a JSON document, or a message saying why it is not one. */
export function rowsOfJson(value: unknown): Record<string, unknown>[] | string {
  if (typeof value !== 'object' || value === null) return 'the JSON file is not an object';
  const document = value as Partial<InterchangeDocument>;
  if (document.format !== INTERCHANGE_FORMAT) return `the JSON file's format is not ${INTERCHANGE_FORMAT}`;
  if (document.version !== INTERCHANGE_VERSION)
    return `the JSON file's version is not ${INTERCHANGE_VERSION}`;
  if (!Array.isArray(document.records)) return 'the JSON file has no records array';
  // Numbers are accepted where the CSV has digits, so both files read the same way.
  return (document.records as unknown[]).map((record) =>
    typeof record === 'object' && record !== null && !Array.isArray(record)
      ? Object.fromEntries(
          Object.entries(record).map(([key, item]) => [key, typeof item === 'number' ? String(item) : item]),
        )
      : {},
  );
}
