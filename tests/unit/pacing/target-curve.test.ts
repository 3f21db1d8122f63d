import { describe, expect, it } from 'vitest';
import { targetFraction, TrafficForecast } from '../../../src/pacing/target-curve.js';

const day = Date.UTC(2026, 10, 23);
const H = 3_600_000;

/** One UTC day of requests: `perHour(h)` requests in hour h. */
function feed(f: TrafficForecast, start: number, perHour: (h: number) => number) {
  for (let h = 0; h < 24; h++) for (let i = 0; i < perHour(h); i++) f.record('ch', start + h * H + i);
  f.record('ch', start + 24 * H); // the next day's first request folds the finished day in
}

describe('target curves', () => {
  it('even is linear, asap is 1, traffic is linear until a whole day has been seen', () => {
    const f = new TrafficForecast();
    expect(targetFraction('even', f, 'ch', day, day + 24 * H, day + 6 * H)).toBeCloseTo(0.25);
    expect(targetFraction('asap', f, 'ch', day, day + 24 * H, day)).toBe(1);
    f.record('ch', day + 12 * H); // a partial day teaches nothing
    f.record('ch', day + 36 * H);
    expect(targetFraction('traffic', f, 'ch', day + 24 * H, day + 48 * H, day + 30 * H)).toBeCloseTo(0.25);
  });
  it('traffic follows the learned hourly shape, rotated into the campaign time zone', () => {
    const f = new TrafficForecast();
    // Three times the traffic from 12:00 to 24:00 UTC.
    feed(f, day - 24 * H, (h) => (h >= 12 ? 30 : 10));
    // UTC day: by noon a quarter of the traffic has passed (120 of 480).
    expect(f.fraction('ch', day, 24 * H, day + 12 * H)).toBeCloseTo(0.25);
    expect(f.fraction('ch', day, 24 * H, day + 6 * H)).toBeCloseTo(0.125);
    // A zone at UTC+12: its local midnight is 12:00 UTC, so its first half-day is the busy one.
    expect(f.fraction('ch', day - 12 * H, 24 * H, day)).toBeCloseTo(0.75);
  });
  it('later days move the forecast by the learning rate', () => {
    const f = new TrafficForecast(0.5);
    feed(f, day - 24 * H, () => 10);
    feed(f, day, (h) => (h < 12 ? 30 : 10));
    // Forecast: hours 0–11 at 20, 12–23 at 10 → first half = 240 / 360.
    expect(f.fraction('ch', day, 24 * H, day + 12 * H)).toBeCloseTo(2 / 3);
  });
});
