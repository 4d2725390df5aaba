/**
 * Statistics of a social-work project or an organisation as of a local date: confirmed minutes,
 * confirmed records and the volunteers with at least one confirmed record, summed from the
 * `project_fact` rows up to that day.
 */
import type { ReadModelDatabase } from './dialect/dialect.js';
import { ProjectionError } from './errors.js';
import { LIVE_PREFIX } from './tables.js';

export interface ServiceStatistics {
  readonly asOf: string;
  readonly confirmedMinutes: number;
  readonly confirmedRecords: number;
  /** Volunteers with at least one confirmed record counting as of the date. */
  readonly volunteers: number;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** `by` is the column to select on: a project's or an organisation's records. */
export async function serviceStatisticsAsOf(
  db: ReadModelDatabase,
  by: { readonly projectId: string } | { readonly organisationId: string },
  asOf: string,
  prefix: string = LIVE_PREFIX,
): Promise<ServiceStatistics> {
  if (!DAY_PATTERN.test(asOf))
    throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', 'asOf must be a local date YYYY-MM-DD');
  const [column, id] =
    'projectId' in by ? ['project_id', by.projectId] : ['organisation_id', by.organisationId];
  const rows = await db.query(
    `SELECT volunteer_id, SUM(confirmed_minutes) AS minutes, SUM(confirmed_records) AS records FROM ${prefix}project_fact WHERE ${column} = ? AND day <= ? GROUP BY volunteer_id`,
    [id, asOf],
  );
  let confirmedMinutes = 0;
  let confirmedRecords = 0;
  let volunteers = 0;
  for (const row of rows) {
    confirmedMinutes += Number(row.minutes ?? 0);
    confirmedRecords += Number(row.records ?? 0);
    if (Number(row.records ?? 0) > 0) volunteers += 1;
  }
  return { asOf, confirmedMinutes, confirmedRecords, volunteers };
}
