import { createHash } from 'node:crypto';

/**
 * The read-model tables, described once for both engines. The dialects turn these descriptions
 * into DDL, bulk loads and bulk upserts, so the projection handlers never see SQL.
 *
 * Every key column is text; every value column is text or a whole number (`int`: SQLite
 * INTEGER, PostgreSQL int8). Amounts are centipoints and durations minutes, as in the events.
 */

export type ColumnType = 'text' | 'int';
export type CellValue = string | number | null;
/** One row as the handlers see it: a plain object keyed by column name. */
export type Row = Record<string, CellValue>;

export interface TableSpec {
  /** Name without the table-set prefix. */
  readonly name: TableName;
  /** Primary-key columns, all text, in key order. */
  readonly key: readonly string[];
  /** Every column, key columns included, in storage order. */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Secondary indexes, each a list of columns, for the queries in `queries.ts`. */
  readonly indexes: readonly (readonly string[])[];
  /**
   * Columns never changed after the row is inserted. Upserts leave them out of their SET list, so
   * updating a row never touches the indexes on them.
   */
  readonly fixed: readonly string[];
  /**
   * Which tables give up rows first when a bounded in-memory fold (rebuild) is over its budget:
   * lower ranks first. A service record or a hold is touched by the few events right after it
   * is created, so old ones are cold; a volunteer's summary by every event of that volunteer;
   * partner, policy and shared account rows are few and touched by everyone.
   */
  readonly evictionRank: number;
}

export type TableName =
  | 'volunteer_summary'
  | 'service_record'
  | 'points_hold'
  | 'partner_settlement'
  | 'partner'
  | 'organisation'
  | 'points_policy'
  | 'account_balance'
  | 'due_item'
  | 'community_fact'
  | 'admin_unit'
  | 'admin_link'
  | 'dispute'
  | 'certificate'
  | 'project_fact';

const text = 'text' as const;
const int = 'int' as const;

