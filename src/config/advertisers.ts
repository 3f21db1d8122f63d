/**
 * Advertisers as conversion postbacks see them: the id they post as (`adv=`), the secret that authenticates
 * them, and the campaigns whose clicks they may claim. Built once per config snapshot from
 * `conversions.advertisers` in bidder.yaml; a campaign belongs to the advertiser whose `name` (default: id)
 * equals the campaign's `advertiser`, so campaign files need no new field.
 */
import type { Campaign } from '../campaigns/model.js';
import type { BidderConfig } from './schema.js';

export type PostbackAuth = 'sig' | 'token' | 'any';

export interface Advertiser {
  readonly id: string;
  readonly name: string;
  /** Undefined when the configured env secret is unset: every postback of this advertiser is refused. */
  readonly secret: Buffer | undefined;
  readonly auth: PostbackAuth;
  readonly campaignIds: ReadonlySet<string>;
}

export interface AdvertiserTable {
  readonly byId: ReadonlyMap<string, Advertiser>;
  /** campaign id → advertiser id, for campaigns some configured advertiser owns. */
  readonly byCampaign: ReadonlyMap<string, string>;
}

const kNoAdvertisers: AdvertiserTable = Object.freeze({ byId: new Map(), byCampaign: new Map() });

export function compileAdvertisers(
  list: BidderConfig['conversions']['advertisers'],
  campaigns: readonly Campaign[],
  resolveSecret: (ref: string) => string | undefined,
  warnings: string[],
): AdvertiserTable {
  if (list.length === 0) return kNoAdvertisers;
  const byId = new Map<string, Advertiser>();
  const byCampaign = new Map<string, string>();
  for (const a of list) {
    const name = a.name ?? a.id;
    const secret = resolveSecret(a.secret);
    if (secret === undefined)
      warnings.push(`advertiser ${a.id}: ${a.secret} is not set; its conversion postbacks will be refused`);
    const campaignIds = new Set<string>();
    for (const c of campaigns) {
      if (c.advertiser !== name || byCampaign.has(c.id)) continue;
      campaignIds.add(c.id);
      byCampaign.set(c.id, a.id);
    }
    byId.set(
      a.id,
      Object.freeze({
        id: a.id,
        name,
        secret: secret === undefined ? undefined : Buffer.from(secret, 'utf8'),
        auth: a.auth,
        campaignIds,
      }),
    );
  }
  return Object.freeze({ byId, byCampaign });
}
