/**
 * Charts of one community, for people who would rather look than read: confirmed hours per
 * month and volunteers per star level (`GET /v1/communities/:community/statistics`), and points
 * issued against points redeemed per month, from the hierarchy's roll-up (`GET
 * /v1/units/:unitId/statistics?asOf=`), whose totals are cumulative: a month's figure is the
 * difference between the totals at the ends of that month and the one before. Every chart has
 * its numbers in a table beside it (lib/chart.ts).
 */
import { ApiError, call } from '../lib/api.js';
import { barChart } from '../lib/chart.js';
import { field, formValues, h } from '../lib/dom.js';
import { hoursNumber, t, todayInShanghai } from '../lib/i18n.js';
import {
  describeError,
  requireSession,
  resultArea,
  statusArea,
  submitting,
  type Screen,
} from '../lib/screen.js';
import type { Session } from '../lib/session.js';

/** Months shown in the points chart: half a year, the current month last. */
const MONTHS_SHOWN = 6;

interface CommunityStatistics {
  readonly hoursPerMonth: readonly { month: string; confirmedMinutes: number }[];
  readonly starDistribution: Record<string, number>;
}

interface UnitFigures {
  readonly figures: { readonly issuedCentipoints: number; readonly redeemedCentipoints: number };
}

/** The last `count` local months, oldest first, as `YYYY-MM`, ending with the month of `today`. */
export function lastMonths(today: string, count: number): string[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    const index = year * 12 + (month - 1) - back;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

/** The last day of a `YYYY-MM` month, or `today` when that is earlier (the current month). */
function monthEnd(month: string, today: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, monthNumber, 0)).toISOString().slice(0, 10);
  return last < today ? last : today;
}

function hoursChart(statistics: CommunityStatistics): HTMLElement {
  const months = statistics.hoursPerMonth.map((row) => row.month);
  return barChart({
    id: 'chart-hours',
    title: t('charts.hours.title'),
    description: t('charts.hours.description'),
    categoryLabel: t('charts.month'),
    categories: months,
    series: [
      { name: t('charts.hours.series'), values: statistics.hoursPerMonth.map((row) => row.confirmedMinutes) },
    ],
    format: (minutes) => hoursNumber(minutes),
  });
}

function starsChart(statistics: CommunityStatistics): HTMLElement {
  const levels = ['0', '1', '2', '3', '4', '5'];
  return barChart({
    id: 'chart-stars',
    title: t('charts.stars.title'),
    description: t('charts.stars.description'),
    categoryLabel: t('charts.stars.level'),
    categories: levels.map((level) => t('charts.stars.levelName', { level })),
    series: [
      {
        name: t('charts.stars.series'),
        values: levels.map((level) => statistics.starDistribution[level] ?? 0),
      },
    ],
    format: (count) => String(count),
  });
}

async function pointsChart(session: Session, unitId: string): Promise<HTMLElement> {
  const today = todayInShanghai();
  const months = lastMonths(today, MONTHS_SHOWN);
  const before = lastMonths(months[0] ?? today, 2)[0] ?? '';
  const ends = [monthEnd(before, today), ...months.map((month) => monthEnd(month, today))];
  const unit = encodeURIComponent(unitId);
  const ZERO: UnitFigures = { figures: { issuedCentipoints: 0, redeemedCentipoints: 0 } };
  // Today first: a unit missing from the hierarchy is an error to show. Before the unit was
  // registered the roll-up has no such unit (AREA_NOT_FOUND): nothing was issued there then.
  const latest = await call<UnitFigures>(
    session,
    `/v1/units/${unit}/statistics?asOf=${ends.at(-1) ?? today}`,
  );
  const earlier = await Promise.all(
    ends.slice(0, -1).map((day) =>
      call<UnitFigures>(session, `/v1/units/${unit}/statistics?asOf=${day}`).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'AREA_NOT_FOUND') return ZERO;
        throw error;
      }),
    ),
  );
  const totals = [...earlier, latest];
  const perMonth = (pick: (figures: UnitFigures['figures']) => number): number[] =>
    months.map((_, index) => pick(totals[index + 1]!.figures) - pick(totals[index]!.figures));
  return barChart({
    id: 'chart-points',
    title: t('charts.points.title'),
    description: t('charts.points.description'),
    categoryLabel: t('charts.month'),
    categories: months,
    series: [
      { name: t('charts.points.issued'), values: perMonth((figures) => figures.issuedCentipoints) },
      { name: t('charts.points.redeemed'), values: perMonth((figures) => figures.redeemedCentipoints) },
    ],
    format: (centipoints) => String(centipoints / 100),
  });
}

export const auditChartsScreen: Screen = (context) => {
  const session = requireSession(context);
  const status = statusArea();
  const output = resultArea({ id: 'charts' });
  const button = h('button', { type: 'submit' }, t('charts.show'));
  const form = h(
    'form',
    {},
    field(
      t('charts.community'),
      h('input', { name: 'community', id: 'charts-community', required: true, autocomplete: 'off' }),
    ),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const community = formValues(form).community ?? '';
    void submitting(button, status, async () => {
      const statistics = await call<CommunityStatistics>(
        session,
        `/v1/communities/${encodeURIComponent(community)}/statistics`,
      );
      // The points chart needs the community in the city's hierarchy; without it, say so in words.
      // AREA_NOT_FOUND's own sentence (上级单位未登记, for registering a unit under a missing
      // parent) would send the auditor looking for a street; here the community itself is missing,
      // or its id was mistyped. (A community the ledger knows nothing of is refused before this,
      // by the statistics route: 404 COMMUNITY_NOT_REGISTERED, shown in words.)
      const points = await pointsChart(session, community).catch((error: unknown) =>
        h(
          'p',
          { class: 'error', role: 'alert', id: 'chart-points-error' },
          error instanceof ApiError && error.code === 'AREA_NOT_FOUND'
            ? t('charts.points.notInHierarchy', { community })
            : describeError(error),
        ),
      );
      output.replaceChildren(hoursChart(statistics), starsChart(statistics), points);
    });
  });
  return h('section', {}, h('h2', {}, t('charts.title')), h('p', {}, t('charts.intro')), form, output);
};
