/**
 * Simulator scenarios as files (`sim/scenarios/*.yaml`): the market (channels, traffic, clearing prices,
 * a traffic step), the fleet (instances), the campaigns, and mid-day events (a budget change, an instance
 * crash). Validated with zod like every config, so a typo names its path instead of silently simulating
 * something else.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { campaignSchema, type CampaignConfig } from '../src/config/schema.js';
import type { SimChannel } from './market.js';
import type { DayChange } from './run-day.js';

const minute = z.number().int().min(0).max(1440);

const channelSchema = z.strictObject({
  id: z.string().min(1),
  medianClearingCpm: z.number().positive(),
  sigma: z.number().positive().default(0.5),
  auction: z.enum(['first', 'second']),
  ctr: z.number().min(0).max(1).default(0.002),
  /** Traffic multiplier relative to requestsPerMinute. */
  traffic: z.number().positive().default(1),
  step: z.strictObject({ fromMinute: minute, toMinute: minute, factor: z.number().min(0) }).optional(),
});

/**
 * What a scenario file runs: the pacing comparison (default), the shading comparison, the Mystique anchor
 * (`sim:day`), or the learning loop (`sim:learning`).
 */
export type ScenarioKind = 'pacing' | 'shading' | 'mystique' | 'learning';
const kKinds: readonly string[] = ['pacing', 'shading', 'mystique', 'learning'];

export function scenarioKind(path: string): ScenarioKind {
  const raw: unknown = parse(readFileSync(path, 'utf8'));
  const kind = typeof raw === 'object' && raw !== null && 'kind' in raw ? raw.kind : 'pacing';
  if (typeof kind !== 'string' || !kKinds.includes(kind))
    throw new Error(`${path}: kind: expected one of ${kKinds.join(', ')}, got ${JSON.stringify(kind)}`);
  return kind as ScenarioKind;
}

export const scenarioSchema = z.strictObject({
  kind: z.literal('pacing').optional(),
  name: z.string().min(1),
  description: z.string().default(''),
  seed: z.number().int().default(7),
  /** Mean bid requests per minute per channel over the day. */
  requestsPerMinute: z.number().positive().default(100),
  instances: z.number().int().min(1).max(16).default(4),
  channels: z.array(channelSchema).min(1),
  /** Generated campaigns: budgets $6, $8, … (× budgetScale) split evenly over the channels, bidding $2.00–$4.75 CPM. */
  campaigns: z.number().int().min(1).max(200).default(8),
  /** The generated campaigns' floating pool and exploration reserve (fractions of the daily budget). */
  budget: z
    .strictObject({
      floating: z.number().min(0).max(1).default(0),
      exploration: z.number().min(0).max(0.5).default(0.1),
    })
    .prefault({}),
  /** What a click is worth to the generated campaigns (their ROI is clicks × this ÷ spend). */
  clickValue: z.number().min(0).default(0),
  /**
   * The generated campaigns' base split over the channels (channel id → share; default even). The sweep of
   * fixed splits that bounds what moving the floating pool can buy sets it (`sim:day -- --split`).
   */
  shares: z.record(z.string(), z.number().min(0)).optional(),
  /** The bidder's `pacing.finishEarly` (seconds) for this scenario, when not the default (A/B runs). */
  finishEarly: z.number().min(0).max(14_399).optional(),
  /** Multiplies every generated budget, so a day with more traffic can still be budget-bound. */
  budgetScale: z.number().positive().default(1),
  budgetChange: z.strictObject({ atMinute: minute, factor: z.number().positive() }).optional(),
  /**
   * Config changes during the day, each a new snapshot through the bidder's reload path: every budget × a
   * factor (of the configured budget), campaigns paused or resumed (by generated id, `sim-<i>`), or `add`
   * more generated campaigns (the next ids after `campaigns`; absent from the config until then).
   */
  changes: z
    .array(
      z.strictObject({
        atMinute: minute,
        factor: z.number().positive().optional(),
        pause: z.array(z.string().min(1)).optional(),
        resume: z.array(z.string().min(1)).optional(),
        add: z.number().int().min(1).max(50).optional(),
      }),
    )
    .default([]),
  kill: z.strictObject({ instance: z.number().int().min(0), atMinute: minute }).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;

/**
 * The shading comparison: the same day run with bid shading off and on, on the campaigns as written (each
 * campaign's `shading` is set per run). One bidder instance.
 */
export const shadingScenarioSchema = z.strictObject({
  kind: z.literal('shading'),
  name: z.string().min(1),
  description: z.string().default(''),
  seed: z.number().int().default(5),
  requestsPerMinute: z.number().positive().default(60),
  channels: z.array(channelSchema).min(1),
  campaigns: z.array(z.record(z.string(), z.unknown())).min(1),
});

export type ShadingScenario = z.infer<typeof shadingScenarioSchema>;

function parseFile<T>(path: string, schema: z.ZodType<T>): T {
  const r = schema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!r.success)
    throw new Error(
      `${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

export function loadShadingScenario(path: string): ShadingScenario {
  const s = parseFile(path, shadingScenarioSchema);
  // Validated now (with shading off), so a bad campaign names its path before anything runs.
  s.campaigns.forEach((c, i) => {
    const r = campaignSchema.safeParse({ ...c, shading: false });
    if (!r.success)
      throw new Error(
        `${path}: campaigns.${i}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
      );
  });
  return s;
}