export const TABLES: readonly TableSpec[] = [
  {
    name: 'volunteer_summary',
    key: ['volunteer_id'],
    columns: {
      volunteer_id: text,
      volunteer_number: text,
      community: text,
      status: text,
      registered_at: text,
      confirmed_minutes: int,
      pending_minutes: int,
      eligible_stars: int,
      awarded_stars: int,
      review_flag: int,
      available_centipoints: int,
      held_centipoints: int,
      offered_centipoints: int,
      earned_centipoints: int,
      reversed_centipoints: int,
      spent_centipoints: int,
      donated_centipoints: int,
      expired_centipoints: int,
      transferred_out_centipoints: int,
      transferred_in_centipoints: int,
    },
    indexes: [['volunteer_number'], ['community']],
    fixed: ['volunteer_number', 'community', 'registered_at'],
    evictionRank: 2,
  },
  {
    name: 'service_record',
    key: ['volunteer_id', 'record_id'],
    columns: {
      volunteer_id: text,
      record_id: text,
      organisation_id: text,
      /** The social-work project the record names, or null. */
      project_id: text,
      community: text,
      activity: text,
      start_at: text,
      end_at: text,
      /** Local calendar month of the start (`2026-03`), for hours per month. */
      service_month: text,
      duration_minutes: int,
      status: text,
      quality_grade: text,
      recorded_at: text,
      recorded_by: text,
      confirmed_at: text,
      confirmed_by: text,
      earned_centipoints: int,
      replaces_record_id: text,
      replaced_by_record_id: text,
      correction_reason: text,
      correction_note: text,
      corrected_at: text,
      corrected_by: text,
    },
    indexes: [['organisation_id', 'start_at']],
    fixed: [
      'organisation_id',
      'project_id',
      'community',
      'activity',
      'start_at',
      'end_at',
      'service_month',
      'duration_minutes',
      'recorded_at',
      'recorded_by',
    ],
    evictionRank: 0,
  },
  {
    name: 'points_hold',
    key: ['volunteer_id', 'hold_id'],
    columns: {
      volunteer_id: text,
      hold_id: text,
      partner_id: text,
      offer_id: text,
      centipoints: int,
      held_at: text,
      expires_at: text,
      status: text,
      resolved_at: text,
      /** 低偿: cash co-payment in fen recorded with the hold; 0 when none. */
      cash_copay_fen: int,
    },
    indexes: [['partner_id', 'held_at']],
    fixed: ['partner_id', 'offer_id', 'centipoints', 'held_at', 'expires_at', 'cash_copay_fen'],
    evictionRank: 0,
  },
  {
    name: 'partner_settlement',
    key: ['partner_id', 'period'],
    columns: {
      partner_id: text,
      /** Local calendar month (`2026-03`) of the hold, capture, release or expiry. */
      period: text,
      held_count: int,
      held_centipoints: int,
      captured_count: int,
      captured_centipoints: int,
      released_count: int,
      released_centipoints: int,
      expired_count: int,
      expired_centipoints: int,
      /** Cash co-payments (低偿) of the captures in the period, in fen: what the partner collected in cash. */
      captured_cash_fen: int,
    },
    indexes: [],
    fixed: [],
    evictionRank: 1,
  },
  {
    name: 'partner',
    key: ['partner_id'],
    columns: { partner_id: text, name: text, community: text, status: text, registered_at: text },
    indexes: [],
    fixed: [],
    evictionRank: 3,
  },
  {
    name: 'organisation',
    key: ['organisation_id'],
    columns: { organisation_id: text, name: text, community: text, status: text, registered_at: text },
    indexes: [],
    fixed: [],
    evictionRank: 3,
  },
  {
    name: 'points_policy',
    key: ['version'],
    /** `withdrawn_*` are null unless the version was withdrawn before it took effect. */
    columns: {
      version: text,
      effective_from: text,
      terms: text,
      changed_at: text,
      changed_by: text,
      withdrawn_at: text,
      withdrawn_by: text,
      withdrawal_reason: text,
    },
    indexes: [],
    fixed: [],
    evictionRank: 3,
  },
  /** Accounts other than a volunteer's own (`volunteer:`, `held:`, `offered:` live in the summary). */
  {
    name: 'account_balance',
    key: ['account'],
    columns: { account: text, balance_centipoints: int, movements: int },
    indexes: [],
    fixed: [],
    evictionRank: 3,
  },
  /**
   * The due index: what falls due when (a hold's timeout, …), for the scheduler. `done` is 1 once
   * the item's effect (or anything that makes it moot, such as a capture) is in the history.
   */
  {
    name: 'due_item',
    key: ['due_key'],
    columns: {
      /** Also the idempotency key of the command the scheduler sends: `expire-hold:<volunteerId>:<holdId>`. */
      due_key: text,
      kind: text,
      due_at: text,
      volunteer_id: text,
      subject_id: text,
      done: int,
    },
    indexes: [['done', 'due_at']],
    fixed: ['kind', 'due_at', 'volunteer_id', 'subject_id'],
    evictionRank: 0,
  },
  /**
   * What one event changed about one volunteer, attributed to the volunteer's community and the
   * local day it happened: the rows roll-up statistics sum as of any date. Written once per
   * event (keyed by its position), never read back by the handlers.
   */
  {
    name: 'community_fact',
    key: ['position'],
    columns: {
      position: text,
      community: text,
      /** Local calendar day (`2026-03-10`) of the event's own instant. */
      day: text,
      volunteer_id: text,
      registered: int,
      deactivated: int,
      confirmed_minutes: int,
      issued_centipoints: int,
      redeemed_centipoints: int,
      donated_centipoints: int,
      expired_centipoints: int,
      /** The volunteer's star level (by confirmed hours) before and after; -1 for none. */
      stars_from: int,
      stars_to: int,
    },
    indexes: [['community', 'day']],
    fixed: [],
    evictionRank: 0,
  },
  /** The city's registered units: city, districts, streets, communities. */
  {
    name: 'admin_unit',
    key: ['unit_id'],
    columns: { unit_id: text, level: text, name: text, registered_at: text, registered_day: text },
    indexes: [],
    fixed: [],
    evictionRank: 3,
  },
  /** Each unit's parent from an instant on: one row at registration, one per community move. */
  {
    name: 'admin_link',
    key: ['unit_id', 'valid_from'],
    columns: { unit_id: text, valid_from: text, valid_day: text, parent_id: text },
    indexes: [],
    fixed: [],
    evictionRank: 3,
  },
  /** Disputes by organisation: the organising organisation's queue of open disputes. */
  {
    name: 'dispute',
    key: ['volunteer_id', 'dispute_id'],
    columns: {
      volunteer_id: text,
      dispute_id: text,
      organisation_id: text,
      kind: text,
      record_id: text,
      filed_at: text,
      /** open or resolved. */
      status: text,
      outcome: text,
      resulting_record_id: text,
      resolved_at: text,
    },
    indexes: [['organisation_id', 'status', 'filed_at']],
    fixed: ['organisation_id', 'kind', 'record_id', 'filed_at'],
    evictionRank: 0,
  },
  /** Which volunteer's stream holds a certificate: numbers no longer name the volunteer. */
  {
    name: 'certificate',
    key: ['certificate_number'],
    columns: { certificate_number: text, volunteer_id: text, issued_at: text },
    indexes: [],
    // Not every column may be fixed: an upsert needs at least one column to set.
    fixed: ['volunteer_id'],
    evictionRank: 0,
  },
  /**
   * What one event changed about one service record's confirmed minutes, attributed to the
   * record's organisation and project ('' for none) and the local day of the event: the rows
   * project and organisation statistics sum as of a date. Written once, never read back.
   */
  {
    name: 'project_fact',
    key: ['position', 'record_id'],
    columns: {
      position: text,
      record_id: text,
      volunteer_id: text,
      organisation_id: text,
      project_id: text,
      day: text,
      confirmed_minutes: int,
      confirmed_records: int,
    },
    indexes: [
      ['organisation_id', 'day'],
      ['project_id', 'day'],
    ],
    fixed: [],
    evictionRank: 0,
  },
];

