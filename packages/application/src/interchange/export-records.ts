/**
 * Export of volunteers and their confirmed service for one month, in the five categories of a
 * volunteer's record (民政部令第67号 Art. 4): personal basic information (`volunteer` rows),
 * service details (`service`), training, commendations and evaluations (the quality grade the
 * organising organisation gave each confirmed record). Format and columns: docs/interchange.md.
 *
 * One pass over the whole log, read through the sealing store so that personal fields are
 * opened; an erased volunteer's row keeps the numbers and statistics and no personal field.
 */
import {
  applyVolunteerEvent,
  effectiveStarLevel,
  initialVolunteerState,
  parseInstant,
  VOLUNTEER_STREAM_PREFIX,
  type DomainEvent,
  type InterchangeRow,
  type LedgerRules,
  type RecordSource,
  type VolunteerState,
} from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import type { VolunteerDirectory } from './import-records.js';

/** A calendar month in local time (UTC+8 by default), as [startMs, endMs). */
export interface ExportPeriod {
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
  /** First and last local calendar dates, `YYYY-MM-DD`, for training and commendation dates. */
  readonly firstDate: string;
  readonly lastDate: string;
}

/** `YYYY-MM` → the local month; a message saying what is wrong otherwise. */
export function parsePeriod(text: string, rules: LedgerRules): ExportPeriod | string {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (match === null) return `--period must be a month YYYY-MM (e.g. 2026-11), not ${JSON.stringify(text)}`;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (month < 1 || month > 12) return `--period ${text}: the month must be 01-12`;
  if (year < 2000) return `--period ${text}: the year must be 2000 or later`;
  const offsetMs = rules.localTimeOffsetMinutes * 60_000;
  const startMs = Date.UTC(year, month - 1, 1) - offsetMs;
  const endMs = Date.UTC(year, month, 1) - offsetMs;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return {
    label: text,
    startMs,
    endMs,
    firstDate: `${text}-01`,
    lastDate: `${text}-${String(lastDay).padStart(2, '0')}`,
  };
}

export interface ExportRecordsOptions {
  /** The store as the ledger sees it: personal fields opened (`sealingStore`), or plain. */
  readonly store: EventStore;
  readonly rules: LedgerRules;
  readonly period: ExportPeriod;
  /** The export's clock, for the star level in force. */
  readonly nowMs: number;
  readonly onProgress?: (eventsRead: number) => void;
  /**
   * Stops the read between two pages (Ctrl-C): the export then rejects with the signal's reason
   * (an AbortError) and nothing is returned to write.
   */
  readonly signal?: AbortSignal;
}

export interface ExportResult {
  readonly rows: InterchangeRow[];
  readonly counts: Readonly<
    Record<'volunteer' | 'service' | 'training' | 'commendation' | 'evaluation', number>
  >;
}

interface Folded {
  state: VolunteerState;
  registeredAtMs: number;
  phone: string | null;
  sources: Map<string, RecordSource>;
}

/** Events read per page. 1000: the store's default batch ceiling keeps memory flat. */
const PAGE_EVENTS = 1000;
/**
 * Longest stretch, in milliseconds, a read with a `signal` runs before it lets the event loop
 * turn (and a signal handler abort it): on SQLite a page reads without leaving the microtask queue.
 */
const SIGNAL_TURN_INTERVAL_MS = 100;

async function foldVolunteers(
  options: Pick<ExportRecordsOptions, 'store' | 'onProgress' | 'signal'>,
): Promise<Map<string, Folded>> {
  const folded = new Map<string, Folded>();
  let after: bigint | undefined;
  let read = 0;
  let lastTurnMs = performance.now();
  for (;;) {
    if (options.signal !== undefined && performance.now() - lastTurnMs >= SIGNAL_TURN_INTERVAL_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastTurnMs = performance.now();
      options.signal.throwIfAborted();
    }
    const page = await options.store.readAll({
      ...(after === undefined ? {} : { fromPosition: after }),
      maxCount: PAGE_EVENTS,
    });
    for (const recorded of page) {
      if (!recorded.streamName.startsWith(VOLUNTEER_STREAM_PREFIX)) continue;
      const event = { type: recorded.type, data: recorded.data } as unknown as DomainEvent;
      const id = recorded.streamName.slice(VOLUNTEER_STREAM_PREFIX.length);
      let entry = folded.get(id);
      if (entry === undefined) {
        entry = { state: initialVolunteerState(), registeredAtMs: 0, phone: null, sources: new Map() };
        folded.set(id, entry);
      }
      if (event.type === 'VolunteerRegistered') {
        entry.registeredAtMs = parseInstant(event.data.registeredAt);
        entry.phone = event.data.phone;
      }
      if (event.type === 'ServiceHoursRecorded' && event.data.source !== undefined)
        entry.sources.set(event.data.recordId, event.data.source);
      applyVolunteerEvent(entry.state, event);
    }
    read += page.length;
    options.onProgress?.(read);
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE_EVENTS) break;
    after = last.position;
  }
  return folded;
}

