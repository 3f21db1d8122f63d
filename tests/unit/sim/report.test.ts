import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeMarkdown, renderHtml, renderMarkdown, writeReport, type SimReport } from '../../../sim/report.js';

const hours = Array.from({ length: 49 }, (_, i) => i / 2);

const report: SimReport = {
  scenario: 'steady',
  seed: 42,
  generatedBy: 'npm run simulate -- --scenario steady --seed 42',
  comparison: {
    columns: ['run', 'delivered', 'overspend', 'notes'],
    rows: [
      ['steady · controller', '99.2%', '0.0%', 'a | b'],
      ['steady · asap', '100.0%', '1.3%', ''],
    ],
  },
  runs: [
    {
      title: 'steady · controller',
      summary: [
        { metric: 'delivered', value: '99.2%' },
        { metric: 'max hourly error', value: '3.1 pp' },
      ],
      charts: [
        {
          title: 'Cumulative spend vs target — alpha',
          yLabel: 'share of daily budget',
          series: [
            { name: 'actual', points: hours.map((h) => [h, Math.min(1, h / 23)] as const) },
            { name: 'target', points: hours.map((h) => [h, h / 24] as const) },
          ],
          yMin: 0,
          yMax: 1.1,
        },
      ],
    },
    { title: 'steady · asap', summary: [{ metric: 'delivered', value: '100.0%' }], charts: [] },
  ],
  notes: ['Spend is counted from billing notices only.'],
};

describe('renderMarkdown', () => {
  const md = renderMarkdown(report);

  it('has headings, the comparison table and a summary per run', () => {
    expect(md).toContain('# Pacing simulation: steady');
    expect(md).toContain('## Comparison');
    expect(md).toContain('## steady · controller');
    expect(md).toContain('## steady · asap');
    expect(md).toContain('npm run simulate -- --scenario steady --seed 42');
    expect(md).toContain('see HTML report');
    expect(md).toContain('- Spend is counted from billing notices only.');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('keeps table shape: every row has as many unescaped pipes as the header', () => {
    const tables = md.split('\n\n').filter((b) => b.startsWith('|'));
    expect(tables).toHaveLength(3);
    for (const t of tables) {
      const lines = t.split('\n');
      const cells = (l: string): number => l.replace(/\\\|/g, '').split('|').length;
      for (const l of lines) expect(cells(l)).toBe(cells(lines[0]!));
    }
    expect(md).toContain('| a \\| b |');
    // Numeric columns are right-aligned.
    expect(tables[0]!.split('\n')[1]).toBe('|---|---:|---:|---|');
  });

  it('pads ragged rows instead of breaking the table', () => {
    const md2 = renderMarkdown({ ...report, comparison: { columns: ['a', 'b'], rows: [['1'], ['1', '2', '3']] } });
    const t = md2.split('## Comparison\n\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(t.map((l) => l.split('|').length)).toEqual([5, 5, 5, 5]);
    expect(t[3]).toContain('3');
  });

  it("renders a run's further tables (the floating-pool steps) under its summary, in Markdown and HTML", () => {
    const withSteps: SimReport = {
      ...report,
      runs: [
        {
          ...report.runs[0]!,
          tables: [{ title: 'Floating-pool steps (1)', columns: ['time', 'moved'], rows: [['01:10', '1.00%']] }],
        },
      ],
    };
    const md3 = renderMarkdown(withSteps);
    expect(md3).toContain('### Floating-pool steps (1)');
    expect(md3).toContain('| 01:10 | 1.00% |');
    expect(renderHtml(withSteps)).toContain('<h3>Floating-pool steps (1)</h3>');
  });

  it('escapes markup and newlines', () => {
    expect(escapeMarkdown('<script>x</script>')).toBe('&lt;script&gt;x&lt;/script&gt;');
    expect(escapeMarkdown('a|b\nc')).toBe('a\\|b<br>c');
    expect(escapeMarkdown('A & B &amp;')).toBe('A & B &amp;amp;');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(report);

  it('is one self-contained page without scripts or external assets', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain('<style>');
    expect(html).toContain('role="img"');
    expect(html.match(/<figure>/g)).toHaveLength(1);
    expect(html).toContain('stroke-dasharray'); // the target series
  });

  it('renders hostile names from config as text', () => {
    const evil = renderHtml({
      ...report,
      scenario: '<img onerror=x>',
      runs: [
        {
          ...report.runs[0]!,
          title: '<script>alert(1)</script>',
          charts: [
            {
              ...report.runs[0]!.charts[0]!,
              series: [
                {
                  name: '<script>',
                  points: [
                    [0, 0],
                    [1, 1],
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(evil).not.toMatch(/<script/i);
    expect(evil).not.toContain('<img');
    expect(evil).toContain('&lt;script&gt;');
  });

  it('is deterministic', () => {
    expect(renderHtml(structuredClone(report))).toBe(html);
    expect(renderMarkdown(structuredClone(report))).toBe(renderMarkdown(report));
  });
});

describe('writeReport', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('writes .md, .html and .json into the directory', () => {
    dir = mkdtempSync(join(tmpdir(), 'peregrine-report-'));
    const paths = writeReport(join(dir, 'nested'), 'steady', report);
    expect(paths).toEqual({
      md: join(dir, 'nested', 'steady.md'),
      html: join(dir, 'nested', 'steady.html'),
      json: join(dir, 'nested', 'steady.json'),
    });
    expect(readFileSync(paths.md, 'utf8')).toBe(renderMarkdown(report));
    expect(readFileSync(paths.html, 'utf8')).toBe(renderHtml(report));
    const json = readFileSync(paths.json, 'utf8');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json).toContain('[0.5, 0.021739130434782608]'); // one point per line
  });

  it('refuses a basename that would escape the directory', () => {
    expect(() => writeReport(tmpdir(), '../x', report)).toThrow(/basename/);
  });
});
