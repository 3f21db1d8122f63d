import { describe, expect, it } from 'vitest';
import { dayFraction, TimeZoneTable } from '../../../src/campaigns/time-zones.js';

describe('time zones', () => {
  const t = new TimeZoneTable();
  it('gives local day and hour of week', () => {
    const at = t.at('America/New_York', Date.parse('2026-11-23T15:30:00Z'));
    expect(at.day).toBe('2026-11-23');
    expect(at.hourOfWeek).toBe(10);
    expect(t.at('Asia/Tokyo', Date.parse('2026-11-23T15:30:00Z')).day).toBe('2026-11-24');
  });
  it('day bounds are exact on a 25-hour DST day', () => {
    const at = t.at('America/New_York', Date.parse('2026-11-01T12:00:00Z'));
    expect(at.day).toBe('2026-11-01');
    expect((at.dayEndMs - at.dayStartMs) / 3_600_000).toBe(25);
    expect(dayFraction(at, at.dayStartMs)).toBe(0);
    expect(dayFraction(at, at.dayEndMs + 5)).toBe(1);
  });
  it('refreshes on the hour boundary', () => {
    const a = t.at('UTC', Date.parse('2026-11-23T10:59:59Z'));
    const b = t.at('UTC', Date.parse('2026-11-23T11:00:00Z'));
    expect(a.hourOfWeek).toBe(10);
    expect(b.hourOfWeek).toBe(11);
  });
});
