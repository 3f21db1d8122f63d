/**
 * A small learning loop (seconds of wall time): exploration logged through the real sink, the real trainer,
 * hot load, then target_cpc days. The properties that break when the loop does: the bidder logs exactly the
 * features the market prices, the trained model ranks held-out impressions far better than chance and not
 * far from the oracle, and target_cpc never pays more than its value, delivers its budget and lands its
 * eCPC in a loose band around the target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellFigures } from '../../../src/sim/learning-report.js';
import { learningScenario, simulateLearning, type LearningResult } from '../../../src/sim/learning.js';

const shipped = new URL('../../../config/models', import.meta.url).pathname;
let work = '';
let r: LearningResult;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'peregrine-learning-test-'));
  r = await simulateLearning({ ...learningScenario(5, 8, work, shipped), checkFeatures: true });
});

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('learning loop (small)', () => {
  it('logs every bid with the features the market prices, and drops nothing', () => {
    expect(r.featureMismatches).toBe(0);
    expect(r.training.sinkDropped).toBe(0);
    const bids = r.explore.reduce((a, d) => a + d.bids, 0);
    expect(r.training.logLines).toBeGreaterThan(bids);
    // Every billed impression of the exploration days is a training example (1% of notices are lost).
    const imps = r.explore.reduce((a, d) => a + d.impressions, 0);
    expect(r.training.examples).toBeGreaterThan(imps * 0.97);
    expect(r.training.examples).toBeLessThanOrEqual(imps);
  });

  it('trains a model that ranks held-out impressions well above chance and near the oracle', () => {
    const t = r.training;
    expect(t.oracleAuc).toBeGreaterThan(0.7);
    expect(t.auc).toBeGreaterThan(0.65);
    expect(t.oracleAuc - t.auc).toBeLessThan(0.07);
    // The shipped model was trained on another truth: the trained one must beat it clearly.
    expect(t.auc - t.shippedAuc).toBeGreaterThan(0.1);
    expect(t.logLoss).toBeLessThan(t.baselineLogLoss);
    expect(t.calibration).toBeGreaterThan(0.75);
    expect(t.calibration).toBeLessThan(1.3);
  });

  it('hot-loads the trained model for the target_cpc days', () => {
    for (const d of r.explore) expect(d.model).toBe('pctr@1');
    expect(r.unconstrained.model).toBe('pctr@2');
    expect(r.budgeted.model).toBe('pctr@2');
  });

  it('target_cpc: never pays above value, delivers its budgets, eCPC in a loose band around the target', () => {
    for (const d of [r.unconstrained, r.budgeted]) {
      for (const c of d.cells.map(cellFigures)) {
        const what = `${d.label} ${c.campaign} ${c.channel}`;
        expect(c.impressions, what).toBeGreaterThan(100);
        expect(c.priceToValue, what).toBeLessThanOrEqual(1.001);
        expect(c.expectedRatio, what).toBeLessThan(1.5);
        // Second price pays the clearing price, which can sit far below a high-CTR impression's value.
        expect(c.expectedRatio, what).toBeGreaterThan(c.auction === 'first' ? 0.4 : 0.05);
      }
    }
    for (const c of r.budgeted.cells.map(cellFigures)) {
      expect(c.delivery, `${c.campaign} ${c.channel}`).toBeGreaterThan(0.9);
      expect(c.delivery, `${c.campaign} ${c.channel}`).toBeLessThanOrEqual(1.005);
    }
  });
});
