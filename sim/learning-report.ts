/**
 * Figures and verdicts of the learning-loop scenario (learning.ts), as plain rows for the console and as the
 * markdown report `sim/reports/learning.md`.
 *
 * How "eCPC within 10% of target" is judged, per campaign × channel:
 *   eCPC = spend ÷ clicks, what the advertiser paid per click. The target reads two-sided — |eCPC ÷ target −
 *   1| ≤ 10% — and that is the verdict printed. Beside it, eCPC ÷ target split into its two factors:
 *     price ÷ value  spend ÷ Σ(model pCTR × target CPC) over the billed impressions: what second price (the
 *                    clearing price, not the bid), first-price shading and the pacing multiplier take off the
 *                    value the strategy bid;
 *     calibration    Σ model pCTR ÷ clicks over the same impressions: > 1 means the model promised more
 *                    clicks than came (on won impressions: the winner's curse adds to any global bias).
 *   A bidder that paid exactly its value would land at eCPC = target × calibration; one that never pays more
 *   than its value can only miss high through calibration. "exp." columns use the truth's expected clicks
 *   (Σ true CTR) instead of the drawn ones, to show how much of a gap is click-draw noise.
 */
import { kCostControllerDefaults } from '../src/scoring/cost-controller.js';
import type { CellStats, DaySummary, LearningResult } from './learning.js';

export interface CellFigures {
  readonly campaign: string;
  readonly channel: string;
  readonly auction: 'first' | 'second';
  readonly target: number;
  readonly delivery: number;
  readonly impressions: number;
  /** Billed impressions ÷ bids: near 1 means the campaign already buys (almost) everything it bids on. */
  readonly winRate: number;
  readonly clicks: number;
  readonly spend: number;
  readonly ecpc: number;
  /** eCPC ÷ target. */
  readonly ratio: number;
  /** spend ÷ expected clicks ÷ target. */
  readonly expectedRatio: number;
  readonly priceToValue: number;
  readonly calibration: number;
  readonly within10: boolean;
  readonly notAbove: boolean;
  /** The cost controller's λ at the end of the day, and its updates that day. */
  readonly costMultiplier: number;
  readonly costUpdates: number;
  /** The highest eCPC the supply allows at the campaign's max CPM (`maxReachableEcpc`) ÷ target. */
  readonly maxRatio: number;
  /** The supply allows the target: bidding the max CPM on everything reaches at least target − 10%. */
  readonly reachable: boolean;
}

export function cellFigures(c: CellStats): CellFigures {
  const ecpc = c.clicks === 0 ? Infinity : c.spend / c.clicks;
  const ratio = ecpc / c.targetCpc;
  return {
    campaign: c.campaign,
    channel: c.channel,
    auction: c.auction,
    target: c.targetCpc,
    delivery: c.spend / c.cap,
    impressions: c.impressions,
    winRate: c.bids === 0 ? NaN : c.impressions / c.bids,
    clicks: c.clicks,
    spend: c.spend,
    ecpc,
    ratio,
    expectedRatio: c.spend / c.expectedClicks / c.targetCpc,
    priceToValue: c.spend / c.value,
    calibration: c.clicks === 0 ? NaN : c.predictedClicks / c.clicks,
    within10: Math.abs(ratio - 1) <= 0.1,
    notAbove: ratio <= 1.1,
    costMultiplier: c.costMultiplier,
    costUpdates: c.costUpdates,
    maxRatio: c.maxEcpc / c.targetCpc,
    reachable: c.maxEcpc >= 0.9 * c.targetCpc,
  };
}

/**
 * The cells where "eCPC within ±10% of target" is asked of the bidder (issue 18): the supply allows it
 * (`reachable`) and the budget does too — on the unconstrained day nothing binds; on the budgeted day the budget
 * is 80% of what the campaign spent near its target, so buying at the target would buy fewer clicks with the
 * same money, and there the cell is judged by "at or below target + 10%" at full delivery instead.
 */
export interface TargetCells {
  readonly allowed: number;
  readonly allowedWithin: number;
  readonly supplyLimited: number;
  readonly budgeted: number;
  readonly budgetedNotAbove: number;
}

