/**
 * What media buyers and operators may write in `config/*.yaml`, as zod schemas. This is the only place
 * config is validated; `compile.ts` turns a valid config into the frozen runtime snapshot the hot path
 * reads. Money here is in account-currency units (CPM for bids), as people write it; it becomes integer
 * micros at compile time.
 */
import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected an id: letters, digits, _ . - (max 64)');
const money = z.number().finite().nonnegative();
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO-4217 currency code like USD');
const duration = z
  .union([
    z.number().int().positive(),
    z.string().regex(/^\d+(s|m|h|d)$/, 'expected a duration like 30s, 15m, 24h, 7d'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

function parseDuration(text: string): number {
  const n = Number(text.slice(0, -1));
  const unit = text.at(-1);
  const factor = unit === 's' ? 1 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 86400;
  return n * factor;
}

const secretRef = z.string().min(1).describe('a literal secret, or env:NAME to read it from the environment');

export const bidderSchema = z.strictObject({
  instanceId: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).default(8080),
  opsPort: z.number().int().min(0).max(65535).default(9464),
  host: z.string().default('0.0.0.0'),
  publicUrl: z.url().default('http://localhost:8080'),
  seat: z.string().min(1).default('peregrine'),
  currency: currency.default('USD'),
  /** Units of account currency per 1 unit of each foreign currency. */
  fx: z.record(currency, z.number().positive().finite()).default({}),
  limits: z
    .strictObject({
      maxBodyBytes: z.number().int().positive().default(65536),
      maxInflatedBytes: z.number().int().positive().default(262144),
      maxProcessingMs: z.number().positive().default(50),
      defaultTmaxMs: z.number().int().positive().default(100),
      networkMarginMs: z.number().nonnegative().default(20),
      lookupTimeoutMs: z.number().positive().default(5),
    })
    .prefault({}),
  notices: z
    .strictObject({
      /** Signing keys, newest first: the first signs, all verify (rotation with two active keys). */
      keys: z
        .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9]{1,8}$/), secret: secretRef }))
        .min(1)
        .max(4),
      tokenTtl: duration.default(86400),
      dedupTtl: duration.default(259200),
    })
    .prefault({ keys: [{ id: 'k1', secret: 'env:PEREGRINE_NOTICE_KEY' }] }),
  admin: z
    .strictObject({
      token: secretRef.optional(),
      /** Development only: with no token configured, loopback callers need none (env PEREGRINE_ADMIN_OPEN). */
      open: z.enum(['loopback']).optional(),
      /** Signs in to the console with read-only rights (figures, no edits). */
      readToken: secretRef.optional(),
      /** Append-only JSONL log of every campaign edit (console or admin API); relative to the config directory. */
      auditLog: z.string().min(1).default('audit/changes.jsonl'),
      /** A console session ends after this long without a request, and after `sessionMax` in any case. */
      sessionIdle: duration.default(1800),
      sessionMax: duration.default(43200),
    })
    .prefault({}),
  store: z
    .strictObject({
      kind: z.enum(['memory', 'redis']).default('memory'),
      redis: z
        .strictObject({
          url: z.string().optional(),
          cluster: z.array(z.string()).optional(),
          /** Default: the Redis store's own (`pg:`, `kDefaultKeyPrefix` in store/redis/keys.ts). */
          keyPrefix: z.string().optional(),
        })
        .optional(),
    })
    .prefault({}),
  pacing: z
    .strictObject({
      leaseTtl: duration.default(60),
      /** A reservation not settled by a notice within this window returns to the local lease. */
      noticeWindow: duration.default(300),
      minLeaseMicros: z.number().int().positive().default(1_000_000),
      /** `adaptive`: the feedback controller; `step`: the ±10%/minute throttle baseline; `none`: pace cap only. */
      controller: z.enum(['adaptive', 'step', 'none']).default('adaptive'),
      /** Pacing signals above this multiply bids; below it they throttle participation instead. */
      minMultiplier: z.number().gt(0).max(1).default(0.3),
      /** How far ahead of its target curve a campaign may run, whatever the controller does. */
      lookahead: duration.default(900),
      /**
       * Pace to a curve whose last four hours are compressed to end this long before midnight: the day's last
       * hour is its traffic trough, and a curve asking for the full rate there leaves what it cannot absorb
       * unspent. Less than 4 h.
       */
      finishEarly: z
        .union([z.literal(0), duration])
        .default(1800)
        .refine((s) => s < 14_400, 'must be less than 4h (0: finish at midnight)'),
      /** Controller update period and catch-up horizon. */
      interval: duration.default(5),
      horizon: duration.default(1800),
      /**
       * The floating-pool reallocator: every `interval` it moves at most `step` of each campaign's floating
       * pool from its worst- to its best-ROI channel (the day so far, fleet-wide), when the best returns at
       * least `minRatio` times the worst, the gap is `confidence` standard errors wide (ROI counts clicks or
       * conversions), and each has spent `minSpend` of its day's cap.
       */
      reallocation: z
        .strictObject({
          interval: duration.default(300),
          step: z.number().gt(0).max(1).default(0.1),
          minRatio: z.number().min(1).default(1.2),
          confidence: z.number().min(0).default(2),
          minSpend: z.number().min(0).max(1).default(0.01),
          /**
           * Pooled evidence: a channel's ROI for one campaign starts from the other floating campaigns' view
           * of that channel, worth at most this many events (0: each campaign on its own events).
           */
          poolEvents: z.number().min(0).default(50),
        })
        .prefault({}),
    })
    .prefault({}),
  privacy: z
    .strictObject({
      vendorId: z.number().int().positive().default(1),
      requireMeasurementPurpose: z.boolean().default(false),
    })
    .prefault({}),
  scoring: z
    .strictObject({
      mode: z.enum(['pool', 'inline', 'auto']).default('auto'),
      /** Relative to the config directory unless absolute. */
      modelsDir: z.string().default('models'),
      pool: z
        .strictObject({
          threads: z.number().int().min(0).max(64).optional(),
          maxQueue: z.number().int().min(1).default(64),
          taskDeadlineMs: z.number().positive().default(20),
        })
        .prefault({}),
      shading: z
        .strictObject({
          minObservations: z.number().int().positive().optional(),
          coldStartFactor: z.number().gt(0).max(1).optional(),
        })
        .prefault({}),
      eventLog: z
        .strictObject({ dir: z.string().optional(), bidSampleRate: z.number().min(0).max(1).default(0.01) })
        .prefault({}),
    })
    .prefault({}),
  /** Conversion postbacks (`/conv`): the attribution window and each advertiser's postback secret. */
  conversions: z
    .strictObject({
      /** How long a click can be credited with a conversion (the click record's TTL). */
      attributionWindow: duration.default(2_592_000),
      /** How long an advertiser's conversion id is remembered for de-duplication. */
      dedupTtl: duration.default(2_592_000),
      advertisers: z
        .array(
          z.strictObject({
            id,
            /** The `advertiser` name its campaigns carry; default: the id. */
            name: z.string().min(1).optional(),
            /** Shared secret: sent as `token=`, or the HMAC-SHA256 key of `sig=`. */
            secret: secretRef,
            /** `sig` keeps the secret out of URLs and logs; `token` is for platforms that cannot sign. */
            auth: z.enum(['sig', 'token', 'any']).default('any'),
          }),
        )
        .default([])
        .superRefine((list, ctx) => {
          const seen = new Set<string>();
          list.forEach((a, i) => {
            if (seen.has(a.id))
              ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate advertiser id ${a.id}` });
            seen.add(a.id);
          });
        }),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const channelSchema = z
  .strictObject({
    id,
    name: z.string().min(1),
    /** OpenRTB `at` assumed when a request omits it (1 first price, 2 second price). */
    auctionType: z.union([z.literal(1), z.literal(2)]).default(2),
    billableEvent: z.enum(['win', 'bill']).default('bill'),
    /** Subtracted from the request's tmax to leave room for the network round trip. */
    timeoutMarginMs: z.number().nonnegative().optional(),
    /** Seat id we answer as on this channel. */
    seat: z.string().min(1).optional(),
    /** Body format: `auto` decides by content type (protobuf for application/octet-stream or x-protobuf). */
    format: z.enum(['json', 'protobuf', 'auto']).default('auto'),
    /** Accept `Content-Encoding: gzip` requests, and gzip responses when the request accepts it. */
    gzip: z.boolean().default(true),
    /** How `${AUCTION_PRICE}` comes back: plain CPM, or encrypted (HMAC-SHA1 price confirmation scheme). */
    priceMacro: z
      .discriminatedUnion('style', [
        z.strictObject({ style: z.literal('plain') }),
        z.strictObject({ style: z.literal('encrypted'), encryptionKey: secretRef, integrityKey: secretRef }),
      ])
      .default({ style: 'plain' }),
    /** The exchange sends no win notice: wins are implied by the billing or impression pixel (no nurl). */
    winsImplied: z.boolean().default(false),
    /**
     * Who can set the billable price (docs/notice-prices.md). `billing: markup`: the billing URL may sit in
     * the ad markup, where the page can fire it with any price; `s2s`: the exchange calls nurl/burl server to
     * server, and the markup's `{{BILL_URL}}` becomes an impression beacon that never bills. `minPrice:
     * auction`: a plain price below the auction's floor (first price: our bid) is refused; `none`: any price
     * up to the bid (for exchanges that report prices net of their fees). Encrypted prices are trusted.
     */
    notices: z
      .strictObject({
        billing: z.enum(['markup', 's2s']).default('markup'),
        minPrice: z.enum(['auction', 'none']).default('auction'),
      })
      .prefault({}),
    /** Wire dialect: plain OpenRTB (exchanges) or Prebid (Prebid.js / Prebid Server `s2sConfig`). */
    dialect: z.enum(['openrtb', 'prebid']).default('openrtb'),
    prebid: z
      .strictObject({
        /** Bidder codes we answer as: Prebid accepts a bid only when `seatbid[].seat` is the code it asked for. */
        bidderCodes: z.array(z.string().min(1)).min(1),
        /** Prebid treats 204 as an error; an empty `seatbid` is its clean no-bid. */
        noBid: z.enum(['empty', '204']).default('empty'),
        /** Seconds the bid may be cached by Prebid (`bid.exp`). */
        exp: z.number().int().positive().default(300),
      })
      .optional(),
    /** Browser-originated channels: the exact origins allowed to call with credentials (never `*`). */
    cors: z
      .strictObject({
        origins: z.array(z.string().regex(/^https?:\/\/[^/]+$/, 'expected an origin like https://example.com')).min(1),
      })
      .optional(),
  })
  .superRefine(
    (ch, ctx) => {
      if (ch.dialect === 'prebid' && ch.prebid === undefined)
        ctx.addIssue({ code: 'custom', path: ['prebid'], message: 'a prebid channel needs prebid.bidderCodes' });
      if (ch.dialect === 'prebid' && ch.notices.billing === 's2s')
        ctx.addIssue({
          code: 'custom',
          path: ['notices', 'billing'],
          message: 'a prebid channel hands the whole bid (burl included) to the page: billing must be markup',
        });
    },
    { when: () => true },
  );

export const channelsSchema = z.strictObject({ channels: z.array(channelSchema).min(1) });

const idList = z.array(z.string().min(1));
const allowBlock = z.strictObject({ allow: idList.optional(), block: idList.optional() }).optional();
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const targetingSchema = z
  .strictObject({
    channels: z.array(id).optional(),
    countries: z
      .array(z.string().regex(/^[A-Z]{3}$/, 'expected ISO-3166-1 alpha-3 (OpenRTB geo.country), e.g. USA'))
      .optional(),
    regions: z.array(z.string().min(1)).optional(),
    deviceTypes: z.array(z.number().int().min(1).max(8)).optional(),
    os: z.array(z.string().min(1)).optional(),
    domains: allowBlock,
    bundles: allowBlock,
    publishers: allowBlock,
    categories: allowBlock,
    /** Placements: the imp's `tagid`, or the `placementId` a Prebid ad unit passes for our bidder code. */
    placements: z.array(z.string().min(1)).optional(),
    deals: z.array(z.string().min(1)).optional(),
    /** Bid only on deal inventory (the listed deals). */
    dealsOnly: z.boolean().default(false),
    inventory: z.array(z.enum(['site', 'app', 'dooh'])).optional(),
    dayparts: z
      .array(
        z.strictObject({
          days: z.array(weekday).min(1),
          hours: z.tuple([z.number().int().min(0).max(23), z.number().int().min(1).max(24)]),
        }),
      )
      .optional(),
    segments: z.strictObject({ include: idList.optional(), exclude: idList.optional() }).optional(),
  })
  .prefault({});

const creativeBase = {
  id,
  categories: z.array(z.string()).default([]),
  attr: z.array(z.number().int()).default([]),
  landingUrl: z.url(),
  /** Journey stages (segment ids like `stage:consideration`) this creative is for; empty = any stage. */
  stages: z.array(z.string().min(1)).default([]),
};

export const creativeSchema = z.discriminatedUnion('format', [
  z.strictObject({
    ...creativeBase,
    format: z.literal('banner'),
    w: z.number().int().positive(),
    h: z.number().int().positive(),
    markup: z.string().min(1),
  }),
  z.strictObject({
    ...creativeBase,
    format: z.literal('video'),
    w: z.number().int().positive(),
    h: z.number().int().positive(),
    durationSeconds: z.number().int().positive(),
    mimes: z.array(z.string()).min(1),
    protocols: z.array(z.number().int()).default([2, 3, 5, 6, 7, 8]),
    vast: z.string().min(1),
  }),
  z.strictObject({
    ...creativeBase,
    format: z.literal('native'),
    title: z.string().min(1),
    description: z.string().default(''),
    imageUrl: z.url(),
    imageW: z.number().int().positive(),
    imageH: z.number().int().positive(),
    sponsoredBy: z.string().min(1),
  }),
]);

const strategySchema = z.discriminatedUnion('strategy', [
  z.strictObject({ strategy: z.literal('fixed_cpm'), cpm: money.positive() }),
  z.strictObject({
    strategy: z.literal('max_cpm'),
    cpm: money.positive(),
    bidFraction: z.number().gt(0).max(1).default(0.8),
  }),
  /** bid = pCTR × target CPC (per mille), capped by maxCpm. */
  z.strictObject({ strategy: z.literal('target_cpc'), cpc: money.positive(), maxCpm: money.positive() }),
  /** bid = pCTR × pCVR × target CPA (per mille), capped by maxCpm. */
  z.strictObject({ strategy: z.literal('target_cpa'), cpa: money.positive(), maxCpm: money.positive() }),
]);

const multiplier = z.number().min(0).max(10);

const multipliersSchema = z.strictObject({
  /** The buyer's value weight per channel (missing = 1). */
  channels: z.record(id, multiplier).optional(),
  dayparts: z
    .array(
      z.strictObject({
        days: z.array(weekday).min(1),
        hours: z.tuple([z.number().int().min(0).max(23), z.number().int().min(1).max(24)]),
        multiplier,
      }),
    )
    .optional(),
  /** Journey-stage segment (`stage:consideration`, …) → multiplier. */
  stages: z
    .record(z.string().regex(/^stage:/, 'expected a stage segment like stage:consideration'), multiplier)
    .optional(),
});

const modelRefs = z.strictObject({ pctr: z.string().min(1).optional(), pcvr: z.string().min(1).optional() });

const experimentSchema = z
  .strictObject({
    id,
    holdout: z.number().min(0).lt(1).default(0),
    arms: z
      .array(
        z.strictObject({
          id,
          weight: z.number().positive(),
          strategy: strategySchema.optional(),
          model: modelRefs.optional(),
        }),
      )
      .min(1),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.arms.forEach((a, i) => {
      if (seen.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'id'], message: `duplicate arm id ${a.id}` });
      seen.add(a.id);
    });
  });

export const campaignSchema = z
  .strictObject({
    id,
    advertiser: z.string().min(1),
    adomain: z.array(z.string().min(1)).min(1),
    status: z.enum(['active', 'paused']).default('active'),
    timezone: z.string().default('UTC'),
    flight: z
      .strictObject({
        start: z.iso.datetime({ offset: true }).optional(),
        end: z.iso.datetime({ offset: true }).optional(),
      })
      .prefault({}),
    budget: z.strictObject({
      daily: money.positive(),
      total: money.positive().optional(),
      /**
       * Base share of the daily budget per channel; must sum to 1 (channels not listed get nothing). With a
       * floating pool, each channel keeps (1 − floating) × its base share whatever its ROI.
       */
      channels: z.record(id, z.number().min(0).max(1)),
      /** Fraction of the daily budget the reallocator moves between channels by real-time ROI. */
      floating: z.number().min(0).max(1).default(0),
      /**
       * Fraction of the daily budget reserved for exploration: bids the strategy would not make (audiences
       * outside the targeted segments, auctions the pacing controller sat out), spread over channels by base
       * share regardless of ROI, paced along the day's curve. What exploration has not used by a point in
       * the day returns to regular bidding, so a campaign with nothing to explore still delivers.
       */
      exploration: z.number().min(0).max(0.5).default(0.1),
      /**
       * `even` spreads the day's budget linearly over the day; `traffic` along each channel's forecast
       * traffic (learned from the requests of previous days, linear until a day has been seen); `asap`
       * spends as fast as traffic allows.
       */
      pacing: z.enum(['even', 'traffic', 'asap']).default('even'),
    }),
    bid: strategySchema,
    /** Value multipliers: per channel, per daypart, per journey stage (they compose by product). */
    multipliers: multipliersSchema.optional(),
    /**
     * Shade first-price bids toward the learned win curve (fixed_cpm is never shaded). On by default: a
     * channel bids value until its curve has notices (losses included), then the learned price keeps ≥ 97% of
     * the win probability at value; in the simulator it pays 32% less per impression for 97% of the wins
     * (sim/RESULTS.md). `false` opts a campaign out.
     */
    shading: z.boolean().default(true),
    /**
     * What the campaign's results are worth, for real-time ROI per channel: a conversion posted without a
     * `value`, and a click when the campaign has no conversions in the window (prospecting, traffic).
     */
    roi: z.strictObject({ clickValue: money.optional(), conversionValue: money.optional() }).optional(),
    models: modelRefs.optional(),
    experiments: z.array(experimentSchema).optional(),
    frequencyCaps: z.array(z.strictObject({ count: z.number().int().positive(), window: duration })).default([]),
    targeting: targetingSchema,
    creatives: z.array(creativeSchema).min(1),
  })
  // Runs even when fields failed (`when`), so a file's whole-campaign errors come with its field errors in one
  // report; the value may then be malformed anywhere, hence the defensive reads.
  .superRefine(
    (c, ctx) => {
      const v: Record<string, unknown> = c;
      const budget = asRecord(v.budget);
      const shares = Object.values(asRecord(budget.channels));
      if (typeof budget.channels === 'object' && shares.every((x) => typeof x === 'number')) {
        const sum = (shares as number[]).reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > 1e-6)
          ctx.addIssue({
            code: 'custom',
            path: ['budget', 'channels'],
            message: `channel shares must sum to 1 (got ${sum.toFixed(4)})`,
          });
      }
      const { floating, exploration } = budget;
      if (typeof floating === 'number' && typeof exploration === 'number' && floating + exploration > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['budget', 'floating'],
          message: `floating (${floating}) and exploration (${exploration}) cannot exceed the whole budget`,
        });
      }
      const seen = new Set<unknown>();
      (Array.isArray(v.creatives) ? (v.creatives as unknown[]) : []).forEach((cr, i) => {
        const crId = asRecord(cr).id;
        if (typeof crId !== 'string') return;
        if (seen.has(crId))
          ctx.addIssue({ code: 'custom', path: ['creatives', i, 'id'], message: `duplicate creative id ${crId}` });
        seen.add(crId);
      });
      const { start, end } = asRecord(v.flight);
      if (typeof start === 'string' && typeof end === 'string' && Date.parse(end) <= Date.parse(start)) {
        ctx.addIssue({ code: 'custom', path: ['flight', 'end'], message: 'flight end must be after start' });
      }
      if (typeof v.timezone === 'string') {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: v.timezone });
        } catch {
          ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone ${v.timezone}` });
        }
      }
    },
    { when: () => true },
  );

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export type BidderConfig = z.infer<typeof bidderSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
export type CampaignConfig = z.infer<typeof campaignSchema>;
export type CreativeConfig = z.infer<typeof creativeSchema>;
