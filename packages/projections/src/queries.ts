/**
 * Read-model queries, written once in the SQL both engines understand. Amounts stay in
 * centipoints and durations in minutes, as in the events; the API formats them.
 */
import { parseInstant, formatInstant } from '@timebank/domain';
import type { ReadModelDatabase } from './dialect/dialect.js';
import { ProjectionError } from './errors.js';
import { serviceStatisticsAsOf, type ServiceStatistics } from './project-queries.js';
import { rollUpAsOf, type RollUp } from './rollup-queries.js';
import { LIVE_PREFIX, type CellValue, type Row } from './tables.js';

export interface VolunteerPoints {
  readonly availableCentipoints: number;
  readonly heldCentipoints: number;
  readonly offeredCentipoints: number;
  readonly lifetimeEarnedCentipoints: number;
  readonly reversedCentipoints: number;
  /** Captured by partners. */
  readonly spentCentipoints: number;
  readonly donatedCentipoints: number;
  readonly expiredCentipoints: number;
  /** Sent to other volunteers, net of refunds. */
  readonly transferredOutCentipoints: number;
  readonly transferredInCentipoints: number;
}

export interface VolunteerSummary {
  readonly volunteerId: string;
  readonly volunteerNumber: string;
  readonly community: string;
  readonly status: string;
  readonly registeredAt: string;
  readonly confirmedMinutes: number;
  readonly pendingMinutes: number;
  readonly eligibleStars: number;
  readonly awardedStars: number;
  /** An awarded star whose hours later dropped below its threshold, pending review. */
  readonly starAwardUnderReview: boolean;
  readonly points: VolunteerPoints;
}

export interface ServiceRecordView {
  readonly volunteerId: string;
  readonly recordId: string;
  readonly organisationId: string;
  readonly activity: string;
  readonly startAt: string;
  readonly endAt: string;
  readonly durationMinutes: number;
  /** pending, confirmed, rejected, corrected (replaced) or voided. */
  readonly status: string;
  readonly qualityGrade: string | null;
  readonly recordedBy: string | null;
  readonly confirmedBy: string | null;
  readonly earnedCentipoints: number;
  readonly replacesRecordId: string | null;
  readonly replacedByRecordId: string | null;
  readonly correctionReason: string | null;
  readonly correctionNote: string | null;
  readonly correctedAt: string | null;
}

export interface HoldView {
  readonly volunteerId: string;
  readonly holdId: string;
  readonly offerId: string | null;
  readonly centipoints: number;
  readonly heldAt: string;
  readonly expiresAt: string | null;
  readonly status: string;
  readonly resolvedAt: string | null;
  /** 低偿: cash co-payment in fen recorded with the hold; 0 when none. */
  readonly cashCopayFen: number;
}

export interface SettlementView {
  readonly period: string;
  readonly heldCount: number;
  readonly heldCentipoints: number;
  readonly capturedCount: number;
  /** What the city settles with the partner for this period. */
  readonly capturedCentipoints: number;
  readonly releasedCount: number;
  readonly releasedCentipoints: number;
  readonly expiredCount: number;
  readonly expiredCentipoints: number;
  /** Cash co-payments (低偿) collected with this period's captures, in fen. */
  readonly capturedCashFen: number;
}

export interface CommunityStatistics {
  readonly registeredVolunteers: number;
  readonly activeVolunteers: number;
  readonly activeSince: string;
  readonly hoursPerMonth: readonly { month: string; confirmedMinutes: number }[];
  /** Volunteers per awarded star level (0 = none). */
  readonly starDistribution: Readonly<Record<string, number>>;
}