/** The shading scenario's campaigns with shading on or off. */
export function shadingCampaigns(s: ShadingScenario, shading: boolean): CampaignConfig[] {
  return s.campaigns.map((c) => campaignSchema.parse({ ...c, shading }));
}

/** The learning loop's scenario (`sim/learning.ts` documents each part). */
export const learningScenarioSchema = z.strictObject({
  kind: z.literal('learning'),
  name: z.string().min(1),
  description: z.string().default(''),
  seed: z.number().int().default(1),
  requestsPerMinute: z.number().positive().default(100),
  channels: z.array(channelSchema).min(1),
  campaigns: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        cpc: z.number().positive(),
        targeting: z.strictObject({
          inventory: z.array(z.enum(['site', 'app'])).optional(),
          deviceTypes: z.array(z.number().int()).optional(),
        }),
      }),
    )
    .min(1),
  explore: z.strictObject({
    days: z.number().int().min(1),
    cpm: z.number().positive(),
    dailyBudget: z.number().positive(),
    /** Traffic multiplier on the exploration days (default 1): more logged impressions per day to learn from. */
    traffic: z.number().positive().optional(),
  }),
  deliveryFactor: z.number().positive().max(1).default(0.8),
  baseCtr: z.number().gt(0).lt(1),
  floorCpm: z.number().min(0),
  train: z.strictObject({
    epochs: z.number().int().min(1),
    holdout: z.number().gt(0).lt(1),
    alpha: z.number().positive().optional(),
    l1: z.number().min(0).optional(),
    l2: z.number().min(0).optional(),
  }),
});

export type LearningScenario = z.infer<typeof learningScenarioSchema>;

export function loadLearningScenario(path: string): LearningScenario {
  return parseFile(path, learningScenarioSchema);
}

export function loadScenario(path: string): Scenario {
  const r = { data: parseFile(path, scenarioSchema) };
  if (r.data.kill !== undefined && r.data.kill.instance >= r.data.instances)
    throw new Error(`${path}: kill.instance: only ${r.data.instances} instances`);
  return r.data;
}

/** The scenario's changes for the day runner: every budget change, with `add` naming the ids it adds. */
export function scenarioChanges(s: Scenario): DayChange[] {
  let next = s.campaigns;
  const changes: DayChange[] = s.changes.map((ch) => {
    const add = Array.from({ length: ch.add ?? 0 }, () => `sim-${next++}`);
    return {
      atMinute: ch.atMinute,
      ...(ch.factor !== undefined ? { factor: ch.factor } : {}),
      ...(ch.pause !== undefined ? { pause: ch.pause } : {}),
      ...(ch.resume !== undefined ? { resume: ch.resume } : {}),
      ...(add.length > 0 ? { add } : {}),
    };
  });
  if (s.budgetChange !== undefined) changes.push({ atMinute: s.budgetChange.atMinute, factor: s.budgetChange.factor });
  return changes.sort((a, b) => a.atMinute - b.atMinute);
}

export function scenarioChannels(s: Pick<Scenario, 'channels' | 'requestsPerMinute'>): SimChannel[] {
  return s.channels.map((c) => ({
    id: c.id,
    requestsPerMinute: s.requestsPerMinute * c.traffic,
    clearingMu: Math.log(c.medianClearingCpm),
    clearingSigma: c.sigma,
    auctionType: c.auction === 'first' ? 1 : 2,
    ctr: c.ctr,
    ...(c.step !== undefined ? { step: c.step } : {}),
  }));
}

/** The scenario's campaigns with one pacing mode: alternately fixed CPM and max CPM, budgets rising. */
export function scenarioCampaigns(s: Scenario, pacing: 'even' | 'traffic' | 'asap', floating = true): CampaignConfig[] {
  if (!floating) return scenarioCampaigns({ ...s, budget: { ...s.budget, floating: 0 } }, pacing);
  const share = 1 / s.channels.length;
  const channels = s.shares ?? Object.fromEntries(s.channels.map((c) => [c.id, share]));
  // Campaigns a change adds later are generated after the scenario's own, with the next ids.
  const added = s.changes.reduce((a, ch) => a + (ch.add ?? 0), 0);
  return Array.from({ length: s.campaigns + added }, (_, i) =>
    campaignSchema.parse({
      id: `sim-${i}`,
      advertiser: `adv-${i % 3}`,
      adomain: [`adv${i % 3}.example`],
      budget: {
        daily: (6 + (i % 8) * 2) * s.budgetScale,
        channels,
        pacing,
        floating: s.budget.floating,
        exploration: s.budget.exploration,
      },
      ...(s.clickValue > 0 ? { roi: { clickValue: s.clickValue } } : {}),
      bid:
        i % 2 === 0
          ? { strategy: 'fixed_cpm', cpm: 2 + (i % 8) * 0.25 }
          : { strategy: 'max_cpm', cpm: 3 + (i % 8) * 0.25, bidFraction: 0.8 },
      creatives: [
        {
          id: `cr-${i}`,
          format: 'banner',
          w: 300,
          h: 250,
          markup: '<a href="{{CLICK_URL}}">ad</a>',
          landingUrl: 'https://adv.example/',
        },
      ],
    }),
  );
}
