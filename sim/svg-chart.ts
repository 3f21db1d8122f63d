/**
 * A small, dependency-free line chart rendered as an inline SVG string, for the pacing simulator's HTML
 * report. Output is deterministic (same input → byte-identical string) so committed reports diff cleanly and
 * "same seed → same result" can be checked on the report itself: coordinates are rounded to 0.1 px, there
 * are no random ids, and nothing depends on the clock or locale.
 *
 *   ┌──────────────── title ────────────────┐
 *   │ y ticks │ plot (nested <svg>, clips)   │   the nested <svg> clips lines that leave an explicit
 *   │         │                              │   yMin/yMax without needing a clipPath id (ids would
 *   │         └──────── x ticks ─────────────│   collide when a page holds several charts)
 *   │                x label                 │
 *   │  legend rows (wrapped)                 │
 *   └────────────────────────────────────────┘
 *
 * Text from config (series names, titles) is XML-escaped everywhere, so a series named `<script>` is text.
 */

export interface ChartSeries {
  readonly name: string;
  /** [x, y] pairs in drawing order; non-finite values break the line. */
  readonly points: readonly (readonly [number, number])[];
  /** Draw dashed; defaults to true when the name contains "target" (case-insensitive). */
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Fixed y bounds; otherwise the data range widened to nice ticks. */
  readonly yMin?: number;
  readonly yMax?: number;
  /** Width and height of the frame (title, plot, axes) in px; the legend adds rows below. */
  readonly width?: number;
  readonly height?: number;
  /** Series longer than this are reduced to first/min/max/last per pixel column. */
  readonly maxPoints?: number;
}

/**
 * Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), reordered so the first
 * colours have the most contrast on white; yellow is dropped for its poor contrast. Series past the
 * palette repeat it with a dotted stroke so they stay distinguishable.
 */
export const kPalette: readonly string[] = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
];
const kDash = '6 4';
const kDot = '1.5 3';
const kMargin = { left: 64, right: 16, top: 32, bottom: 44 } as const;
const kLegendRow = 18;
/** Rough width of one 12 px character, for legend wrapping; exact metrics would need a font. */
const kCharWidth = 7;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => kXmlEntities[c] ?? c);
}
const kXmlEntities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The smallest 1, 2 or 5 × 10^k that is ≥ raw. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  const m = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
  return Number((m * 10 ** e).toPrecision(12));
}

export interface Ticks {
  /** Nice bounds that cover [min, max]: the first and last tick. */
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  readonly values: readonly number[];
}

/**
 * Ticks on a 1-2-5 step covering [min, max] with about `target` intervals. A degenerate range (all values
 * equal, one point) is widened around the value so the chart still has an axis rather than a division by 0.
 */
export function niceTicks(min: number, max: number, target = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, target);
  if (min > max) [min, max] = [max, min];
  if (max - min <= Math.abs(max) * 1e-12) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = niceStep((max - min) / Math.max(1, target));
  const decimals = stepDecimals(step);
  // Integer multiples of the step, then rounded: summing steps would drift (0.1 + 0.2 ≠ 0.3).
  const kLo = Math.floor(min / step + 1e-9);
  const kHi = Math.ceil(max / step - 1e-9);
  const values: number[] = [];
  for (let k = kLo; k <= kHi; k++) values.push(cleanZero(Number((k * step).toFixed(decimals))));
  return { lo: values[0] ?? min, hi: values[values.length - 1] ?? max, step, values };
}

