/**
 * Import of volunteers and records kept on the national (or city) volunteer platform
 * (docs/interchange.md). Every row goes through the ledger's own commands, so the API's intake
 * rules apply; every command's idempotency key derives from the row's source system, kind and
 * source record id, so running the same file again adds nothing.
 *
 * "Nothing partial": a row is one command appended as one unit (an imported service record is
 * recorded, confirmed and earns its points in one append), so each row lands whole or not at
 * all. A row about a volunteer whose own row in the file was rejected is rejected too.
 */
import {
  DomainError,
  parseImportRow,
  type Actor,
  type CommandInput,
  type ImportRow,
  type Rejection,
} from '@timebank/domain';
import type { Ledger } from '../ledger.js';

export interface ImportProgress {
  readonly rowsDone: number;
  readonly rowsTotal: number;
  readonly landed: number;
  readonly alreadyPresent: number;
  readonly rejected: number;
}

export interface ImportReport {
  readonly rowsTotal: number;
  /** Rows whose command appended its events in this run. */
  readonly landed: number;
  /** Rows an earlier run of the same file (same source record ids) already imported. */
  readonly alreadyPresent: number;
  readonly rejections: readonly Rejection[];
  /** Rejections per code, for the summary. */
  readonly rejectedByCode: Readonly<Record<string, number>>;
  /**
   * Rows never tried because `signal` stopped the import: 0 when it ran to the end. A rerun of
   * the same file imports them, and finds the rows that landed already present.
   */
  readonly rowsNotAttempted: number;
}

export interface ImportOptions {
  readonly ledger: Ledger;
  /** The administrator the import acts as: recorded in every event it appends. */
  readonly actor: Actor;
  /** Volunteers already in the ledger, by platform number and by our volunteer number. */
  readonly knownVolunteers: VolunteerDirectory;
  /** Commands in flight at once, each on a different volunteer. Default 16: enough to fill a group commit. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Rows between progress reports. Default 1000. */
  readonly progressEveryRows?: number;
  /**
   * Stops the import between two commands (Ctrl-C): every command started finishes, no other
   * starts, and the report counts the rows left (`rowsNotAttempted`). Once the volunteers' phase
   * was stopped, no record is tried, so none is rejected for a volunteer the run never reached.
   */
  readonly signal?: AbortSignal;
}

/** Finds a volunteer id by the platform's number or ours. */
export interface VolunteerDirectory {
  byPlatformNumber(platformVolunteerNumber: string): string | undefined;
  byVolunteerNumber(volunteerNumber: string): string | undefined;
}

/** The idempotency key of a row's command: the same source record always makes the same key. */
export function importKeyOf(row: ImportRow): string {
  return `interchange:${row.fields.source_system}:${row.kind}:${row.fields.source_record_id}`;
}

/** Which field a domain rejection is about, where the code names one. */
const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  INVALID_NATIONAL_ID: 'national_id_number',
  NATIONAL_ID_BIRTH_DATE_INVALID: 'national_id_number',
  VOLUNTEER_TOO_YOUNG: 'national_id_number',
  GUARDIAN_CONSENT_REQUIRED: 'national_id_number',
  VOLUNTEER_ALREADY_REGISTERED: 'national_id_number',
  SERVICE_RECORD_OVERLAP: 'start_at',
  SERVICE_END_IN_FUTURE: 'end_at',
  SERVICE_END_BEFORE_START: 'end_at',
  SERVICE_RECORD_TOO_SHORT: 'end_at',
  SERVICE_RECORD_TOO_LONG: 'end_at',
  DAILY_HOURS_EXCEEDED: 'start_at',
  SERVICE_TOO_OLD: 'start_at',
  SERVICE_BEFORE_BACKDATING_FLOOR: 'start_at',
  SERVICE_BEFORE_MINIMUM_AGE: 'start_at',
  VOLUNTEER_INACTIVE: 'volunteer_number',
  VOLUNTEER_PERSONAL_DATA_ERASED: 'volunteer_number',
};

const COMMAND_FIELD_TO_COLUMN: Readonly<Record<string, string>> = {
  name: 'name',
  nationalIdNumber: 'national_id_number',
  phone: 'phone',
  community: 'community',
  activity: 'activity',
  organisationId: 'organisation_id',
  startAt: 'start_at',
  endAt: 'end_at',
  title: 'title',
  provider: 'provider',
  awardedBy: 'awarded_by',
  completedOn: 'completed_on',
  awardedOn: 'awarded_on',
};

