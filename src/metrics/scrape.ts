/**
 * What a scrape reads from the live objects rather than from counters: budget left and reserved per pool,
 * the pacing curve and signal, the cost controller's multipliers, the identity match rate. Filled just
 * before the registry renders, so the gauges show this instance's state at the moment of the scrape. The
 * sources are plain iterables (the gate's, the scorer's and the lookup's views), so this module knows no
 * pacing or scoring type.
 */
import type { Metrics } from './registry.js';

export interface ScrapeSources {
  readonly budgets: Iterable<{
    readonly campaignId: string;
    readonly channelId: string;
    readonly pool: string;
    readonly capMicros: number;
    readonly spentMicros: number;
    readonly reservedMicros: number;
  }>;
  readonly pacing: Iterable<{
    readonly campaignId: string;
    readonly channelId: string;
    readonly capMicros: number;
    readonly targetMicros: number;
    readonly spentMicros: number;
    readonly signal: number;
  }>;
  readonly costMultipliers: Iterable<{
    readonly campaignId: string;
    readonly channelId: string;
    readonly multiplier: number;
  }>;
  readonly identity: { readonly matchRate: number; readonly duplicateReachRate: number } | undefined;
}

export function fillScrapeGauges(metrics: Metrics, s: ScrapeSources): void {
  for (const r of s.budgets) {
    metrics.budgetRemaining.labels(r.campaignId, r.channelId, r.pool).set(Math.max(0, r.capMicros - r.spentMicros));
    metrics.budgetReserved.labels(r.campaignId, r.channelId, r.pool).set(r.reservedMicros);
  }
  for (const p of s.pacing) {
    metrics.pacingCap.labels(p.campaignId, p.channelId).set(p.capMicros);
    metrics.pacingTarget.labels(p.campaignId, p.channelId).set(p.targetMicros);
    metrics.pacingSpent.labels(p.campaignId, p.channelId).set(p.spentMicros);
    metrics.pacingSignal.labels(p.campaignId, p.channelId).set(p.signal);
  }
  for (const m of s.costMultipliers) metrics.costMultiplier.labels(m.campaignId, m.channelId).set(m.multiplier);
  if (s.identity !== undefined) {
    metrics.identityMatchRate.set(s.identity.matchRate);
    metrics.duplicateReach.set(s.identity.duplicateReachRate);
  }
}

/**
 * A conversion postback by outcome; accepted ones also add their value. Label values come from the config
 * only: a click of a campaign or channel since removed counts under `none`.
 */
export function countConversion(
  metrics: Metrics,
  outcome: string,
  attributedTo: { readonly campaignId: string; readonly channelId: string } | undefined,
  valueMicros: number | undefined,
): void {
  const campaign = attributedTo?.campaignId ?? 'none';
  const channel = attributedTo?.channelId ?? 'none';
  metrics.conversions.labels(campaign, channel, outcome).inc();
  if (valueMicros !== undefined) metrics.conversionValue.labels(campaign, channel).inc(valueMicros);
}