const n = (value: unknown): number => Number(value ?? 0);
const s = (value: CellValue | undefined): string => String(value);
const nullable = (value: CellValue | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

export function toVolunteerSummary(row: Row): VolunteerSummary {
  return {
    volunteerId: s(row.volunteer_id),
    volunteerNumber: s(row.volunteer_number),
    community: s(row.community),
    status: s(row.status),
    registeredAt: s(row.registered_at),
    confirmedMinutes: n(row.confirmed_minutes),
    pendingMinutes: n(row.pending_minutes),
    eligibleStars: n(row.eligible_stars),
    awardedStars: n(row.awarded_stars),
    starAwardUnderReview: n(row.review_flag) === 1,
    points: {
      availableCentipoints: n(row.available_centipoints),
      heldCentipoints: n(row.held_centipoints),
      offeredCentipoints: n(row.offered_centipoints),
      lifetimeEarnedCentipoints: n(row.earned_centipoints),
      reversedCentipoints: n(row.reversed_centipoints),
      spentCentipoints: n(row.spent_centipoints),
      donatedCentipoints: n(row.donated_centipoints),
      expiredCentipoints: n(row.expired_centipoints),
      transferredOutCentipoints: n(row.transferred_out_centipoints),
      transferredInCentipoints: n(row.transferred_in_centipoints),
    },
  };
}

function toServiceRecord(row: Row): ServiceRecordView {
  return {
    volunteerId: s(row.volunteer_id),
    recordId: s(row.record_id),
    organisationId: s(row.organisation_id),
    activity: s(row.activity),
    startAt: s(row.start_at),
    endAt: s(row.end_at),
    durationMinutes: n(row.duration_minutes),
    status: s(row.status),
    qualityGrade: nullable(row.quality_grade),
    recordedBy: nullable(row.recorded_by),
    confirmedBy: nullable(row.confirmed_by),
    earnedCentipoints: n(row.earned_centipoints),
    replacesRecordId: nullable(row.replaces_record_id),
    replacedByRecordId: nullable(row.replaced_by_record_id),
    correctionReason: nullable(row.correction_reason),
    correctionNote: nullable(row.correction_note),
    correctedAt: nullable(row.corrected_at),
  };
}

function toSettlement(row: Row): SettlementView {
  return {
    period: s(row.period),
    heldCount: n(row.held_count),
    heldCentipoints: n(row.held_centipoints),
    capturedCount: n(row.captured_count),
    capturedCentipoints: n(row.captured_centipoints),
    releasedCount: n(row.released_count),
    releasedCentipoints: n(row.released_centipoints),
    expiredCount: n(row.expired_count),
    expiredCentipoints: n(row.expired_centipoints),
    capturedCashFen: n(row.captured_cash_fen),
  };
}

export interface DisputeView {
  readonly volunteerId: string;
  readonly disputeId: string;
  readonly organisationId: string;
  /** missing_hours, wrong_times or not_mine. */
  readonly kind: string;
  readonly recordId: string | null;
  readonly filedAt: string;
  /** open or resolved. */
  readonly status: string;
  readonly outcome: string | null;
  readonly resultingRecordId: string | null;
  readonly resolvedAt: string | null;
}

function toDispute(row: Row): DisputeView {
  const textOrNull = (value: CellValue | undefined): string | null =>
    value === null || value === undefined ? null : String(value);
  return {
    volunteerId: String(row.volunteer_id),
    disputeId: String(row.dispute_id),
    organisationId: String(row.organisation_id),
    kind: String(row.kind),
    recordId: textOrNull(row.record_id),
    filedAt: String(row.filed_at),
    status: String(row.status),
    outcome: textOrNull(row.outcome),
    resultingRecordId: textOrNull(row.resulting_record_id),
    resolvedAt: textOrNull(row.resolved_at),
  };
}

/** Most rows one list query returns, in rows. 1,000: a page a screen or an export loop handles. */
export const LIST_ROWS_MAX = 1000;

/**
 * Values per `IN (…)` list, in parameters. 500: the API's largest list (a bulk activity), and far
 * below SQLite's default bound of 32,766 parameters and PostgreSQL's of 65,535.
 */
const VOLUNTEERS_PER_QUERY = 500;

/** `from → to` of the rows of `table` whose `from` column is one of `values`. */
async function pairsOf(
  db: ReadModelDatabase,
  { table, from, to }: { readonly table: string; readonly from: string; readonly to: string },
  values: readonly string[],
): Promise<Map<string, string>> {
  const pairs = new Map<string, string>();
  const distinct = [...new Set(values)];
  for (let start = 0; start < distinct.length; start += VOLUNTEERS_PER_QUERY) {
    const chunk = distinct.slice(start, start + VOLUNTEERS_PER_QUERY);
    const marks = chunk.map(() => '?').join(', ');
    const rows = await db.query(`SELECT ${from}, ${to} FROM ${table} WHERE ${from} IN (${marks})`, chunk);
    for (const row of rows) pairs.set(String(row[from]), String(row[to]));
  }
  return pairs;
}

/** The last hold of a statement page: the next page starts after it (newest first). */
export interface HoldCursor {
  readonly heldAt: string;
  readonly volunteerId: string;
  readonly holdId: string;
}

/** The last record of an organisation's page: the next page starts after it (service order). */
export interface RecordCursor {
  readonly startAt: string;
  readonly volunteerId: string;
  readonly recordId: string;
}

/** The read API over the live read models. */
// eslint-disable-next-line max-lines-per-function -- not yet split: one query per read model over the same database; its seam is one module per read model, a follow-up
export function createReadModelQueries(db: ReadModelDatabase) {
  const t = (name: string): string => `${LIVE_PREFIX}${name}`;
  return {
    async checkpoint(): Promise<bigint> {
      return db.readCheckpoint(LIVE_PREFIX);
    },

    async volunteerSummary(volunteerId: string): Promise<VolunteerSummary | null> {
      const [row] = await db.query(`SELECT * FROM ${t('volunteer_summary')} WHERE volunteer_id = ?`, [
        volunteerId,
      ]);
      return row === undefined ? null : toVolunteerSummary(row);
    },

    async volunteerByNumber(volunteerNumber: string): Promise<VolunteerSummary | null> {
      const [row] = await db.query(`SELECT * FROM ${t('volunteer_summary')} WHERE volunteer_number = ?`, [
        volunteerNumber,
      ]);
      return row === undefined ? null : toVolunteerSummary(row);
    },

    /**
     * The volunteer ids of these volunteer numbers, by number; a number no volunteer holds is
     * absent. One query per VOLUNTEERS_PER_QUERY numbers, so any list length stays within the
     * engines' bound on parameters.
     */
    async volunteerIdsByNumber(volunteerNumbers: readonly string[]): Promise<Map<string, string>> {
      const columns = { table: t('volunteer_summary'), from: 'volunteer_number', to: 'volunteer_id' };
      return pairsOf(db, columns, volunteerNumbers);
    },

    /** The volunteer numbers of these volunteer ids, by id; an id no volunteer holds is absent. */
    async volunteerNumbersById(volunteerIds: readonly string[]): Promise<Map<string, string>> {
      const columns = { table: t('volunteer_summary'), from: 'volunteer_id', to: 'volunteer_number' };
      return pairsOf(db, columns, volunteerIds);
    },

    /** A volunteer's records with their corrections, in service order. */
    async serviceRecordsOfVolunteer(volunteerId: string): Promise<ServiceRecordView[]> {
      const rows = await db.query(
        `SELECT * FROM ${t('service_record')} WHERE volunteer_id = ? ORDER BY start_at, record_id LIMIT ${LIST_ROWS_MAX}`,
        [volunteerId],
      );
      return rows.map(toServiceRecord);
    },

    /**
     * An organisation's records in service order (start instant, volunteer id, record id), those
     * starting after `startAfter` if given, a page at a time: `after` is the previous page's last
     * record, so records that share a start instant (a group activity) are never skipped at a page
     * boundary. With `status`, only records in that status (the pending queue an organiser confirms).
     */
    async serviceRecordsOfOrganisation(
      organisationId: string,
      page: {
        readonly startAfter?: string;
        readonly after?: RecordCursor;
        readonly limit?: number;
        readonly status?: string;
      } = {},
    ): Promise<ServiceRecordView[]> {
      const limit = Math.min(page.limit ?? LIST_ROWS_MAX, LIST_ROWS_MAX);
      const { after } = page;
      const byStatus = page.status === undefined ? '' : ' AND status = ?';
      const afterRow =
        after === undefined
          ? ''
          : ' AND (start_at > ? OR (start_at = ? AND (volunteer_id > ? OR (volunteer_id = ? AND record_id > ?))))';
      const rows = await db.query(
        `SELECT * FROM ${t('service_record')} WHERE organisation_id = ? AND start_at > ?${afterRow}${byStatus} ` +
          `ORDER BY start_at, volunteer_id, record_id LIMIT ${limit}`,
        [
          organisationId,
          page.startAfter ?? '',
          ...(after === undefined
            ? []
            : [after.startAt, after.startAt, after.volunteerId, after.volunteerId, after.recordId]),
          ...(page.status === undefined ? [] : [page.status]),
        ],
      );
      return rows.map(toServiceRecord);
    },

    /** The volunteer whose stream holds the certificate numbered `number`, or null. */
    async volunteerOfCertificate(number: string): Promise<string | null> {
      const [row] = await db.query(
        `SELECT volunteer_id FROM ${t('certificate')} WHERE certificate_number = ?`,
        [number],
      );
      return row === undefined ? null : String(row.volunteer_id);
    },

    /** An organisation's disputes with the given status, oldest first: its queue when `open`. */
    async disputesOfOrganisation(
      organisationId: string,
      status: 'open' | 'resolved',
    ): Promise<DisputeView[]> {
      const rows = await db.query(
        `SELECT * FROM ${t('dispute')} WHERE organisation_id = ? AND status = ? ORDER BY filed_at, volunteer_id, dispute_id LIMIT ${LIST_ROWS_MAX}`,
        [organisationId, status],
      );
      return rows.map(toDispute);
    },

    /**
     * A partner's settlement totals per local month (only `period`'s, if given) and a page of its
     * holds, newest first: with `heldFrom`/`heldBefore` (instants), only holds placed in that
     * span (a period's local month); at most `limit` (1 to LIST_ROWS_MAX) of them, after the hold
     * `after` names.
     */
    async partnerStatement(
      partnerId: string,
      options: {
        readonly period?: string;
        readonly heldFrom?: string;
        readonly heldBefore?: string;
        readonly limit?: number;
        readonly after?: HoldCursor;
      } = {},
    ): Promise<{ holds: HoldView[]; settlements: SettlementView[] }> {
      const periodFilter = options.period === undefined ? '' : ' AND period = ?';
      const periodParams = options.period === undefined ? [] : [options.period];
      const settlements = await db.query(
        `SELECT * FROM ${t('partner_settlement')} WHERE partner_id = ?${periodFilter} ORDER BY period`,
        [partnerId, ...periodParams],
      );
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? LIST_ROWS_MAX), 1), LIST_ROWS_MAX);
      const { after } = options;
      const holds = await db.query(
        `SELECT * FROM ${t('points_hold')} WHERE partner_id = ? AND held_at >= ? AND held_at < ?` +
          (after === undefined
            ? ''
            : ' AND (held_at < ? OR (held_at = ? AND (volunteer_id > ? OR (volunteer_id = ? AND hold_id > ?))))') +
          ` ORDER BY held_at DESC, volunteer_id, hold_id LIMIT ${limit}`,
        [
          partnerId,
          options.heldFrom ?? '',
          // Above every instant's text: '9' sorts after any year's digits.
          options.heldBefore ?? '9',
          ...(after === undefined
            ? []
            : [after.heldAt, after.heldAt, after.volunteerId, after.volunteerId, after.holdId]),
        ],
      );
      return {
        settlements: settlements.map(toSettlement),
        holds: holds.map((row) => ({
          volunteerId: s(row.volunteer_id),
          holdId: s(row.hold_id),
          offerId: nullable(row.offer_id),
          centipoints: n(row.centipoints),
          heldAt: s(row.held_at),
          expiresAt: nullable(row.expires_at),
          status: s(row.status),
          resolvedAt: nullable(row.resolved_at),
          cashCopayFen: n(row.cash_copay_fen),
        })),
      };
    },

    /**
     * Registered volunteers, volunteers with confirmed service ending in the last `activeDays`
     * (default 90, about a quarter) before `now`, confirmed hours per local month, and star distribution.
     */
    async communityStatistics(options: {
      readonly now: string;
      readonly community?: string;
      readonly activeDays?: number;
    }): Promise<CommunityStatistics> {
      const activeDays = options.activeDays ?? 90;
      let nowMs: number;
      try {
        nowMs = parseInstant(options.now);
      } catch {
        throw new ProjectionError('PROJECTION_INVALID_ARGUMENT', `now must be an ISO-8601 UTC instant`);
      }
      const activeSince = formatInstant(nowMs - activeDays * 86_400_000);
      const where = options.community === undefined ? '' : ' AND community = ?';
      const params = options.community === undefined ? [] : [options.community];
      const [registered] = await db.query(
        `SELECT COUNT(*) AS total FROM ${t('volunteer_summary')} WHERE 1 = 1${where}`,
        params,
      );
      const [active] = await db.query(
        `SELECT COUNT(DISTINCT volunteer_id) AS total FROM ${t('service_record')} WHERE status = 'confirmed' AND end_at >= ?${where}`,
        [activeSince, ...params],
      );
      const months = await db.query(
        `SELECT service_month AS month, SUM(duration_minutes) AS minutes FROM ${t('service_record')} WHERE status = 'confirmed'${where} GROUP BY service_month ORDER BY service_month`,
        params,
      );
      const stars = await db.query(
        `SELECT awarded_stars AS stars, COUNT(*) AS total FROM ${t('volunteer_summary')} WHERE 1 = 1${where} GROUP BY awarded_stars ORDER BY awarded_stars`,
        params,
      );
      return {
        registeredVolunteers: n(registered?.total),
        activeVolunteers: n(active?.total),
        activeSince,
        hoursPerMonth: months.map((row) => ({ month: s(row.month), confirmedMinutes: n(row.minutes) })),
        starDistribution: Object.fromEntries(stars.map((row) => [s(row.stars), n(row.total)])),
      };
    },

    /** Roll-up statistics of every registered unit as of local day `asOf` (see rollup-queries.ts). */
    async rollUp(asOf: string): Promise<RollUp> {
      return rollUpAsOf(db, asOf);
    },

    /** A project's confirmed service as of local day `asOf` (see project-queries.ts). */
    async projectStatistics(projectId: string, asOf: string): Promise<ServiceStatistics> {
      return serviceStatisticsAsOf(db, { projectId }, asOf);
    },

    /** An organisation's confirmed service, all its projects and none, as of local day `asOf`. */
    async organisationStatistics(organisationId: string, asOf: string): Promise<ServiceStatistics> {
      return serviceStatisticsAsOf(db, { organisationId }, asOf);
    },

    /**
     * Summaries of the volunteers of these communities, by volunteer number then id: at most
     * `limit` (1 to LIST_ROWS_MAX) of them, after the one `after` names, if given.
     */
    async volunteersOfCommunities(
      communities: readonly string[],
      page: { limit?: number; after?: { volunteerNumber: string; volunteerId: string } } = {},
    ): Promise<VolunteerSummary[]> {
      if (communities.length === 0) return [];
      const limit = Math.min(Math.max(Math.trunc(page.limit ?? LIST_ROWS_MAX), 1), LIST_ROWS_MAX);
      const marks = communities.map(() => '?').join(', ');
      const after = page.after;
      const rows = await db.query(
        `SELECT * FROM ${t('volunteer_summary')} WHERE community IN (${marks})` +
          (after === undefined
            ? ''
            : ' AND (volunteer_number > ? OR (volunteer_number = ? AND volunteer_id > ?))') +
          ` ORDER BY volunteer_number, volunteer_id LIMIT ${limit}`,
        after === undefined
          ? communities
          : [...communities, after.volunteerNumber, after.volunteerNumber, after.volunteerId],
      );
      return rows.map(toVolunteerSummary);
    },

    /**
     * Registered partners with their status (active or suspended), by id: at most `limit` (1 to
     * LIST_ROWS_MAX) of them, those after the partner id `after`, if given.
     */
    async partners(
      page: { readonly limit?: number; readonly after?: string } = {},
    ): Promise<
      { partnerId: string; name: string; community: string; status: string; registeredAt: string }[]
    > {
      const limit = Math.min(Math.max(Math.trunc(page.limit ?? LIST_ROWS_MAX), 1), LIST_ROWS_MAX);
      const rows = await db.query(
        `SELECT partner_id, name, community, status, registered_at FROM ${t('partner')}` +
          (page.after === undefined ? '' : ' WHERE partner_id > ?') +
          ` ORDER BY partner_id LIMIT ${limit}`,
        page.after === undefined ? [] : [page.after],
      );
      return rows.map((row) => ({
        partnerId: s(row.partner_id),
        name: s(row.name),
        community: s(row.community),
        status: s(row.status),
        registeredAt: s(row.registered_at),
      }));
    },

    /**
     * Registered organisations with their status (active or suspended), by id: at most `limit`
     * (1 to LIST_ROWS_MAX) of them, those after the organisation id `after`, if given.
     */
    async organisations(
      page: { readonly limit?: number; readonly after?: string } = {},
    ): Promise<
      { organisationId: string; name: string; community: string; status: string; registeredAt: string }[]
    > {
      const limit = Math.min(Math.max(Math.trunc(page.limit ?? LIST_ROWS_MAX), 1), LIST_ROWS_MAX);
      const rows = await db.query(
        `SELECT organisation_id, name, community, status, registered_at FROM ${t('organisation')}` +
          (page.after === undefined ? '' : ' WHERE organisation_id > ?') +
          ` ORDER BY organisation_id LIMIT ${limit}`,
        page.after === undefined ? [] : [page.after],
      );
      return rows.map((row) => ({
        organisationId: s(row.organisation_id),
        name: s(row.name),
        community: s(row.community),
        status: s(row.status),
        registeredAt: s(row.registered_at),
      }));
    },

    /**
     * Every double-entry account's balance and their sum (always 0 in a sound ledger): the shared
     * accounts (issuance, partners, in-transit, donation pool, expired) always, and each
     * volunteer's `volunteer:`, `held:` and `offered:` accounts when not zero.
     */
    async accountBalances(): Promise<{
      accounts: { account: string; balanceCentipoints: number }[];
      totalCentipoints: number;
    }> {
      const shared = await db.query(`SELECT account, balance_centipoints FROM ${t('account_balance')}`);
      const own = await db.query(
        `SELECT volunteer_id, available_centipoints, held_centipoints, offered_centipoints FROM ${t('volunteer_summary')} WHERE available_centipoints <> 0 OR held_centipoints <> 0 OR offered_centipoints <> 0`,
      );
      const accounts = shared.map((row) => ({
        account: s(row.account),
        balanceCentipoints: n(row.balance_centipoints),
      }));
      for (const row of own) {
        const id = s(row.volunteer_id);
        const balances: [string, number][] = [
          [`volunteer:${id}`, n(row.available_centipoints)],
          [`held:${id}`, n(row.held_centipoints)],
          [`offered:${id}`, n(row.offered_centipoints)],
        ];
        for (const [account, balanceCentipoints] of balances) {
          if (balanceCentipoints !== 0) accounts.push({ account, balanceCentipoints });
        }
      }
      accounts.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
      return { accounts, totalCentipoints: accounts.reduce((sum, row) => sum + row.balanceCentipoints, 0) };
    },
  };
}

export type ReadModelQueries = ReturnType<typeof createReadModelQueries>;
