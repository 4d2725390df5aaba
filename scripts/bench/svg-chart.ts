/**
 * Hand-written SVG line and bar charts for docs/img: plain markup that a code host renders
 * inline, with no plotting service and no dependency.
 */

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface LineChart {
  readonly kind: 'line';
  /** File name under docs/img, without `.svg`; kebab-case. */
  readonly name: string;
  readonly title: string;
  readonly xLabel: string;
  /** Plot x on a base-10 log scale (for sizes spanning decades). */
  readonly xLog?: boolean;
  /** Left axis; its label is the first series' name. */
  readonly series: readonly ChartSeries[];
  /** Optional second quantity, drawn dashed against a right-hand axis. */
  readonly secondary?: ChartSeries;
}

export interface BarChart {
  readonly kind: 'bar';
  readonly name: string;
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly { readonly label: string; readonly value: number }[];
}

export type Chart = LineChart | BarChart;

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 70, top: 40, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

const escape = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const label = (value: number): string =>
  Math.abs(value) >= 1000
    ? value.toLocaleString('en-US', { maximumFractionDigits: 0 })
    : Number(value.toPrecision(3)).toString();

/** A "nice" upper bound (1, 2 or 5 × 10^n) at or above `value`, so axis ticks read well. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * magnitude >= value) ?? 10;
  return step * magnitude;
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function yAxis(maximum: number, side: 'left' | 'right', title: string, colour: string): string[] {
  const x = side === 'left' ? MARGIN.left : MARGIN.left + PLOT_WIDTH;
  const anchor = side === 'left' ? 'end' : 'start';
  const offset = side === 'left' ? -6 : 6;
  const parts = [
    `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + PLOT_HEIGHT}" stroke="#333"/>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const y = MARGIN.top + PLOT_HEIGHT - (tick / 4) * PLOT_HEIGHT;
    if (side === 'left')
      parts.push(
        `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_WIDTH}" y2="${y}" stroke="#e5e5e5"/>`,
      );
    parts.push(
      `<text x="${x + offset}" y="${y + 4}" text-anchor="${anchor}" fill="${colour}">${label((maximum * tick) / 4)}</text>`,
    );
  }
  const titleX = side === 'left' ? 16 : WIDTH - 10;
  const titleY = MARGIN.top + PLOT_HEIGHT / 2;
  parts.push(
    `<text x="${titleX}" y="${titleY}" text-anchor="middle" fill="${colour}" transform="rotate(-90 ${titleX} ${titleY})">${escape(title)}</text>`,
  );
  return parts;
}

function renderLine(chart: LineChart): string {
  const all = [...chart.series, ...(chart.secondary === undefined ? [] : [chart.secondary])];
  const xs = all.flatMap((series) => series.points.map((point) => point.x));
  const scaleX = chart.xLog === true ? Math.log10 : (value: number) => value;
  const xMin = Math.min(...xs.map(scaleX));
  const xMax = Math.max(...xs.map(scaleX));
  const toX = (value: number): number =>
    MARGIN.left + (xMax === xMin ? PLOT_WIDTH / 2 : ((scaleX(value) - xMin) / (xMax - xMin)) * PLOT_WIDTH);
  const leftMax = niceMax(
    Math.max(...chart.series.flatMap((series) => series.points.map((point) => point.y))),
  );
  const body = yAxis(leftMax, 'left', chart.series[0]?.name ?? '', '#333');
  const baseY = MARGIN.top + PLOT_HEIGHT;
  body.push(
    `<line x1="${MARGIN.left}" y1="${baseY}" x2="${MARGIN.left + PLOT_WIDTH}" y2="${baseY}" stroke="#333"/>`,
  );
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    body.push(`<text x="${toX(x)}" y="${baseY + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  body.push(
    `<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(chart.xLabel)}${chart.xLog === true ? ' (log scale)' : ''}</text>`,
  );
  const draw = (series: ChartSeries, maximum: number, colour: string, dashed: boolean): void => {
    const toY = (value: number): number => baseY - (value / maximum) * PLOT_HEIGHT;
    const path = series.points.map((point) => `${toX(point.x).toFixed(1)},${toY(point.y).toFixed(1)}`);
    body.push(
      `<polyline points="${path.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const point of series.points) {
      body.push(
        `<circle cx="${toX(point.x).toFixed(1)}" cy="${toY(point.y).toFixed(1)}" r="3.5" fill="${colour}"><title>${escape(series.name)}: ${label(point.y)} at ${label(point.x)}</title></circle>`,
      );
    }
  };
  chart.series.forEach((series, index) =>
    draw(series, leftMax, COLOURS[index % COLOURS.length] ?? '#000', false),
  );
  const legend = chart.series.map((series, index) => ({
    name: series.name,
    colour: COLOURS[index] ?? '#000',
  }));
  if (chart.secondary !== undefined) {
    const rightMax = niceMax(Math.max(...chart.secondary.points.map((point) => point.y)));
    const colour = '#d62728';
    body.push(...yAxis(rightMax, 'right', chart.secondary.name, colour));
    draw(chart.secondary, rightMax, colour, true);
    legend.push({ name: `${chart.secondary.name} (right axis, dashed)`, colour });
  }
  legend.forEach((entry, index) => {
    const y = MARGIN.top + 12 + index * 16;
    body.push(
      `<rect x="${MARGIN.left + 10}" y="${y - 9}" width="12" height="12" fill="${entry.colour}"/>`,
      `<text x="${MARGIN.left + 28}" y="${y + 1}">${escape(entry.name)}</text>`,
    );
  });
  return frame(chart.title, body);
}

function renderBar(chart: BarChart): string {
  const maximum = niceMax(Math.max(...chart.bars.map((bar) => bar.value)));
  const body = yAxis(maximum, 'left', chart.unit, '#333');
  const baseY = MARGIN.top + PLOT_HEIGHT;
  body.push(
    `<line x1="${MARGIN.left}" y1="${baseY}" x2="${MARGIN.left + PLOT_WIDTH}" y2="${baseY}" stroke="#333"/>`,
  );
  const slot = PLOT_WIDTH / Math.max(1, chart.bars.length);
  chart.bars.forEach((bar, index) => {
    const height = (bar.value / maximum) * PLOT_HEIGHT;
    const x = MARGIN.left + index * slot + slot * 0.15;
    const colour = COLOURS[index % COLOURS.length] ?? '#000';
    body.push(
      `<rect x="${x.toFixed(1)}" y="${(baseY - height).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${height.toFixed(1)}" fill="${colour}"><title>${escape(bar.label)}: ${label(bar.value)} ${escape(chart.unit)}</title></rect>`,
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(baseY - height - 5).toFixed(1)}" text-anchor="middle">${label(bar.value)}</text>`,
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${baseY + 18}" text-anchor="middle">${escape(bar.label)}</text>`,
    );
  });
  return frame(chart.title, body);
}

/** The chart as a standalone SVG document. */
export function renderChart(chart: Chart): string {
  if (chart.kind === 'line') {
    if (chart.series.length === 0 || chart.series.every((series) => series.points.length === 0))
      throw new Error(`chart ${chart.name} has no points`);
    return renderLine(chart);
  }
  if (chart.bars.length === 0) throw new Error(`chart ${chart.name} has no bars`);
  return renderBar(chart);
}