export function targetCells(unconstrained: readonly CellFigures[], budgeted: readonly CellFigures[]): TargetCells {
  const allowed = unconstrained.filter((c) => c.reachable);
  const b = budgeted.filter((c) => c.reachable);
  return {
    allowed: allowed.length,
    allowedWithin: allowed.filter((c) => c.within10).length,
    supplyLimited: unconstrained.length - allowed.length + budgeted.length - b.length,
    budgeted: b.length,
    budgetedNotAbove: b.filter((c) => c.notAbove && c.delivery >= 0.97).length,
  };
}

const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;
const usd = (x: number, d = 3) => `$${x.toFixed(d)}`;
const num = (x: number) => x.toLocaleString('en-US');

/**
 * λ at (or within 5% of) its cap: the campaign bids up to `maxMultiplier` × value and still pays under its
 * target — with a win rate near 1 it already buys nearly every impression it bids on, so no price reaches
 * the target (supply-limited, not a controller miss).
 */
export function atCap(c: CellFigures): boolean {
  return c.costMultiplier >= 0.95 * kCostControllerDefaults.maxMultiplier;
}

export function aucGap(r: LearningResult): number {
  return r.training.oracleAuc - r.training.auc;
}

function dayTable(d: DaySummary, budgeted: boolean): string[] {
  const rows = [
    `| campaign | channel | target CPC | ${budgeted ? 'delivery | ' : ''}impressions | clicks | spend | win rate | eCPC | eCPC ÷ target | exp. eCPC ÷ target | price ÷ value | calibration | within ±10% | λ (updates) | max eCPC ÷ target |`,
    `|---|---|---|${budgeted ? '---|' : ''}---|---|---|---|---|---|---|---|---|---|---|---|`,
  ];
  for (const c of d.cells.map(cellFigures)) {
    rows.push(
      `| ${c.campaign} | ${c.channel} (${c.auction} price) | ${usd(c.target, 2)} | ${budgeted ? `${pct(c.delivery)} | ` : ''}${num(c.impressions)} | ${num(c.clicks)} | ${usd(c.spend, 2)} | ${pct(c.winRate)} | ${usd(c.ecpc)} | ${c.ratio.toFixed(3)} | ${c.expectedRatio.toFixed(3)} | ${c.priceToValue.toFixed(3)} | ${c.calibration.toFixed(3)} | ${c.within10 ? 'yes' : `**no** (${c.ratio < 1 ? 'below' : 'above'})`} | ${c.costMultiplier.toFixed(2)} (${c.costUpdates}) | ${c.maxRatio.toFixed(2)}${c.reachable ? '' : ' (supply-limited)'} |`,
    );
  }
  return rows;
}

function noBids(d: DaySummary): string {
  const e = Object.entries(d.noBids).sort((a, b) => b[1] - a[1]);
  return e.length === 0 ? 'none' : e.map(([k, v]) => `${k} ${num(v)}`).join(', ');
}

