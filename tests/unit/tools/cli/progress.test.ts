import { describe, expect, it } from 'vitest';
import { formatSeconds, ProgressLine } from '../../../../tools/cli/progress.js';

function harness(everyMs = 5000) {
  let now = 0;
  const lines: string[] = [];
  const p = new ProgressLine('sim:day steady', 1000, 'simulated minutes', {
    everyMs,
    now: () => now,
    out: { write: (s: string) => lines.push(s) },
  });
  return { p, lines, advance: (ms: number) => (now += ms) };
}

describe('ProgressLine', () => {
  it('prints at most one line per interval, with the share done, elapsed time and time left', () => {
    const h = harness();
    h.advance(1000);
    h.p.update(100, 'adaptive');
    expect(h.lines).toEqual([]);
    h.advance(4000);
    h.p.update(250, 'adaptive');
    expect(h.lines).toEqual([
      'sim:day steady: adaptive: 25% (250/1000 simulated minutes), 5.0 s elapsed, ~15 s left\n',
    ]);
    h.advance(1000);
    h.p.update(300);
    expect(h.lines).toHaveLength(1);
  });

  it('does not guess the time left before 1% is done', () => {
    const h = harness(0);
    h.advance(3000);
    h.p.update(5);
    expect(h.lines[0]).toContain('~? left');
  });

  it('always prints the closing line, and nothing at all when quiet', () => {
    const h = harness();
    h.advance(12_500);
    h.p.finish('5 runs');
    expect(h.lines).toEqual(['sim:day steady: done in 13 s (5 runs)\n']);
    const lines: string[] = [];
    const q = new ProgressLine('x', 10, 'u', { quiet: true, everyMs: 0, out: { write: (s: string) => lines.push(s) } });
    q.update(5);
    q.finish();
    expect(lines).toEqual([]);
  });

  it('formats durations for people', () => {
    expect(formatSeconds(7.44)).toBe('7.4 s');
    expect(formatSeconds(83.2)).toBe('83 s');
    expect(formatSeconds(725)).toBe('12 min 5 s');
  });
});
