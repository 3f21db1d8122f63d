/**
 * The cost controller for value strategies (`target_cpc`, `target_cpa`): a bid multiplier λ per campaign ×
 * channel that steers the realised cost per action toward the target. The strategy bids the value
 * pCTR × CPC (× pCVR for CPA) and then pays less than it bids — second price pays the clearing price, first
 * price is shaded — so without λ a target_cpc campaign buys clicks at 13–95% of its target on the
 * simulator's market and leaves budget and clicks on the table (sim/RESULTS.md, issue 5).
 *
 * What it measures: spend ÷ Σ p over billed impressions, where p is the model's expected actions per
 * impression when the bid was priced (it travels in the signed notice token, so any instance of the fleet
 * that gets the notice can count it). Expected clicks are far less noisy than drawn ones; the drawn ones
 * correct their bias slowly (below). Each update, at most once per `intervalMs` and only once `minExpected`
 * expected actions have been billed since the last one:
 *
 *     ratio = spend ÷ (Σ p × calibration) ÷ target                 over the billed impressions since the last update
 *     λ ← clamp(λ · clamp(ratio^−gain, 1/maxStep, maxStep), minMultiplier, maxMultiplier)
 *
 * Integral action in log space (scale-free: a $0.05 and a $50 target converge alike), a bounded step per
 * update, λ itself bounded; the strategy still caps every bid at its max CPM, so λ can never lift a bid
 * above it. `calibration` = (actions + k) ÷ (Σ p + k) over the day, for target_cpc only: the auction keeps the
 * impressions whose pCTR is over-estimated (winner's curse), so even a calibrated model promises more
 * clicks on won impressions than come; with k = `priorExpected` it stays near 1 until the day has clicks to
 * say otherwise. Conversions arrive hours after the impression, so for target_cpa the day's count would
 * read as a bias: λ there trusts the model.
 *
 * Composition with pacing: the bid multiplier is λ × the pacing controller's. When the pacing controller
 * holds this campaign's bids down (a multiplier below 1 since the last update: the budget binds), λ may
 * fall but not rise — pacing decides how much is bought, and a cost below target then means more actions
 * for the same budget, which is what a budget-bound buyer wants. The budget itself is never at risk: every
 * bid is still reserved against the pacing gate's lease.
 *
 * A new budget day (the token's `day`) resets the day's counters; λ carries over as the best prior, as the
 * pacing signal does. No clock: every call brings `nowMs`.
 */
import type { ScoringCampaign } from './campaign-scoring.js';

export interface CostControllerOptions {
  /** Minimum time between updates (ms). */
  readonly intervalMs: number;
  /** Expected actions billed since the last update before the next one may act. */
  readonly minExpected: number;
  /** Exponent on the cost ratio: 1 would jump straight to the target if cost were proportional to λ. */
  readonly gain: number;
  /** Largest factor λ may move by in one update (and 1/maxStep the smallest). */
  readonly maxStep: number;
  readonly minMultiplier: number;
  readonly maxMultiplier: number;
  /** Pseudo-count (expected actions) that pulls the click calibration toward 1 (Infinity: trust the model). */
  readonly priorExpected: number;
}

export const kCostControllerDefaults: CostControllerOptions = Object.freeze({
  intervalMs: 60_000,
  minExpected: 4,
  gain: 0.6,
  maxStep: 1.3,
  minMultiplier: 0.2,
  maxMultiplier: 10,
  priorExpected: 200,
});

/** One campaign × channel. */
export interface CostState {
  readonly campaignId: string;
  readonly channelId: string;
  readonly multiplier: number;
  readonly day: string;
  /** The day so far: spend (account micros), Σ expected actions, actions seen, updates made. */
  readonly spendMicros: number;
  readonly expected: number;
  readonly actions: number;
  readonly updates: number;
  /** Cost per expected action ÷ target over the day (NaN before any). */
  readonly ratio: number;
}

class Cell {
  multiplier = 1;
  day = '';
  lastUpdateMs = -Infinity;
  /** Since the last update. */
  winSpend = 0;
  winExpected = 0;
  /** Lowest pacing multiplier a bid carried since the last update. */
  minPacing = 1;
  daySpend = 0;
  dayExpected = 0;
  dayActions = 0;
  updates = 0;
}

/** Micros of the target per action, or undefined for strategies the controller does not steer. */
function targetMicros(c: ScoringCampaign): number | undefined {
  const s = c.strategy;
  return s.kind === 'target_cpc' ? s.cpcMicros : s.kind === 'target_cpa' ? s.cpaMicros : undefined;
}

export class CostController {
  readonly #o: CostControllerOptions;
  readonly #cells = new Map<string, Map<string, Cell>>();

