/**
 * Crediting results — clicks, conversions and their value — to the campaign × channel that earned them,
 * twice: in this instance's real-time ROI windows (`roi/`, for the `peregrine_roi` gauge) and in the
 * fleet's day-to-date counters in the budget ledger (`k:`/`n:`/`v:` fields), which the reallocator reads to
 * move the floating pool. Both the click and conversion handlers and the simulator's market credit here, so
 * what a click is worth to pacing is decided in one place.
 */
import type { TimeZoneTable } from '../campaigns/time-zones.js';
import type { RoiTracker } from '../roi/roi-tracker.js';
import type { BudgetKey, BudgetStore } from '../store/ports.js';

export interface ResultCreditDeps {
  readonly budgets: BudgetStore;
  readonly roi: RoiTracker;
  readonly zones: TimeZoneTable;
  /** The campaign's time zone (its budget day), undefined once it is gone from the config. */
  readonly timezoneOf: (campaignId: string) => string | undefined;
}

export class ResultCredit {
  readonly #d: ResultCreditDeps;

  constructor(deps: ResultCreditDeps) {
    this.#d = deps;
  }

  /** A first click on a bid of `key.day` (the budget day the bid was made on). The store write may fail. */
  click(key: BudgetKey, nowMs: number): Promise<void> {
    this.#d.roi.click(key.campaignId, key.channelId, nowMs);
    return this.#d.budgets.addResults(key, 1, 0, 0);
  }

  /**
   * An attributed conversion of a click on `campaignId` × `channelId`: counted on the campaign's budget day
   * at the time of the conversion (a campaign removed since is credited in the ROI windows only).
   */
  conversion(campaignId: string, channelId: string, valueMicros: number, nowMs: number): Promise<void> {
    this.#d.roi.conversion(campaignId, channelId, valueMicros, nowMs);
    const tz = this.#d.timezoneOf(campaignId);
    if (tz === undefined) return Promise.resolve();
    const key = { campaignId, channelId, day: this.#d.zones.at(tz, nowMs).day };
    return this.#d.budgets.addResults(key, 0, 1, valueMicros);
  }
}
