import { describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { ResultCredit } from '../../../src/pacing/results.js';
import { RoiTracker } from '../../../src/roi/roi-tracker.js';
import { MemoryBudgetStore } from '../../../src/store/memory/budgets.js';

// 2026-11-24 03:00 UTC is still the 23rd in New York.
const T = Date.parse('2026-11-24T03:00:00Z');

function setup() {
  const budgets = new MemoryBudgetStore();
  const roi = new RoiTracker({ clickValueMicros: () => 500_000 });
  const zones = new TimeZoneTable();
  const tz = new Map([['c1', 'America/New_York']]);
  const credit = new ResultCredit({ budgets, roi, zones, timezoneOf: (id) => tz.get(id) });
  return { budgets, roi, credit };
}

describe('ResultCredit', () => {
  it('credits a click to the instance ROI window and to the bid day of the fleet ledger', async () => {
    const { budgets, roi, credit } = setup();
    roi.spend('c1', 'ex', 1_000_000, T);
    await credit.click({ campaignId: 'c1', channelId: 'ex', day: '2026-11-23' }, T);
    expect(roi.snapshot('c1', T).get('ex')?.clicks).toBe(1);
    const day = await budgets.dayResults('c1', '2026-11-23', ['ex']);
    expect(day.get('ex')).toMatchObject({ clicks: 1, conversions: 0, conversionValueMicros: 0 });
  });

  it("credits a conversion on the campaign's local day at the time of the conversion", async () => {
    const { budgets, roi, credit } = setup();
    await credit.conversion('c1', 'ex', 2_500_000, T);
    expect(roi.snapshot('c1', T).get('ex')?.conversionValueMicros).toBe(2_500_000);
    expect((await budgets.dayResults('c1', '2026-11-23', ['ex'])).get('ex')).toMatchObject({
      conversions: 1,
      conversionValueMicros: 2_500_000,
    });
    expect((await budgets.dayResults('c1', '2026-11-24', ['ex'])).get('ex')?.conversions).toBe(0);
  });

  it('credits a conversion of a campaign gone from the config to the ROI window only', async () => {
    const { budgets, roi, credit } = setup();
    await credit.conversion('gone', 'ex', 1_000_000, T);
    expect(roi.snapshot('gone', T).get('ex')?.conversions).toBe(1);
    expect((await budgets.dayResults('gone', '2026-11-23', ['ex'])).get('ex')?.conversions).toBe(0);
  });
});
