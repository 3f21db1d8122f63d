import { describe, expect, it } from 'vitest';
import { BudgetAccount } from '../../../src/pacing/budget-account.js';

const key = { campaignId: 'c', channelId: 'ch', day: '2026-11-23' };

describe('budget account', () => {
  it('reserves against the lease and settles the real price', () => {
    const a = new BudgetAccount(key, 10_000_000, 300_000);
    a.leaseMicros = 1_000;
    a.leaseExpiresAtMs = 10_000;
    expect(a.available(0)).toBe(1_000);
    a.reserve(400, 0);
    a.reserve(400, 100);
    expect(a.available(200)).toBe(200);
    a.settle(0, 400, 250, 300);
    expect(a.reservedMicros).toBe(400);
    expect(a.leaseMicros).toBe(750);
    expect(a.spentMicros).toBe(250);
    expect(a.available(300)).toBe(350);
  });
  it('drops reservations older than the notice window, and nothing is available after the lease expires', () => {
    const a = new BudgetAccount(key, 10_000_000, 6_200);
    a.leaseMicros = 1_000;
    a.leaseExpiresAtMs = 1_000_000;
    a.reserve(600, 0);
    expect(a.available(1_000)).toBe(400);
    expect(a.available(7_000)).toBe(1_000);
    expect(a.available(1_000_000)).toBe(0);
  });
  it('a late settle for an expired bucket still charges spend but releases nothing twice', () => {
    const a = new BudgetAccount(key, 10_000_000, 6_200);
    a.leaseMicros = 1_000;
    a.leaseExpiresAtMs = 1_000_000;
    a.reserve(600, 0);
    a.expire(50_000);
    a.settle(0, 600, 500, 50_000);
    expect(a.reservedMicros).toBe(0);
    expect(a.spentMicros).toBe(500);
    expect(a.leaseMicros).toBe(500);
  });
});