function volunteerRow(entry: Folded, options: ExportRecordsOptions): InterchangeRow {
  const { state } = entry;
  const erased = state.personalDataErased;
  return {
    record_kind: 'volunteer',
    source_system: 'timebank',
    source_record_id: state.volunteerId ?? '',
    volunteer_id: state.volunteerId ?? '',
    volunteer_number: state.volunteerNumber ?? '',
    community: state.community ?? '',
    status: state.status,
    personal_data_erased: erased ? 'true' : 'false',
    star_level: String(effectiveStarLevel(state, options.nowMs)),
    recorded_at: new Date(entry.registeredAtMs).toISOString(),
    // Personal basic information: only while the volunteer's data key exists.
    ...(erased
      ? {}
      : {
          name: state.name ?? '',
          national_id_masked: state.nationalIdMasked ?? '',
          phone: entry.phone ?? '',
          ...(state.platformVolunteerNumber === null
            ? {}
            : { platform_volunteer_number: state.platformVolunteerNumber }),
        }),
  };
}

/**
 * Volunteers registered before the period ends (and any registered later who have records of the
 * period, e.g. imported ones), and their records of the period.
 */
export async function exportRecords(options: ExportRecordsOptions): Promise<ExportResult> {
  const { period } = options;
  const folded = await foldVolunteers(options);
  const rows: InterchangeRow[] = [];
  const evaluations: InterchangeRow[] = [];
  let volunteers = 0;
  for (const entry of folded.values()) {
    if (entry.state.status === 'unregistered') continue;
    // A donation-pool beneficiary's account shares the volunteer stream family; it is no volunteer.
    if (entry.state.kind === 'beneficiary') continue;
    const records = recordRowsOf(entry, period);
    // Registered by the end of the month, or registered later with records of the month (imported).
    if (entry.registeredAtMs >= period.endMs && records.rows.length === 0) continue;
    rows.push(volunteerRow(entry, options), ...records.rows);
    evaluations.push(...records.evaluations);
    volunteers += 1;
  }
  const count = (kind: string) => rows.filter((row) => row.record_kind === kind).length;
  return {
    rows: [...rows, ...evaluations],
    counts: {
      volunteer: volunteers,
      service: count('service'),
      training: count('training'),
      commendation: count('commendation'),
      evaluation: evaluations.length,
    },
  };
}

/** One volunteer's service, training and commendation rows of the period, and the evaluations. */
function recordRowsOf(
  entry: Folded,
  period: ExportPeriod,
): { rows: InterchangeRow[]; evaluations: InterchangeRow[] } {
  const { state } = entry;
  const who = { volunteer_id: state.volunteerId ?? '', volunteer_number: state.volunteerNumber ?? '' };
  const rows: InterchangeRow[] = [];
  const evaluations: InterchangeRow[] = [];
  for (const record of state.records.values()) {
    if (record.status !== 'confirmed' || record.startMs < period.startMs || record.startMs >= period.endMs)
      continue;
    const source = entry.sources.get(record.recordId);
    rows.push({
      record_kind: 'service',
      source_system: source?.system ?? 'timebank',
      source_record_id: source?.recordId ?? record.recordId,
      ...who,
      record_id: record.recordId,
      activity: record.activity,
      organisation_id: record.organisationId,
      start_at: new Date(record.startMs).toISOString(),
      end_at: new Date(record.endMs).toISOString(),
      duration_minutes: String(record.durationMinutes),
    });
    evaluations.push({
      record_kind: 'evaluation',
      source_system: 'timebank',
      source_record_id: record.recordId,
      ...who,
      record_id: record.recordId,
      quality_grade: record.qualityGrade ?? 'standard',
    });
  }
  const inPeriod = (date: string) => date >= period.firstDate && date <= period.lastDate;
  for (const training of state.trainings.filter((item) => inPeriod(item.completedOn)))
    rows.push({
      record_kind: 'training',
      source_system: training.source?.system ?? 'timebank',
      source_record_id: training.source?.recordId ?? training.trainingId,
      ...who,
      record_id: training.trainingId,
      title: training.title,
      provider: training.provider,
      completed_on: training.completedOn,
      duration_minutes: String(training.durationMinutes),
      recorded_at: training.recordedAt,
    });
  for (const commendation of state.commendations.filter((item) => inPeriod(item.awardedOn)))
    rows.push({
      record_kind: 'commendation',
      source_system: commendation.source?.system ?? 'timebank',
      source_record_id: commendation.source?.recordId ?? commendation.commendationId,
      ...who,
      record_id: commendation.commendationId,
      title: commendation.title,
      awarded_by: commendation.awardedBy,
      awarded_on: commendation.awardedOn,
      recorded_at: commendation.recordedAt,
    });
  return { rows, evaluations };
}

/**
 * The volunteers already in the ledger, by the platform's number and by ours, for an import's
 * rows that name a volunteer registered before (one pass over the log, like the export).
 */
export async function volunteerDirectoryOf(
  store: EventStore,
  onProgress?: (eventsRead: number) => void,
): Promise<VolunteerDirectory> {
  const folded = await foldVolunteers({ store, ...(onProgress === undefined ? {} : { onProgress }) });
  const byPlatform = new Map<string, string>();
  const byNumber = new Map<string, string>();
  for (const [volunteerId, { state }] of folded) {
    if (state.status === 'unregistered' || state.kind === 'beneficiary') continue;
    if (state.volunteerNumber !== null) byNumber.set(state.volunteerNumber, volunteerId);
    if (state.platformVolunteerNumber !== null) byPlatform.set(state.platformVolunteerNumber, volunteerId);
  }
  return {
    byPlatformNumber: (number) => byPlatform.get(number),
    byVolunteerNumber: (number) => byNumber.get(number),
  };
}
