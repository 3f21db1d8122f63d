/**
 * Turns a validated campaign config into the runtime `Campaign`: money to micros, lists to sets, dayparts to
 * a 168-slot table, creative markup to a macro template. Runs once per config snapshot, never per request.
 */
import type { Campaign, CompiledTargeting, Creative } from '../campaigns/model.js';
import { normaliseDomain } from '../campaigns/targeting-index.js';
import { MarkupType } from '../openrtb/types.js';
import { compileCampaignScoring } from '../scoring/index.js';
import type { CampaignConfig, CreativeConfig } from './schema.js';

const kMicros = 1_000_000;
const kDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function toMicros(units: number): number {
  return Math.round(units * kMicros);
}

export function compileCampaign(cfg: CampaignConfig, index: number): Campaign {
  const scoring = compileCampaignScoring(cfg.id, {
    bid: cfg.bid,
    multipliers: cfg.multipliers,
    shading: cfg.shading,
    models: cfg.models,
    experiments: cfg.experiments,
  });
  const t = cfg.targeting;
  const targeting: CompiledTargeting = Object.freeze({
    channels: setOf(t.channels),
    countries: setOf(t.countries),
    regions: setOf(t.regions),
    deviceTypes: setOf(t.deviceTypes),
    os: setOf(t.os?.map((o) => o.toLowerCase())),
    inventory: setOf(t.inventory),
    domainAllow: setOf(t.domains?.allow?.map(normaliseDomain)),
    domainBlock: setOf(t.domains?.block?.map(normaliseDomain)),
    bundleAllow: setOf(t.bundles?.allow),
    bundleBlock: setOf(t.bundles?.block),
    publisherAllow: setOf(t.publishers?.allow),
    publisherBlock: setOf(t.publishers?.block),
    categoryAllow: setOf(t.categories?.allow),
    categoryBlock: setOf(t.categories?.block),
    placements: setOf(t.placements),
    deals: setOf(t.deals),
    dealsOnly: t.dealsOnly,
    dayparts: compileDayparts(t.dayparts),
    segmentsInclude: t.segments?.include?.length ? Object.freeze([...t.segments.include]) : undefined,
    segmentsExclude: t.segments?.exclude?.length ? Object.freeze([...t.segments.exclude]) : undefined,
  });
  const creatives = cfg.creatives.map(compileCreative);
  return Object.freeze({
    index,
    id: cfg.id,
    advertiser: cfg.advertiser,
    adomain: Object.freeze([...cfg.adomain]),
    active: cfg.status === 'active',
    timezone: cfg.timezone,
    flightStartMs: cfg.flight.start === undefined ? -Infinity : Date.parse(cfg.flight.start),
    flightEndMs: cfg.flight.end === undefined ? Infinity : Date.parse(cfg.flight.end),
    dailyBudgetMicros: toMicros(cfg.budget.daily),
    totalBudgetMicros: cfg.budget.total === undefined ? Infinity : toMicros(cfg.budget.total),
    channelShares: new Map(Object.entries(cfg.budget.channels).filter(([, share]) => share > 0)),
    pacingMode: cfg.budget.pacing,
    floatingShare: cfg.budget.floating,
    explorationShare: cfg.budget.exploration,
    bid: scoring.strategy,
    scoring,
    boundMicros: scoring.boundMicros,
    roi: Object.freeze({
      clickValueMicros: toMicros(cfg.roi?.clickValue ?? 0),
      conversionValueMicros: toMicros(cfg.roi?.conversionValue ?? 0),
    }),
    frequencyCaps: Object.freeze(
      cfg.frequencyCaps.map((f) => Object.freeze({ count: f.count, windowSeconds: f.window })),
    ),
    frequencyKeys: Object.freeze(cfg.frequencyCaps.map((f) => `${cfg.id}:${f.window}`)),
    targeting,
    usesStages: creatives.some((c) => c.stages.size > 0),
    creatives: Object.freeze(creatives),
  });
}

function compileCreative(cfg: CreativeConfig): Creative {
  const c = compileCreativeBody(cfg);
  return Object.freeze({ ...c, markupJson: JSON.stringify(c.markup).slice(1, -1) });
}

function compileCreativeBody(cfg: CreativeConfig): Omit<Creative, 'markupJson'> {
  const base = {
    id: cfg.id,
    categories: Object.freeze([...cfg.categories]),
    attr: Object.freeze([...cfg.attr]),
    landingUrl: cfg.landingUrl,
    stages: new Set(cfg.stages),
  };
  switch (cfg.format) {
    case 'banner':
      return {
        ...base,
        format: 'banner',
        mtype: MarkupType.Banner,
        w: cfg.w,
        h: cfg.h,
        markup: cfg.markup,
        durationSeconds: 0,
        mimes: new Set<string>(),
        protocols: [],
      };
    case 'video':
      return {
        ...base,
        format: 'video',
        mtype: MarkupType.Video,
        w: cfg.w,
        h: cfg.h,
        markup: cfg.vast,
        durationSeconds: cfg.durationSeconds,
        mimes: new Set(cfg.mimes),
        protocols: Object.freeze([...cfg.protocols]),
      };
    case 'native':
      return {
        ...base,
        format: 'native',
        mtype: MarkupType.Native,
        w: cfg.imageW,
        h: cfg.imageH,
        markup: nativeMarkup(cfg),
        durationSeconds: 0,
        mimes: new Set<string>(),
        protocols: [],
      };
  }
}

/**
 * Native 1.2 response markup (§5). Asset ids follow the common request layout (1 title, 2 main image,
 * 3 sponsoredBy, 4 description); `native.ts` in `auction/` maps them to the request's asset ids per bid.
 */
function nativeMarkup(cfg: Extract<CreativeConfig, { format: 'native' }>): string {
  return JSON.stringify({
    native: {
      ver: '1.2',
      assets: [
        { id: 1, title: { text: cfg.title } },
        { id: 2, img: { url: cfg.imageUrl, w: cfg.imageW, h: cfg.imageH } },
        { id: 3, data: { value: cfg.sponsoredBy } },
        { id: 4, data: { value: cfg.description } },
      ],
      link: { url: '{{CLICK_URL}}' },
      imptrackers: ['{{BILL_URL}}'],
    },
  });
}

function compileDayparts(dayparts: CampaignConfig['targeting']['dayparts']): Uint8Array | undefined {
  if (dayparts === undefined || dayparts.length === 0) return undefined;
  const table = new Uint8Array(168);
  for (const dp of dayparts) {
    for (const day of dp.days) {
      const d = kDays.indexOf(day);
      for (let h = dp.hours[0]; h < dp.hours[1]; h++) table[d * 24 + h] = 1;
    }
  }
  return table;
}

function setOf<T>(values: readonly T[] | undefined): ReadonlySet<T> | undefined {
  return values === undefined || values.length === 0 ? undefined : new Set(values);
}