export function learningMarkdown(r: LearningResult, command: string): string {
  const t = r.training;
  const days = [...r.explore, r.unconstrained, r.budgeted];
  const all = [...r.unconstrained.cells, ...r.budgeted.cells].map(cellFigures);
  const tc = targetCells(r.unconstrained.cells.map(cellFigures), r.budgeted.cells.map(cellFigures));
  const lines = [
    '# Learning loop and target_cpc (issue 5)',
    '',
    `\`${command}\` — seed ${r.seed}, ${(r.wallMs / 1000).toFixed(1)} s wall. One bidder (real BidPath, ScoringService inline, PacingGate, NoticeHandler, JSONL event sink, trainer, model registry) under a virtual clock against a synthetic market whose true CTR is a known logistic model over the features the bidder hashes (\`sim/learning.ts\`).`,
    '',
    '## Days',
    '',
    '| day | live pCTR model | requests | bids | impressions | clicks | CTR | AUC live model (won imps) | AUC oracle (won imps) | no-bids | wall |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...days.map(
      (d) =>
        `| ${d.label} | ${d.model} | ${num(d.requests)} | ${num(d.bids)} | ${num(d.impressions)} | ${num(d.clicks)} | ${pct(d.clicks / d.impressions, 2)} | ${d.auc.model.toFixed(4)} | ${d.auc.oracle.toFixed(4)} | ${noBids(d)} | ${(d.wallMs / 1000).toFixed(1)} s |`,
    ),
    '',
    '## Training on the exploration log',
    '',
    `Log: ${num(t.logLines)} events, ${(t.logBytes / 1e6).toFixed(0)} MB, ${t.sinkDropped} dropped by the sink. ${num(t.examples)} impressions → ${num(t.trainExamples)} train / ${num(t.testExamples)} held out (last 20% by time, ${num(t.testClicks)} clicks). Model \`${t.modelKey}\` (${num(t.nonZeroWeights)} non-zero weights), hot-loaded by the registry before the target_cpc days; training took ${(t.wallMs / 1000).toFixed(1)} s.`,
    '',
    '| scores on the held-out impressions | AUC | log-loss |',
    '|---|---|---|',
    `| oracle (true CTR) | ${t.oracleAuc.toFixed(4)} | ${t.oracleLogLoss.toFixed(5)} |`,
    `| **trained model** (FTRL + Platt step, a = ${t.platt.a.toFixed(3)}, b = ${t.platt.b.toFixed(3)}, fitted on ${num(t.calibrationExamples)} rows before the held-out ones) | **${t.auc.toFixed(4)}** | ${t.logLoss.toFixed(5)} |`,
    `| raw FTRL model, before the Platt step (held-out calibration ${t.raw.calibration.toFixed(3)}) | ${t.raw.auc.toFixed(4)} | ${t.raw.logLoss.toFixed(5)} |`,
    `| shipped default \`pctr@1\` (trained on the default seed-1 market, \`npm run sim:learning-log\`; another truth on other seeds) | ${t.shippedAuc.toFixed(4)} | ${t.shippedLogLoss.toFixed(5)} |`,
    `| constant training rate (${pct(t.positiveRate, 2)}) | 0.5 | ${t.baselineLogLoss.toFixed(5)} |`,
    '',
    `AUC gap to the oracle: **${aucGap(r).toFixed(4)}** (target ≤ 0.01: ${aucGap(r) <= 0.01 ? '**met**' : '**missed**'}). Held-out calibration (Σ pCTR ÷ clicks): ${t.calibration.toFixed(3)}.`,
    '',
    '## target_cpc with the trained model',
    '',
    'eCPC = spend ÷ clicks. eCPC ÷ target = price ÷ value × calibration, where price ÷ value = spend ÷ Σ(pCTR × target CPC) over the billed impressions (what second price, shading and pacing took off the bid value, times the cost controller λ: the cost per expected click ÷ target that λ steers) and calibration = Σ pCTR ÷ clicks over the same impressions. "exp." uses the expected clicks (Σ true CTR) instead of the drawn ones.',
    '',
    `### ${r.unconstrained.label}`,
    '',
    ...dayTable(r.unconstrained, false),
    '',
    `### ${r.budgeted.label}`,
    '',
    ...dayTable(r.budgeted, true),
    '',
    `Within ±10% of target: ${all.filter((c) => c.within10).length} of ${all.length} campaign × channel cells; at or below target + 10%: ${all.filter((c) => c.notAbove).length} of ${all.length}. Cells where the cost controller's λ is below its cap (${kCostControllerDefaults.maxMultiplier}): ${all.filter((c) => !atCap(c) && c.within10).length} of ${all.filter((c) => !atCap(c)).length} within ±10%; cells at the cap (bidding ${kCostControllerDefaults.maxMultiplier}× value and still under target): ${all.filter(atCap).length}${
      all.some(atCap)
        ? `, win rate ${range(
            all.filter(atCap).map((c) => c.winRate * 100),
            1,
          )}%, eCPC ÷ target ${range(
            all.filter(atCap).map((c) => c.ratio),
            3,
          )}`
        : ''
    }.`,
    '',
    `Where supply and budget allow the target (max eCPC at the max CPM ≥ target − 10%, budget not binding: the unconstrained day): **${tc.allowedWithin} of ${tc.allowed}** within ±10%. Budgeted day, supply allowing: ${tc.budgetedNotAbove} of ${tc.budgeted} at or below target + 10% with ≥ 97% delivery. Supply-limited cells (no bid reaches the target): ${tc.supplyLimited}.`,
    '',
  ];
  return lines.join('\n');
}

function range(xs: readonly number[], d: number): string {
  return `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
}
