/** Campaign configs for unit tests: a valid minimal campaign, overridable field by field, compiled. */
import { compileCampaign } from '../../src/config/compile-campaign.js';
import type { Campaign } from '../../src/campaigns/model.js';
import { campaignSchema, type CampaignConfig } from '../../src/config/schema.js';

export type CampaignInput = Record<string, unknown>;

export function campaignConfig(over: CampaignInput = {}): CampaignConfig {
  const base: CampaignInput = {
    id: 'c1',
    advertiser: 'Adv',
    adomain: ['adv.example'],
    budget: { daily: 100, channels: { ch1: 1 }, pacing: 'asap' },
    bid: { strategy: 'fixed_cpm', cpm: 2 },
    creatives: [
      {
        id: 'cr1',
        format: 'banner',
        w: 300,
        h: 250,
        markup: '<a href="{{CLICK_URL}}">ad</a>',
        landingUrl: 'https://adv.example/',
      },
    ],
  };
  return campaignSchema.parse({ ...base, ...over });
}

export function campaign(over: CampaignInput = {}, index = 0): Campaign {
  return compileCampaign(campaignConfig(over), index);
}

export function campaigns(list: CampaignInput[]): Campaign[] {
  return list.map((over, i) => campaign({ id: `c${i}`, ...over }, i));
}