function rejectionOf(row: ImportRow, error: DomainError): Rejection {
  const path = typeof error.details.path === 'string' ? error.details.path : '';
  const field =
    error.code === 'INVALID_COMMAND' ||
    error.code === 'RECORD_DATE_IN_FUTURE' ||
    error.code === 'RECORD_DATE_BEFORE_BIRTH'
      ? (COMMAND_FIELD_TO_COLUMN[path.split('.')[0] ?? ''] ?? (path === '' ? null : path))
      : (FIELD_OF_CODE[error.code] ?? null);
  return {
    row: row.row,
    field,
    code: error.code,
    message: error.message,
    sourceRecordId: row.fields.source_record_id,
  };
}

function commandOf(row: ImportRow, volunteerId: string, actor: Actor): CommandInput {
  const idempotencyKey = importKeyOf(row);
  const source = { system: row.fields.source_system, recordId: row.fields.source_record_id };
  switch (row.kind) {
    case 'volunteer':
      return {
        type: 'RegisterVolunteer',
        idempotencyKey,
        actor,
        name: row.fields.name,
        nationalIdNumber: row.fields.national_id_number,
        phone: row.fields.phone,
        community: row.fields.community,
        ...(row.fields.platform_volunteer_number === undefined
          ? {}
          : { platformVolunteerNumber: row.fields.platform_volunteer_number }),
      };
    case 'service':
      return {
        type: 'ImportServiceRecord',
        idempotencyKey,
        actor,
        volunteerId,
        activity: row.fields.activity,
        organisationId: row.fields.organisation_id,
        startAt: row.fields.start_at,
        endAt: row.fields.end_at,
        qualityGrade: row.fields.quality_grade ?? 'standard',
        source,
      };
    case 'training':
      return {
        type: 'RecordTraining',
        idempotencyKey,
        actor,
        volunteerId,
        title: row.fields.title,
        provider: row.fields.provider,
        completedOn: row.fields.completed_on,
        durationMinutes: row.fields.duration_minutes,
        source,
      };
    case 'commendation':
      return {
        type: 'RecordCommendation',
        idempotencyKey,
        actor,
        volunteerId,
        title: row.fields.title,
        awardedBy: row.fields.awarded_by,
        awardedOn: row.fields.awarded_on,
        source,
      };
  }
}