function stepDecimals(step: number): number {
  return Math.min(12, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

function cleanZero(v: number): number {
  return v === 0 ? 0 : v; // -0 would print as "0" but compare oddly in tests and JSON
}

/**
 * Compact number text: 1.23, 45.6, 12.3k, 4.5M, 2B. With `step` (tick labels) it shows exactly as many
 * decimals as the step needs, so neighbouring ticks never print the same.
 */
export function formatNumber(v: number, step?: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const [scale, suffix] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e4 ? [1e3, 'k'] : [1, ''];
  if (step !== undefined && step > 0) {
    const text = (v / scale).toFixed(stepDecimals(step / scale));
    return (/^-0(\.0*)?$/.test(text) ? text.slice(1) : text) + suffix;
  }
  if (v === 0) return '0';
  // Three significant digits, but never fewer than the integer part: 9999 stays 9999, not 10000.
  const m = v / scale;
  return String(Math.abs(m) >= 100 ? Math.round(m) : Number(m.toPrecision(3))) + suffix;
}

/**
 * Reduces a long series to at most four points per pixel column: the first, the minimum, the maximum and
 * the last, in their original order (the "M4" reduction). The drawn line is then the same at that
 * resolution, and a one-sample spike survives where averaging or striding would drop it.
 */
export function downsample(
  points: readonly (readonly [number, number])[],
  columns: number,
  xMin: number,
  xMax: number,
): (readonly [number, number])[] {
  const cols = Math.max(1, Math.floor(columns));
  const span = xMax - xMin;
  const keep = new Uint8Array(points.length);
  // Per column: index of first, min, max, last; -1 when empty.
  const first = new Int32Array(cols).fill(-1);
  const lo = new Int32Array(cols).fill(-1);
  const hi = new Int32Array(cols).fill(-1);
  const last = new Int32Array(cols).fill(-1);
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      keep[i] = 1; // keeps the gap in the line
      continue;
    }
    const c = span > 0 ? Math.min(cols - 1, Math.max(0, Math.floor(((x - xMin) / span) * cols))) : 0;
    if (first[c] === -1) first[c] = i;
    last[c] = i;
    if (lo[c] === -1 || y < points[lo[c]!]![1]) lo[c] = i;
    if (hi[c] === -1 || y > points[hi[c]!]![1]) hi[c] = i;
  }
  for (const arr of [first, lo, hi, last]) for (const i of arr) if (i >= 0) keep[i] = 1;
  const out: (readonly [number, number])[] = [];
  for (let i = 0; i < points.length; i++) if (keep[i] === 1) out.push(points[i]!);
  return out;
}

/** Coordinates to 0.1 px: enough for a crisp line, short, and identical across runs. */
function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function finiteRange(series: readonly ChartSeries[], axis: 0 | 1): [number, number] | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const s of series)
    for (const p of s.points) {
      const v = p[axis];
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  return min <= max ? [min, max] : undefined;
}

interface Stroke {
  readonly color: string;
  readonly dash: string | undefined;
}

function strokeFor(s: ChartSeries, i: number): Stroke {
  const dashed = s.dashed ?? /target/i.test(s.name);
  const dash = dashed ? kDash : i >= kPalette.length ? kDot : undefined;
  return { color: kPalette[i % kPalette.length]!, dash };
}

function strokeAttrs(st: Stroke): string {
  return `stroke="${st.color}"${st.dash === undefined ? '' : ` stroke-dasharray="${st.dash}"`}`;
}

/** Greedy left-to-right legend layout; returns each entry's offset and the number of rows. */
function layoutLegend(names: readonly string[], width: number): { pos: [number, number][]; rows: number } {
  const pos: [number, number][] = [];
  let x = 0;
  let row = 0;
  for (const n of names) {
    const w = 28 + n.length * kCharWidth + 16;
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    pos.push([x, row]);
    x += w;
  }
  return { pos, rows: names.length === 0 ? 0 : row + 1 };
}

