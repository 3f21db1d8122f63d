/**
 * The immutable runtime snapshot of a valid config: frozen channels and campaigns, the compiled targeting
 * index, the currency table, resolved secrets. Hot reload builds a new snapshot and swaps one reference
 * (`config-holder.ts`), so a request that started on a snapshot finishes on it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Campaign } from '../campaigns/model.js';
import { TargetingIndex } from '../campaigns/targeting-index.js';
import type { NoticeKey } from '../tokens/token.js';
import { compileAdvertisers, type AdvertiserTable } from './advertisers.js';
import { compileCampaign } from './compile-campaign.js';
import type { RawConfig } from './load.js';
import type { BidderConfig, ChannelConfig } from './schema.js';

export interface Channel {
  readonly id: string;
  readonly name: string;
  readonly auctionType: 1 | 2;
  readonly billableEvent: 'win' | 'bill';
  readonly timeoutMarginMs: number;
  readonly seat: string;
  readonly format: 'json' | 'protobuf' | 'auto';
  readonly gzip: boolean;
  /** Keys of the encrypted price scheme, when the channel uses it. */
  readonly priceKeys: { readonly encryptionKey: string; readonly integrityKey: string } | undefined;
  readonly winsImplied: boolean;
  /** Who can set the billable price: see `notices` in schema.ts and docs/notice-prices.md. */
  readonly notices: { readonly billing: 'markup' | 's2s'; readonly minPrice: 'auction' | 'none' };
  readonly dialect: 'openrtb' | 'prebid';
  readonly prebid:
    | { readonly bidderCodes: ReadonlySet<string>; readonly noBid: 'empty' | '204'; readonly exp: number }
    | undefined;
  readonly corsOrigins: ReadonlySet<string> | undefined;
}

export interface ConfigSnapshot {
  readonly version: number;
  /** sha256 of every file's text: equal hashes mean equal configs across a fleet. */
  readonly hash: string;
  readonly loadedAtMs: number;
  readonly dir: string;
  readonly bidder: BidderConfig;
  /** Base of notice and click URLs: `PEREGRINE_PUBLIC_URL` when set, else `bidder.publicUrl`. */
  readonly publicUrl: string;
  /** The public URL has only characters that need no escaping in JSON or HTML attributes. */
  readonly publicUrlSafe: boolean;
  readonly channels: ReadonlyMap<string, Channel>;
  readonly campaigns: readonly Campaign[];
  readonly campaignsById: ReadonlyMap<string, Campaign>;
  readonly index: TargetingIndex;
  /** Units of account currency per unit of each currency; the account currency maps to 1. */
  readonly fx: ReadonlyMap<string, number>;
  readonly noticeKeys: readonly NoticeKey[];
  /**
   * The admin bearer token: configured (`admin.token`), else one made for this run (`adminTokenGenerated`),
   * else undefined in loopback-open development mode (endpoints/admin-auth.ts).
   */
  readonly adminToken: string | undefined;
  readonly adminTokenGenerated: boolean;
  readonly adminOpen: 'loopback' | undefined;
  /** Conversion postback senders and the campaigns they own (`conversions.advertisers`). */
  readonly advertisers: AdvertiserTable;
  /** Secrets that were referenced from the environment but not set (an ephemeral key was generated). */
  readonly warnings: readonly string[];
}

