import { describe, expect, it } from 'vitest';
import { floorMicros, responseCurrency, toCurrencyMicros } from '../../../src/auction/currency.js';
import { computeDeadline } from '../../../src/auction/deadline.js';

const at = (ms: number) => ({ arrivedAtMs: ms, receivedAtMs: ms });
import { priceFor } from '../../../src/scoring/strategies.js';

const fx = new Map([
  ['USD', 1],
  ['EUR', 1.08],
  ['JPY', 0.0067],
]);

describe('floors and currency', () => {
  it('converts floors to account micros, rounding up, and refuses unknown currencies', () => {
    expect(floorMicros(0, 'XXX', fx)).toBe(0);
    expect(floorMicros(1.5, 'USD', fx)).toBe(1_500_000);
    expect(floorMicros(2, 'EUR', fx)).toBe(2_160_000);
    expect(floorMicros(100, 'JPY', fx)).toBe(670_000);
    expect(floorMicros(1, 'CHF', fx)).toBeUndefined();
  });
  it('answers in the account currency when allowed, else the first allowed one we can price', () => {
    expect(responseCurrency(undefined, 'USD', fx)).toBe('USD');
    expect(responseCurrency(['EUR', 'USD'], 'USD', fx)).toBe('USD');
    expect(responseCurrency(['CHF', 'EUR'], 'USD', fx)).toBe('EUR');
    expect(responseCurrency(['CHF'], 'USD', fx)).toBeUndefined();
  });
  it('a bid at the floor never converts to below the floor', () => {
    const floor = floorMicros(2.37, 'EUR', fx)!;
    expect(toCurrencyMicros(floor, 'EUR', fx) / 1e6).toBeGreaterThanOrEqual(2.37);
  });
});

describe('strategies', () => {
  it('fixed CPM bids its CPM or nothing below the floor', () => {
    expect(priceFor({ kind: 'fixed_cpm', cpmMicros: 2_000_000 }, 1_000_000)).toBe(2_000_000);
    expect(priceFor({ kind: 'fixed_cpm', cpmMicros: 2_000_000 }, 2_000_001)).toBeUndefined();
  });
  it('max CPM bids its fraction, raised to the floor up to the max', () => {
    const s = { kind: 'max_cpm', cpmMicros: 10_000_000, bidFraction: 0.6 } as const;
    expect(priceFor(s, 1_000_000)).toBe(6_000_000);
    expect(priceFor(s, 8_000_000)).toBe(8_000_000);
    expect(priceFor(s, 10_000_001)).toBeUndefined();
  });
});

describe('deadline', () => {
  const limits = { defaultTmaxMs: 100, maxProcessingMs: 50 };
  it('is tmax minus the network margin, capped by the processing limit', () => {
    expect(computeDeadline(at(1000), 60, 20, limits)).toBe(1040);
    expect(computeDeadline(at(1000), 500, 20, limits)).toBe(1050);
    expect(computeDeadline(at(1000), undefined, 20, limits)).toBe(1050);
    expect(computeDeadline(at(1000), 10, 20, limits)).toBe(1000);
    // A request read 70 ms after it arrived keeps only what is left of the exchange's tmax.
    expect(computeDeadline({ arrivedAtMs: 930, receivedAtMs: 1000 }, 120, 20, limits)).toBe(1030);
    // Our own budget runs from when the body was complete, whatever the tmax.
    expect(computeDeadline({ arrivedAtMs: 990, receivedAtMs: 1000 }, 500, 20, limits)).toBe(1050);
  });
});
