/**
 * The admin spend report (`GET :OPS_PORT/admin/spend`): per campaign × channel, the day's cap, spend
 * against the target curve, the controller's signal, what is reserved and leased, and the exploration
 * pool — read from this instance's gate, so an operator sees what this instance is pacing against.
 */
import type { Campaign } from '../campaigns/model.js';
import type { AccountRow, PacingGate } from './gate.js';

export interface SpendReport {
  readonly currency: string;
  readonly rows: readonly SpendReportRow[];
}

export interface SpendReportRow {
  readonly campaign: string;
  readonly channel: string;
  readonly day: string | undefined;
  readonly pacing: Campaign['pacingMode'] | undefined;
  readonly dailyBudget: number;
  readonly baseShare: number | undefined;
  readonly spent: number;
  readonly target: number;
  readonly signal: number;
  readonly reserved: number;
  readonly lease: number;
  readonly exploration: { readonly budget: number; readonly spent: number } | undefined;
}

export function spendReport(
  gate: PacingGate,
  campaigns: readonly Campaign[],
  currency: string,
  nowMs: number,
): SpendReport {
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const pools = new Map<string, AccountRow>();
  for (const r of gate.remaining()) pools.set(`${r.campaignId}\u0000${r.channelId}\u0000${r.pool}`, r);
  const rows = [...gate.pacing(campaigns, nowMs)].map((p): SpendReportRow => {
    const c = byId.get(p.campaignId);
    const regular = pools.get(`${p.campaignId}\u0000${p.channelId}\u0000regular`);
    const explore = pools.get(`${p.campaignId}\u0000${p.channelId}\u0000exploration`);
    return {
      campaign: p.campaignId,
      channel: p.channelId,
      day: regular?.day,
      pacing: c?.pacingMode,
      dailyBudget: p.capMicros / 1e6,
      baseShare: c?.channelShares.get(p.channelId),
      spent: p.spentMicros / 1e6,
      target: p.targetMicros / 1e6,
      signal: p.signal,
      reserved: ((regular?.reservedMicros ?? 0) + (explore?.reservedMicros ?? 0)) / 1e6,
      lease: ((regular?.leaseMicros ?? 0) + (explore?.leaseMicros ?? 0)) / 1e6,
      exploration:
        explore === undefined ? undefined : { budget: explore.capMicros / 1e6, spent: explore.spentMicros / 1e6 },
    };
  });
  return { currency, rows };
}