export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 720;
  const frameH = opts.height ?? 300;
  const plotW = width - kMargin.left - kMargin.right;
  const plotH = frameH - kMargin.top - kMargin.bottom;
  const xLabel = opts.xLabel ?? 'hour';
  const yLabel = opts.yLabel ?? '';

  // x: the data's own range (a day reads 0–24, not 0–25); ticks fall inside it.
  const xr = finiteRange(opts.series, 0);
  const xt0 = niceTicks(xr?.[0] ?? 0, xr?.[1] ?? 1, 8);
  const [xMin, xMax] = xr !== undefined && xr[1] > xr[0] ? xr : [xt0.lo, xt0.hi];
  const xTicks = xt0.values.filter((v) => v >= xMin - xt0.step * 1e-9 && v <= xMax + xt0.step * 1e-9);

  // y: explicit bounds win; otherwise the data range widened to the nearest nice ticks.
  const yr = finiteRange(opts.series, 1);
  const yt0 = niceTicks(opts.yMin ?? yr?.[0] ?? 0, opts.yMax ?? yr?.[1] ?? 1, 6);
  let yMin = opts.yMin ?? yt0.lo;
  let yMax = opts.yMax ?? yt0.hi;
  if (!(yMax > yMin)) [yMin, yMax] = [yt0.lo, yt0.hi];
  const yTicks = yt0.values.filter((v) => v >= yMin - yt0.step * 1e-9 && v <= yMax + yt0.step * 1e-9);

  const sx = (x: number): number => ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number): number => plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  const strokes = opts.series.map(strokeFor);
  const legend = layoutLegend(
    opts.series.map((s) => s.name),
    plotW,
  );
  const totalH = frameH + legend.rows * kLegendRow + (legend.rows > 0 ? 4 : 0);
  const maxPoints = opts.maxPoints ?? 2000;

  const out: string[] = [];
  const desc =
    `Line chart. x: ${xLabel} from ${formatNumber(xMin)} to ${formatNumber(xMax)}. ` +
    `y: ${yLabel || 'value'} from ${formatNumber(yMin)} to ${formatNumber(yMax)}. ` +
    `Series: ${opts.series.map((s, i) => `${s.name}${strokes[i]!.dash === kDash ? ' (dashed)' : ''}`).join(', ') || 'none'}.`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${totalH}" viewBox="0 0 ${width} ${totalH}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title>${escapeXml(opts.title)}</title>`,
    `<desc>${escapeXml(desc)}</desc>`,
    `<rect width="${width}" height="${totalH}" fill="#fff"/>`,
    `<text x="${kMargin.left}" y="20" font-size="14" font-weight="600" fill="#222">${escapeXml(opts.title)}</text>`,
  );

  // Gridlines and tick labels, in frame coordinates.
  out.push('<g stroke="#e4e4e4" stroke-width="1">');
  for (const v of yTicks) {
    const y = px(kMargin.top + sy(v));
    out.push(`<line x1="${kMargin.left}" x2="${kMargin.left + plotW}" y1="${y}" y2="${y}"/>`);
  }
  for (const v of xTicks) {
    const x = px(kMargin.left + sx(v));
    out.push(`<line x1="${x}" x2="${x}" y1="${kMargin.top}" y2="${kMargin.top + plotH}"/>`);
  }
  out.push('</g>', '<g fill="#555">');
  for (const v of yTicks)
    out.push(
      `<text x="${kMargin.left - 6}" y="${px(kMargin.top + sy(v) + 4)}" text-anchor="end">${escapeXml(formatNumber(v, yt0.step))}</text>`,
    );
  for (const v of xTicks)
    out.push(
      `<text x="${px(kMargin.left + sx(v))}" y="${kMargin.top + plotH + 16}" text-anchor="middle">${escapeXml(formatNumber(v, xt0.step))}</text>`,
    );
  out.push('</g>');
  out.push(
    `<rect x="${kMargin.left}" y="${kMargin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${px(kMargin.left + plotW / 2)}" y="${kMargin.top + plotH + 34}" text-anchor="middle" fill="#333">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${px(kMargin.top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(yLabel)}</text>`,
  );

  // The series, in plot coordinates inside a nested <svg> that clips to the plot area.
  out.push(
    `<svg x="${kMargin.left}" y="${kMargin.top}" width="${plotW}" height="${plotH}" viewBox="0 0 ${plotW} ${plotH}" overflow="hidden">`,
  );
  if (xr === undefined)
    out.push(`<text x="${px(plotW / 2)}" y="${px(plotH / 2)}" text-anchor="middle" fill="#999">no data</text>`);
  opts.series.forEach((s, i) => {
    const pts = s.points.length > maxPoints ? downsample(s.points, plotW, xMin, xMax) : s.points;
    const { d, dots } = pathData(pts, sx, sy);
    const st = strokes[i]!;
    if (d !== '')
      out.push(`<path d="${d}" fill="none" stroke-width="1.75" stroke-linejoin="round" ${strokeAttrs(st)}/>`);
    for (const [x, y] of dots) out.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${st.color}"/>`);
  });
  out.push('</svg>');

  // Legend: a stroke sample and the name for each series.
  const legendTop = frameH + 4;
  opts.series.forEach((s, i) => {
    const [ox, row] = legend.pos[i]!;
    const x = kMargin.left + ox;
    const y = legendTop + row * kLegendRow;
    out.push(
      `<line x1="${x}" x2="${x + 22}" y1="${y + 6}" y2="${y + 6}" stroke-width="2" ${strokeAttrs(strokes[i]!)}/>`,
      `<text x="${x + 28}" y="${y + 10}" fill="#333">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/** SVG path data for one series; lone points between gaps become dots, since a bare "M" draws nothing. */
function pathData(
  pts: readonly (readonly [number, number])[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): { d: string; dots: [string, string][] } {
  const parts: string[] = [];
  const dots: [string, string][] = [];
  let seg: string[] = [];
  const flush = (): void => {
    if (seg.length === 1) dots.push(seg[0]!.split(' ') as [string, string]);
    else if (seg.length > 1) parts.push(`M${seg[0]!}L${seg.slice(1).join(' ')}`);
    seg = [];
  };
  for (const [x, y] of pts) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      flush();
      continue;
    }
    const c = `${px(sx(x))} ${px(sy(y))}`;
    if (seg[seg.length - 1] !== c) seg.push(c); // repeated pixels add bytes, not ink
  }
  flush();
  return { d: parts.join(''), dots };
}
