import { describe, expect, it } from 'vitest';
import { downsample, escapeXml, formatNumber, lineChart, niceStep, niceTicks } from '../../../sim/svg-chart.js';

const day = (f: (h: number) => number, n = 97): [number, number][] =>
  Array.from({ length: n }, (_, i) => {
    const h = (i * 24) / (n - 1);
    return [h, f(h)];
  });

function isNiceStep(step: number): boolean {
  const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  return [1, 2, 5, 10].some((n) => Math.abs(m - n) < 1e-9);
}

describe('niceTicks', () => {
  it.each([
    [0, 1],
    [0, 24],
    [0.03, 0.97],
    [-3.7, 12.2],
    [1234, 98765],
    [0.0001, 0.00037],
    [-5, -1],
  ])('covers [%d, %d] with 1-2-5 steps', (min, max) => {
    const t = niceTicks(min, max);
    expect(isNiceStep(t.step)).toBe(true);
    expect(t.lo).toBeLessThanOrEqual(min);
    expect(t.hi).toBeGreaterThanOrEqual(max);
    expect(t.values.length).toBeGreaterThanOrEqual(3);
    expect(t.values.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < t.values.length; i++) expect(t.values[i]! - t.values[i - 1]!).toBeCloseTo(t.step, 9);
  });

  it('gives round numbers without float drift', () => {
    expect(niceTicks(0, 1).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.1, 0.7, 6).values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(0, 24, 8).values).toEqual([0, 5, 10, 15, 20, 25]);
    expect(niceTicks(0.3, 0.9, 6).values.map(String)).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9']);
  });

  it('widens degenerate ranges around the value', () => {
    for (const v of [0, 1, 0.5, -7, 1e6]) {
      const t = niceTicks(v, v);
      expect(t.lo).toBeLessThan(v);
      expect(t.hi).toBeGreaterThan(v);
      expect(isNiceStep(t.step)).toBe(true);
    }
    expect(niceTicks(Number.NaN, Infinity).values).toEqual(niceTicks(0, 1).values);
  });

  it('niceStep rounds up to 1, 2 or 5 × 10^k', () => {
    expect([0.7, 1, 1.2, 3, 6, 0.013, 20].map(niceStep)).toEqual([1, 1, 2, 5, 10, 0.02, 20]);
  });
});

describe('formatNumber', () => {
  it('is compact', () => {
    expect(
      [0, -0, 1, 0.5, 1.234, 12.34, 123.4, 9_999, 12_345, 999_400, 4_560_000, 2e9, -0.0004].map((v) => formatNumber(v)),
    ).toEqual(['0', '0', '1', '0.5', '1.23', '12.3', '123', '9999', '12.3k', '999k', '4.56M', '2B', '-0.0004']);
  });

  it('shows the decimals a tick step needs', () => {
    expect(niceTicks(0, 1).values.map((v) => formatNumber(v, 0.2))).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(formatNumber(12_500, 500)).toBe('12.5k');
    expect(formatNumber(-1e-17, 0.1)).toBe('0.0');
  });
});

describe('downsample', () => {
  it('keeps spikes and the ends of a long series', () => {
    const pts: [number, number][] = Array.from({ length: 50_000 }, (_, i) => [(i / 50_000) * 24, Math.sin(i / 1000)]);
    pts[12_345] = [pts[12_345]![0], 40];
    pts[40_000] = [pts[40_000]![0], -40];
    const out = downsample(pts, 640, 0, 24);
    expect(out.length).toBeLessThanOrEqual(4 * 640);
    expect(out).toContain(pts[12_345]);
    expect(out).toContain(pts[40_000]);
    expect(out[0]).toBe(pts[0]);
    expect(out[out.length - 1]).toBe(pts[pts.length - 1]);
    // Original order is kept, so the line is drawn left to right.
    for (let i = 1; i < out.length; i++) expect(out[i]![0]).toBeGreaterThanOrEqual(out[i - 1]![0]);
  });

  it('a chart of a long series stays small but still reaches the spike', () => {
    const pts: [number, number][] = Array.from({ length: 20_000 }, (_, i) => [(i / 20_000) * 24, 1]);
    pts[7_777] = [pts[7_777]![0], 100];
    const svg = lineChart({ title: 't', series: [{ name: 's', points: pts }] });
    expect(svg.length).toBeLessThan(40_000);
    // y ticks reach the spike: the axis was computed from all the data.
    expect(svg).toContain('>100</text>');
  });
});

describe('lineChart', () => {
  const opts = {
    title: 'Cumulative spend vs target — alpha',
    yLabel: 'share of daily budget',
    series: [
      { name: 'actual', points: day((h) => Math.min(1, (h / 24) * 1.1)) },
      { name: 'target', points: day((h) => h / 24) },
    ],
  };

  it('is accessible and well formed', () => {
    const svg = lineChart(opts);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')).toBe(true);
    expect(svg).toContain('<title>Cumulative spend vs target — alpha</title>');
    expect(svg).toContain('<desc>');
    expect(svg).toContain('>hour</text>'); // default x label
    expect(svg.match(/<svg/g)?.length).toBe(svg.match(/<\/svg>/g)?.length);
  });

  it('draws target series dashed and others solid', () => {
    const paths = lineChart(opts).match(/<path [^>]*>/g) ?? [];
    expect(paths).toHaveLength(2);
    expect(paths[0]).not.toContain('stroke-dasharray');
    expect(paths[1]).toContain('stroke-dasharray');
  });

  it('is deterministic', () => {
    expect(lineChart(opts)).toBe(lineChart(structuredClone(opts)));
  });

  it('escapes every piece of text', () => {
    const svg = lineChart({
      title: '<b>t</b>',
      xLabel: 'x & "y"',
      yLabel: "it's",
      series: [
        {
          name: '<script>alert(1)</script>',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
    });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('x &amp; &quot;y&quot;');
    expect(svg).toContain('it&#39;s');
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('handles degenerate input: flat series, one point, gaps, no data', () => {
    const flat = lineChart({ title: 'flat', series: [{ name: 'a', points: day(() => 3) }] });
    expect(flat).not.toContain('NaN');
    expect(flat).toContain('<path');
    const one = lineChart({ title: 'one', series: [{ name: 'a', points: [[5, 2]] }] });
    expect(one).not.toContain('NaN');
    expect(one).toContain('<circle');
    const gap = lineChart({
      title: 'gap',
      series: [
        {
          name: 'a',
          points: [
            [0, 1],
            [1, 2],
            [2, Number.NaN],
            [3, 1],
            [4, 0],
          ],
        },
      ],
    });
    expect(gap.match(/M/g)?.length).toBeGreaterThanOrEqual(2);
    expect(gap).not.toContain('NaN');
    const none = lineChart({ title: 'none', series: [] });
    expect(none).toContain('no data');
    expect(none).not.toContain('NaN');
  });

  it('honours explicit y bounds', () => {
    const svg = lineChart({ ...opts, yMin: 0, yMax: 1.5 });
    expect(svg).toContain('>1.5</text>');
    expect(svg).toContain('from 0 to 1.5');
  });

  it('gives ten series distinct styles', () => {
    const series = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, points: day((h) => h * i) }));
    const styles = (lineChart({ title: 't', series }).match(/<path [^>]*>/g) ?? []).map((p) =>
      p.replace(/ d="[^"]*"/, ''),
    );
    expect(new Set(styles).size).toBe(10);
  });
});
