import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { sampledAuction } from '../../../src/scoring/events.js';
import type { ScoringEvent } from '../../../src/store/ports.js';
import { RotatingJsonlSink } from '../../../src/scoring/jsonl-sink.js';
import { tempDir } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const click = (i: number): ScoringEvent => ({
  t: 'click',
  ts: 1_700_000_000_000 + i,
  auction: `a${i}`,
  imp: '1',
  campaign: 'c1',
});

describe('rotating JSONL sink', () => {
  it('buffers appends, writes JSON lines asynchronously and rotates by size', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sink = new RotatingJsonlSink({
      dir,
      maxBytes: 2_000,
      batchSize: 10,
      clock: new VirtualClock(Date.UTC(2026, 0, 5)),
    });
    for (let i = 0; i < 100; i++) sink.append(click(i));
    expect(sink.stats.written).toBe(0); // nothing written synchronously
    await sink.close();
    expect(sink.stats).toEqual({ written: 100, dropped: 0, errors: 0 });
    expect(sink.files.length).toBeGreaterThan(2);
    expect(sink.files[0]).toMatch(/events-20260105T000000Z-0001\.jsonl$/);
    const all = sink.files.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n'));
    expect(all.map((l) => (JSON.parse(l) as { auction: string }).auction)).toEqual(
      Array.from({ length: 100 }, (_, i) => `a${i}`),
    );
    for (const f of sink.files) expect(readFileSync(f).length).toBeLessThanOrEqual(2_000);
  });
  it('drops and counts when the buffer is full rather than growing without bound', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sink = new RotatingJsonlSink({ dir, maxPending: 10, batchSize: 1_000, flushIntervalMs: 10_000 });
    for (let i = 0; i < 25; i++) sink.append(click(i));
    expect(sink.stats.dropped).toBe(15);
    await sink.close();
    expect(sink.stats.written).toBe(10);
  });
  it('keeps at most maxFiles files', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sink = new RotatingJsonlSink({ dir, maxBytes: 500, maxFiles: 2, batchSize: 5 });
    for (let i = 0; i < 60; i++) sink.append(click(i));
    await sink.close();
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toHaveLength(2);
  });
  it('samples bids deterministically by auction id', () => {
    let n = 0;
    for (let i = 0; i < 10_000; i++) if (sampledAuction(`auction-${i}`, 0.1)) n++;
    expect(Math.abs(n - 1000)).toBeLessThan(100);
    expect(sampledAuction('x', 0.1)).toBe(sampledAuction('x', 0.1));
    expect(sampledAuction('x', 0)).toBe(false);
    expect(sampledAuction('x', 1)).toBe(true);
  });
});
