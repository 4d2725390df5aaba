/**
 * A small bar chart drawn as inline SVG, beside the same numbers as a table. About 100 lines
 * instead of a chart library: the console needs vertical bars in one or two series, and a library
 * (Chart.js ~70 KB gzipped, ECharts ~300 KB) would draw on a canvas that screen readers cannot
 * read anyway. The SVG is an image named by its own <title> and <desc>; the table that follows it
 * is the text alternative, with every value the bars show (docs/console.md, Charts).
 */
import { h } from './dom.js';

export interface ChartSeries {
  readonly name: string;
  readonly values: readonly number[];
}

export interface BarChart {
  /** The element id; the table gets `<id>-table`. */
  readonly id: string;
  readonly title: string;
  /** One sentence saying what the chart shows, read by screen readers before the table. */
  readonly description: string;
  readonly categoryLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  /** How a value is written in the labels and the table, e.g. hours or points with their unit. */
  readonly format: (value: number) => string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Colours with at least 3:1 contrast against white (WCAG 1.4.11, non-text contrast). */
const SERIES_COLOURS = ['#0b5cad', '#b4490b'] as const;
const HEIGHT = 220;
const BAR_AREA_TOP = 24;
const BAR_AREA_BOTTOM = 184;
const SLOT_WIDTH = 90;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function drawing(chart: BarChart): SVGSVGElement {
  const width = Math.max(1, chart.categories.length) * SLOT_WIDTH + 20;
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${HEIGHT}`,
    width,
    height: HEIGHT,
    role: 'img',
    'aria-labelledby': `${chart.id}-title ${chart.id}-desc`,
    class: 'chart',
  });
  root.append(
    svg('title', { id: `${chart.id}-title` }, chart.title),
    svg('desc', { id: `${chart.id}-desc` }, chart.description),
    svg('line', { x1: 10, x2: width - 10, y1: BAR_AREA_BOTTOM, y2: BAR_AREA_BOTTOM, stroke: '#4a4a4a' }),
  );
  const maximum = Math.max(0, ...chart.series.flatMap((series) => series.values));
  const barWidth = (SLOT_WIDTH - 20) / Math.max(1, chart.series.length);
  chart.categories.forEach((category, index) => {
    const slotLeft = 10 + index * SLOT_WIDTH + 10;
    chart.series.forEach((series, seriesIndex) => {
      const value = series.values[index] ?? 0;
      const barHeight = maximum === 0 ? 0 : ((BAR_AREA_BOTTOM - BAR_AREA_TOP) * value) / maximum;
      const x = slotLeft + seriesIndex * barWidth;
      root.append(
        svg('rect', {
          x,
          y: BAR_AREA_BOTTOM - barHeight,
          width: barWidth - 4,
          height: barHeight,
          fill: SERIES_COLOURS[seriesIndex % SERIES_COLOURS.length] ?? '#0b5cad',
        }),
        svg(
          'text',
          { x: x + (barWidth - 4) / 2, y: BAR_AREA_BOTTOM - barHeight - 6, 'text-anchor': 'middle' },
          chart.format(value),
        ),
      );
    });
    root.append(
      svg('text', { x: slotLeft + (SLOT_WIDTH - 20) / 2, y: HEIGHT - 16, 'text-anchor': 'middle' }, category),
    );
  });
  return root;
}

function legend(chart: BarChart): HTMLElement | null {
  if (chart.series.length < 2) return null;
  return h(
    'ul',
    { class: 'legend' },
    ...chart.series.map((series, index) =>
      h(
        'li',
        {},
        // A class, not a style attribute: the page's CSP allows only its own style sheet.
        h('span', { class: `swatch series-${index % SERIES_COLOURS.length}`, 'aria-hidden': 'true' }),
        series.name,
      ),
    ),
  );
}

/** The chart, its legend and its data table, in one figure. */
export function barChart(chart: BarChart): HTMLElement {
  const table = h(
    'table',
    { id: `${chart.id}-table` },
    h('caption', {}, chart.title),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, chart.categoryLabel),
        ...chart.series.map((series) => h('th', { scope: 'col' }, series.name)),
      ),
    ),
    h(
      'tbody',
      {},
      ...chart.categories.map((category, index) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, category),
          ...chart.series.map((series) =>
            h('td', { class: 'number' }, chart.format(series.values[index] ?? 0)),
          ),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { id: chart.id, class: 'chart-figure' },
    h('figcaption', {}, chart.title),
    drawing(chart),
    legend(chart),
    table,
  );
}