export const TABLE_BY_NAME: ReadonlyMap<TableName, TableSpec> = new Map(
  TABLES.map((table) => [table.name, table]),
);

export function tableSpec(name: TableName): TableSpec {
  const spec = TABLE_BY_NAME.get(name);
  if (spec === undefined) throw new Error(`unknown read-model table ${name}`);
  return spec;
}

/** Separator of key parts in a key string; ids and account names never contain it. */
export const KEY_SEPARATOR = '|';

/** Table-set prefixes: the live read models, a rebuild in progress, and verify's shadow copy. */
export const LIVE_PREFIX = 'rm_';
export const REBUILD_PREFIX = 'rb_';
export const SHADOW_PREFIX = 'vf_';
export type TableSetPrefix = typeof LIVE_PREFIX | typeof REBUILD_PREFIX | typeof SHADOW_PREFIX;

/**
 * Bumped by hand only for a change of the read models that the table descriptions below do not
 * show: a dialect's DDL (types, collations) or what a handler writes into an unchanged column.
 * A table, column, key or index added, removed or changed needs no bump: the fingerprint sees it.
 */
export const READ_MODEL_SCHEMA_VERSION = 1;

/**
 * sha-256 over the schema version and every table's name, key, columns with their types, indexes
 * and fixed columns, in order. Each table set stores it when it is created; a live set whose
 * fingerprint differs (or predates fingerprints) was built by another build's code, and is rebuilt
 * from the events on open (`ensureCurrentReadModels`).
 */
export const READ_MODEL_SCHEMA_FINGERPRINT: string = createHash('sha256')
  .update(
    JSON.stringify({
      version: READ_MODEL_SCHEMA_VERSION,
      tables: TABLES.map((table) => ({
        name: table.name,
        key: table.key,
        columns: Object.entries(table.columns),
        indexes: table.indexes,
        fixed: table.fixed,
      })),
    }),
  )
  .digest('hex');