export function buildSnapshot(
  raw: RawConfig,
  version: number,
  nowMs: number,
  env: NodeJS.ProcessEnv,
  previous?: ConfigSnapshot,
): ConfigSnapshot {
  const warnings: string[] = [];
  const b = raw.bidder;
  const channels = new Map<string, Channel>();
  for (const ch of raw.channels) {
    channels.set(
      ch.id,
      Object.freeze({
        id: ch.id,
        name: ch.name,
        auctionType: ch.auctionType,
        billableEvent: ch.billableEvent,
        timeoutMarginMs: ch.timeoutMarginMs ?? b.limits.networkMarginMs,
        seat: ch.seat ?? b.seat,
        format: ch.format,
        gzip: ch.gzip,
        priceKeys: priceKeys(ch, env, warnings),
        winsImplied: ch.winsImplied,
        notices: Object.freeze({ ...ch.notices }),
        dialect: ch.dialect,
        prebid:
          ch.prebid === undefined
            ? undefined
            : Object.freeze({
                bidderCodes: new Set(ch.prebid.bidderCodes),
                noBid: ch.prebid.noBid,
                exp: ch.prebid.exp,
              }),
        corsOrigins: ch.cors === undefined ? undefined : new Set(ch.cors.origins),
      }),
    );
  }
  // Highest possible bid first: the index's bit order is then a price bound order (see select.ts).
  const bounds = new Map(raw.campaigns.map((c) => [c.id, compileCampaign(c, 0).boundMicros]));
  const ordered = [...raw.campaigns].sort((a, c) => bounds.get(c.id)! - bounds.get(a.id)! || (a.id < c.id ? -1 : 1));
  const campaigns = Object.freeze(ordered.map((c, i) => compileCampaign(c, i)));
  const fx = new Map<string, number>(Object.entries(b.fx));
  fx.set(b.currency, 1);
  const noticeKeys = b.notices.keys.map((k) => {
    const prev = previous?.noticeKeys.find((p) => p.id === k.id);
    const secret = resolveSecret(k.secret, env);
    if (secret !== undefined) return { id: k.id, secret: Buffer.from(secret, 'utf8') };
    // An unset env secret gets a random key so a fresh checkout runs; it is kept across reloads, but
    // tokens will not verify after a restart or on another instance, so we say so loudly.
    warnings.push(
      `notice key ${k.id}: ${k.secret} is not set; using an ephemeral random key (tokens will not survive a restart or verify on other instances)`,
    );
    return prev ?? { id: k.id, secret: randomBytes(32) };
  });
  const publicUrl = (env.PEREGRINE_PUBLIC_URL ?? b.publicUrl).replace(/\/+$/, '');
  return Object.freeze({
    version,
    hash: configHash(raw.texts),
    loadedAtMs: nowMs,
    dir: raw.dir,
    bidder: b,
    publicUrl,
    publicUrlSafe: /^[A-Za-z0-9:/._~%[\]-]+$/.test(publicUrl),
    channels,
    campaigns,
    campaignsById: new Map(campaigns.map((c) => [c.id, c])),
    index: new TargetingIndex(campaigns),
    fx,
    noticeKeys: Object.freeze(noticeKeys),
    ...adminAccess(b, env, warnings, previous),
    advertisers: compileAdvertisers(b.conversions.advertisers, campaigns, (ref) => resolveSecret(ref, env), warnings),
    warnings: Object.freeze(warnings),
  });
}

/** sha256 of every file's name and text: a reload whose hash equals the live one changes nothing. */
export function configHash(texts: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const [file, text] of [...texts].sort(([a], [c]) => (a < c ? -1 : 1)))
    hash.update(file).update('\0').update(text).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function priceKeys(ch: ChannelConfig, env: NodeJS.ProcessEnv, warnings: string[]): Channel['priceKeys'] {
  if (ch.priceMacro.style !== 'encrypted') return undefined;
  const encryptionKey = resolveSecret(ch.priceMacro.encryptionKey, env);
  const integrityKey = resolveSecret(ch.priceMacro.integrityKey, env);
  if (encryptionKey === undefined || integrityKey === undefined) {
    warnings.push(`channel ${ch.id}: price keys are not set; its encrypted prices will be refused`);
    return undefined;
  }
  return { encryptionKey, integrityKey };
}

function adminAccess(
  b: BidderConfig,
  env: NodeJS.ProcessEnv,
  warnings: string[],
  previous: ConfigSnapshot | undefined,
): Pick<ConfigSnapshot, 'adminToken' | 'adminTokenGenerated' | 'adminOpen'> {
  const configured = b.admin.token === undefined ? undefined : resolveSecret(b.admin.token, env);
  const openEnv = env.PEREGRINE_ADMIN_OPEN;
  let open = b.admin.open;
  if (openEnv === 'loopback') open = 'loopback';
  else if (openEnv !== undefined && openEnv !== '')
    // Fail closed: a typo must not open the admin API, nor silently keep it open.
    warnings.push(`PEREGRINE_ADMIN_OPEN=${JSON.stringify(openEnv)} is not "loopback"; the admin API needs its token`);
  if (configured !== undefined) return { adminToken: configured, adminTokenGenerated: false, adminOpen: open };
  if (open === 'loopback') return { adminToken: undefined, adminTokenGenerated: false, adminOpen: open };
  // Kept across reloads, like the ephemeral notice keys; logged once at start by the app.
  const kept = previous?.adminTokenGenerated === true ? previous.adminToken : undefined;
  return { adminToken: kept ?? randomBytes(24).toString('base64url'), adminTokenGenerated: true, adminOpen: open };
}

function resolveSecret(ref: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!ref.startsWith('env:')) return ref;
  const v = env[ref.slice(4)];
  return v === undefined || v === '' ? undefined : v;
}
