import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { sameSecret, SessionStore, SignInThrottle } from '../../../src/console/sessions.js';

describe('console sessions', () => {
  it('expire after the idle time, and after the maximum age however busy', () => {
    const clock = new VirtualClock();
    const store = new SessionStore(clock, { idleMs: 60_000, maxMs: 300_000 });
    const s = store.create('admin', 'ann');
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrf).not.toBe(s.id);
    clock.advance(59_000);
    expect(store.get(s.id)).toBe(s);
    clock.advance(59_000);
    expect(store.get(s.id)).toBe(s);
    clock.advance(60_000);
    expect(store.get(s.id)).toBeUndefined();

    const busy = store.create('read', 'bob');
    for (let i = 0; i < 9; i++) {
      clock.advance(30_000);
      expect(store.get(busy.id)).toBe(busy);
    }
    expect(store.maxAgeSeconds(busy)).toBe(30);
    clock.advance(30_000);
    expect(store.get(busy.id)).toBeUndefined();
    expect(store.get('')).toBeUndefined();
  });

  it('keeps at most maxSessions, dropping the oldest', () => {
    const store = new SessionStore(new VirtualClock(), { idleMs: 1e9, maxMs: 1e9, maxSessions: 2 });
    const a = store.create('read', 'a');
    const b = store.create('read', 'b');
    const c = store.create('read', 'c');
    expect(store.get(a.id)).toBeUndefined();
    expect(store.get(b.id)).toBe(b);
    expect(store.get(c.id)).toBe(c);
  });

  it('compares secrets in full', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abd', 'abc')).toBe(false);
    expect(sameSecret('ab', 'abc')).toBe(false);
  });
});

describe('sign-in throttle', () => {
  it('doubles the wait after each failure per remote address, capped, and forgets on success', () => {
    const clock = new VirtualClock();
    const t = new SignInThrottle(clock, { baseDelayMs: 1000, maxDelayMs: 8000, forgetMs: 600_000 });
    expect(t.waitMs('10.0.0.1')).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.failed('10.0.0.1');
      waits.push(t.waitMs('10.0.0.1'));
      clock.advance(waits.at(-1)!);
      expect(t.waitMs('10.0.0.1')).toBe(0);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(t.waitMs('10.0.0.2')).toBe(0);
    t.succeeded('10.0.0.1');
    t.failed('10.0.0.1');
    expect(t.waitMs('10.0.0.1')).toBe(1000);
  });

  it('forgets failures after a quiet period', () => {
    const clock = new VirtualClock();
    const t = new SignInThrottle(clock, { baseDelayMs: 1000, maxDelayMs: 60_000, forgetMs: 60_000 });
    for (let i = 0; i < 5; i++) t.failed('a');
    expect(t.waitMs('a')).toBe(16_000);
    clock.advance(60_000);
    expect(t.waitMs('a')).toBe(0);
    t.failed('a');
    expect(t.waitMs('a')).toBe(1000);
  });
});