/** Runs `work` over `items` with at most `limit` in flight, starting none once `signal` aborted. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && signal?.aborted !== true) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(workers);
}

type Subject = { kind: 'found'; volunteerId: string } | { kind: 'rejected'; rejection: Rejection };

// eslint-disable-next-line max-lines-per-function -- one pass in three phases (check, volunteers, records) sharing the tallies
export async function importRecords(
  inputs: readonly Readonly<Record<string, unknown>>[],
  options: ImportOptions,
): Promise<ImportReport> {
  const { ledger, actor, knownVolunteers } = options;
  const concurrency = options.concurrency ?? 16;
  const progressEvery = options.progressEveryRows ?? 1000;
  const rejections: Rejection[] = [];
  let landed = 0;
  let alreadyPresent = 0;
  let done = 0;
  const tick = (): void => {
    done += 1;
    if (options.onProgress !== undefined && (done % progressEvery === 0 || done === inputs.length))
      options.onProgress({
        rowsDone: done,
        rowsTotal: inputs.length,
        landed,
        alreadyPresent,
        rejected: rejections.length,
      });
  };
  const reject = (rejection: Rejection): void => {
    rejections.push(rejection);
    tick();
  };

  // Phase 1: every row checked on its own; a source record id seen twice is the second row's fault.
  const rows: ImportRow[] = [];
  const seenKeys = new Set<string>();
  const fromFile = { platform: new Map<string, Subject>() };
  const volunteerRowRejected = (platformNumber: string, row: number): void => {
    fromFile.platform.set(platformNumber, {
      kind: 'rejected',
      rejection: {
        row: 0,
        field: 'platform_volunteer_number',
        code: 'VOLUNTEER_ROW_REJECTED',
        message: `the row of volunteer ${platformNumber} in this file (row ${row}) was rejected`,
        sourceRecordId: null,
      },
    });
  };
  inputs.forEach((input, index) => {
    const parsed = parseImportRow(input, index + 1);
    if (!('kind' in parsed)) {
      const platformNumber = input.platform_volunteer_number;
      if (input.record_kind === 'volunteer' && typeof platformNumber === 'string' && platformNumber !== '')
        volunteerRowRejected(platformNumber, index + 1);
      return reject(parsed);
    }
    const key = importKeyOf(parsed);
    if (seenKeys.has(key))
      return reject({
        row: parsed.row,
        field: 'source_record_id',
        code: 'DUPLICATE_SOURCE_RECORD',
        message: 'an earlier row of this file has the same source system, kind and source record id',
        sourceRecordId: parsed.fields.source_record_id,
      });
    seenKeys.add(key);
    rows.push(parsed);
  });

  async function run(row: ImportRow, volunteerId: string): Promise<boolean> {
    try {
      const result = await ledger.execute(commandOf(row, volunteerId, actor));
      if (result.events.length === 0) alreadyPresent += 1;
      else landed += 1;
      tick();
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      reject(rejectionOf(row, error));
      return false;
    }
  }

  // Phase 2: volunteers. Their ids, landed now or before, let the records of phase 3 find them.
  const signal = options.signal;
  await pool(
    rows.filter((row) => row.kind === 'volunteer'),
    concurrency,
    signal,
    async (row) => {
      if (row.kind !== 'volunteer') return;
      const ok = await run(row, '');
      const platformNumber = row.fields.platform_volunteer_number;
      if (platformNumber === undefined) return;
      const volunteerId = ok ? await ledger.volunteerIdForNationalId(row.fields.national_id_number) : null;
      if (volunteerId === null) volunteerRowRejected(platformNumber, row.row);
      else fromFile.platform.set(platformNumber, { kind: 'found', volunteerId });
    },
  );

  /**
   * The volunteer a record row names. With both numbers given they must name the same volunteer:
   * a row whose `volunteer_number` names nobody or someone else is refused rather than landing on
   * whoever its platform number names. An unknown platform number beside a known
   * `volunteer_number` is the documented case of a volunteer registered here before the platform
   * knew them, so that row goes by `volunteer_number`.
   */
  function subjectOf(row: ImportRow & { kind: 'service' | 'training' | 'commendation' }): Subject {
    const { platform_volunteer_number: platformNumber, volunteer_number: number } = row.fields;
    const rejected = (field: string, code: string, message: string): Subject => ({
      kind: 'rejected',
      rejection: { row: row.row, field, code, message, sourceRecordId: row.fields.source_record_id },
    });
    let byPlatform: string | undefined;
    if (platformNumber !== undefined) {
      const inFile = fromFile.platform.get(platformNumber);
      if (inFile !== undefined && inFile.kind !== 'found')
        return {
          kind: 'rejected',
          rejection: { ...inFile.rejection, row: row.row, sourceRecordId: row.fields.source_record_id },
        };
      byPlatform = inFile?.volunteerId ?? knownVolunteers.byPlatformNumber(platformNumber);
    }
    const byNumber = number === undefined ? undefined : knownVolunteers.byVolunteerNumber(number);
    if (number !== undefined && byNumber === undefined && byPlatform !== undefined)
      return rejected(
        'volunteer_number',
        'VOLUNTEER_NOT_FOUND',
        'no volunteer with this volunteer_number in the ledger; its platform_volunteer_number names one, and both must name the same volunteer',
      );
    if (byPlatform !== undefined && byNumber !== undefined && byPlatform !== byNumber)
      return rejected(
        'volunteer_number',
        'VOLUNTEER_NUMBER_MISMATCH',
        'platform_volunteer_number and volunteer_number name two different volunteers',
      );
    const volunteerId = byPlatform ?? byNumber;
    if (volunteerId !== undefined) return { kind: 'found', volunteerId };
    return rejected(
      platformNumber === undefined ? 'volunteer_number' : 'platform_volunteer_number',
      'VOLUNTEER_NOT_FOUND',
      'no volunteer with this number in the ledger or in this file',
    );
  }

  // Phase 3: records, one volunteer's in file order (overlap checks depend on it), volunteers in parallel.
  const byVolunteer = new Map<string, ImportRow[]>();
  for (const row of signal?.aborted === true ? [] : rows) {
    if (row.kind === 'volunteer') continue;
    const subject = subjectOf(row);
    if (subject.kind === 'rejected') {
      reject(subject.rejection);
      continue;
    }
    const list = byVolunteer.get(subject.volunteerId) ?? [];
    list.push(row);
    byVolunteer.set(subject.volunteerId, list);
  }
  await pool([...byVolunteer], concurrency, signal, async ([volunteerId, list]) => {
    for (const row of list) {
      if (signal?.aborted === true) return;
      await run(row, volunteerId);
    }
  });

  rejections.sort((a, b) => a.row - b.row);
  const rejectedByCode: Record<string, number> = {};
  for (const rejection of rejections)
    rejectedByCode[rejection.code] = (rejectedByCode[rejection.code] ?? 0) + 1;
  return {
    rowsTotal: inputs.length,
    landed,
    alreadyPresent,
    rejections,
    rejectedByCode,
    rowsNotAttempted: inputs.length - done,
  };
}