  constructor(o: Partial<CostControllerOptions> = {}) {
    this.#o = { ...kCostControllerDefaults, ...o };
    if (!(this.#o.maxStep > 1) || !(this.#o.minMultiplier > 0) || !(this.#o.maxMultiplier >= this.#o.minMultiplier)) {
      throw new RangeError('cost controller: need maxStep > 1 and 0 < minMultiplier ≤ maxMultiplier');
    }
  }

  /**
   * λ for one candidate bid of a value strategy (the bid path multiplies it into the bid with the pacing
   * multiplier it passes here). 1 for strategies it does not steer.
   */
  multiplier(c: ScoringCampaign, channelId: string, pacingMultiplier: number): number {
    if (targetMicros(c) === undefined) return 1;
    const cell = this.#cell(c.id, channelId);
    if (pacingMultiplier < cell.minPacing) cell.minPacing = pacingMultiplier;
    return cell.multiplier;
  }

  /**
   * A billed impression of a bid priced on `expected` actions (the token's claim): spend in account micros.
   * `campaign` is the current config's (its target); undefined when it left the config (ignored).
   */
  onSpend(
    campaign: ScoringCampaign | undefined,
    channelId: string,
    day: string,
    spendMicros: number,
    expected: number | undefined,
    nowMs: number,
  ): void {
    if (campaign === undefined || expected === undefined || !(expected > 0)) return;
    const target = targetMicros(campaign);
    if (target === undefined) return;
    const cell = this.#cell(campaign.id, channelId);
    this.#roll(cell, day);
    cell.winSpend += spendMicros;
    cell.winExpected += expected;
    cell.daySpend += spendMicros;
    cell.dayExpected += expected;
    if (nowMs - cell.lastUpdateMs >= this.#o.intervalMs && cell.winExpected >= this.#o.minExpected)
      this.#update(cell, campaign, target, nowMs);
  }

  /** A click (target_cpc) or conversion (target_cpa) of this campaign × channel. */
  onAction(campaign: ScoringCampaign | undefined, channelId: string, day: string): void {
    if (campaign === undefined || targetMicros(campaign) === undefined) return;
    const cell = this.#cell(campaign.id, channelId);
    this.#roll(cell, day);
    cell.dayActions++;
  }

  state(campaign: ScoringCampaign, channelId: string): CostState | undefined {
    const cell = this.#cells.get(campaign.id)?.get(channelId);
    if (cell === undefined) return undefined;
    const t = targetMicros(campaign) ?? NaN;
    return {
      campaignId: campaign.id,
      channelId,
      multiplier: cell.multiplier,
      day: cell.day,
      spendMicros: cell.daySpend,
      expected: cell.dayExpected,
      actions: cell.dayActions,
      updates: cell.updates,
      ratio: cell.dayExpected > 0 ? cell.daySpend / cell.dayExpected / t : NaN,
    };
  }

  /** Every campaign × channel's multiplier (for metrics). */
  *multipliers(): Generator<{ readonly campaignId: string; readonly channelId: string; readonly multiplier: number }> {
    for (const [campaignId, byChannel] of this.#cells)
      for (const [channelId, c] of byChannel) yield { campaignId, channelId, multiplier: c.multiplier };
  }

  #update(cell: Cell, campaign: ScoringCampaign, target: number, nowMs: number): void {
    const k = this.#o.priorExpected;
    const calibration =
      campaign.strategy.kind === 'target_cpc' && Number.isFinite(k)
        ? (cell.dayActions + k) / (cell.dayExpected + k)
        : 1;
    const ratio = cell.winSpend / (cell.winExpected * calibration) / target;
    let step = Math.min(this.#o.maxStep, Math.max(1 / this.#o.maxStep, ratio ** -this.#o.gain));
    // Pacing held the bids down since the last update: the budget binds, and λ may only fall.
    if (cell.minPacing < 0.999 && step > 1) step = 1;
    if (Number.isFinite(step))
      cell.multiplier = Math.min(this.#o.maxMultiplier, Math.max(this.#o.minMultiplier, cell.multiplier * step));
    cell.lastUpdateMs = nowMs;
    cell.winSpend = 0;
    cell.winExpected = 0;
    cell.minPacing = 1;
    cell.updates++;
  }

  #roll(cell: Cell, day: string): void {
    if (cell.day === day) return;
    // Notices of yesterday's bids still arriving after midnight would flip the cell back and forth: only a
    // later day resets (budget days are YYYY-MM-DD strings, which order as dates).
    if (cell.day !== '' && day < cell.day) return;
    cell.day = day;
    cell.winSpend = 0;
    cell.winExpected = 0;
    cell.minPacing = 1;
    cell.daySpend = 0;
    cell.dayExpected = 0;
    cell.dayActions = 0;
    cell.updates = 0;
  }

  #cell(campaignId: string, channelId: string): Cell {
    let byChannel = this.#cells.get(campaignId);
    if (byChannel === undefined) {
      byChannel = new Map();
      this.#cells.set(campaignId, byChannel);
    }
    let c = byChannel.get(channelId);
    if (c === undefined) {
      c = new Cell();
      byChannel.set(channelId, c);
    }
    return c;
  }
}
