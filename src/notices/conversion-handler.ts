/**
 * Conversion postbacks from advertisers: authenticate (`postback-auth.ts`), attribute, de-duplicate, count.
 *
 *   adv    advertiser id (bidder.yaml `conversions.advertisers`)       required
 *   id     the advertiser's conversion id, de-duplicated per adv      required
 *   clid   our click id (`pgclid` on the landing page)                 clid or person
 *   person a person id: credited to their last click on adv's campaigns, else accepted unattributed
 *   value  decimal in the account currency, ≥ 0 (default: the campaign's `roi.conversionValue`)
 *   token | sig                                                         see postback-auth.ts
 *
 * Nothing is looked up before the advertiser is authenticated. A click id that is unknown, expired or
 * another advertiser's is 404 (the same answer for all three, so ids cannot be probed across advertisers),
 * and it is not marked seen: a corrected retry still counts. A store failure is 503, so the advertiser
 * retries.
 */
import type { Clock } from '../clock.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { ClickRecord, ClickStore, DedupStore } from '../store/ports.js';
import { verifyPostback } from './postback-auth.js';

/** Conversion postbacks: credited to a click, accepted without one, or refused (and why). */
export type ConversionOutcome =
  | 'attributed'
  | 'unattributed'
  | 'duplicate'
  | 'bad_request'
  | 'no_credentials'
  | 'bad_credentials'
  | 'unknown_click'
  | 'error';

/** The postback's parameters, each name once (the endpoint refuses repeats). */
export type ConversionParams = ReadonlyMap<string, string>;

export interface ConversionResult {
  readonly status: 200 | 204 | 400 | 401 | 403 | 404 | 503;
  readonly outcome: ConversionOutcome;
  /** For 400: the parameter at fault and what was expected. */
  readonly param?: string;
  readonly why?: string;
}

export interface AcceptedConversion {
  readonly advertiserId: string;
  readonly conversionId: string;
  /** The click it is credited to; undefined for an unattributed conversion. */
  readonly click: (ClickRecord & { readonly clickId: string }) | undefined;
  readonly valueMicros: number;
  readonly nowMs: number;
}

export interface ConversionEvents {
  /** Every postback, with the conversion when it was accepted or a duplicate. */
  onConversion(outcome: ConversionOutcome, conversion: AcceptedConversion | undefined): void;
}

export interface ConversionDeps {
  readonly clock: Clock;
  readonly config: { readonly current: ConfigSnapshot };
  readonly clicks: ClickStore;
  readonly dedup: DedupStore;
  readonly events: ConversionEvents;
}

const kAdv = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const kConversionId = /^[\x21-\x7e]{1,128}$/;
const kClickId = /^[A-Za-z0-9_-]{1,64}$/;
const kPerson = /^[\x21-\x7e]{1,256}$/;
/** Up to 10⁹ currency units with micro precision: the micros stay a safe integer. */
const kValue = /^(\d{1,9})(?:\.(\d{0,6}))?$/;

export class ConversionHandler {
  readonly #d: ConversionDeps;

  constructor(deps: ConversionDeps) {
    this.#d = deps;
  }

  async handle(p: ConversionParams): Promise<ConversionResult> {
    const d = this.#d;
    const snap = d.config.current;
    const now = d.clock.now();
    const adv = p.get('adv');
    if (adv === undefined || !kAdv.test(adv)) return this.#bad('adv', 'expected an advertiser id');
    const auth = verifyPostback(p, snap.advertisers.byId.get(adv));
    if (auth !== 'ok')
      return this.#done(auth === 'missing' ? 401 : 403, auth === 'missing' ? 'no_credentials' : 'bad_credentials');

    const conversionId = p.get('id');
    if (conversionId === undefined || !kConversionId.test(conversionId))
      return this.#bad('id', 'expected the conversion id (1-128 printable characters)');
    const clid = p.get('clid');
    const person = p.get('person');
    if (clid === undefined && person === undefined) return this.#bad('clid', 'expected clid or person');
    if (clid !== undefined && !kClickId.test(clid)) return this.#bad('clid', 'expected a click id');
    if (person !== undefined && !kPerson.test(person))
      return this.#bad('person', 'expected a person id (1-256 printable characters)');
    const valueText = p.get('value');
    const value = valueText === undefined ? undefined : parseMicros(valueText);
    if (valueText !== undefined && value === undefined)
      return this.#bad('value', 'expected a non-negative decimal amount');

    let click: AcceptedConversion['click'];
    try {
      if (clid !== undefined) {
        const hit = await d.clicks.lookup(clid, now);
        if (hit === undefined || hit.advertiserId !== adv) return this.#done(404, 'unknown_click');
        click = { ...hit, clickId: clid };
      } else {
        click = await d.clicks.lastByPerson(adv, person!, now);
      }
      const accepted: AcceptedConversion = {
        advertiserId: adv,
        conversionId,
        click,
        valueMicros:
          value ??
          (click === undefined ? 0 : (snap.campaignsById.get(click.campaignId)?.roi.conversionValueMicros ?? 0)),
        nowMs: now,
      };
      if (!(await d.dedup.firstSeen(`conv:${adv}:${conversionId}`, snap.bidder.conversions.dedupTtl, now)))
        return this.#done(200, 'duplicate', accepted);
      return this.#done(204, click === undefined ? 'unattributed' : 'attributed', accepted);
    } catch {
      return this.#done(503, 'error');
    }
  }

  #bad(param: string, why: string): ConversionResult {
    this.#d.events.onConversion('bad_request', undefined);
    return { status: 400, outcome: 'bad_request', param, why };
  }

  #done(
    status: ConversionResult['status'],
    outcome: ConversionOutcome,
    conversion?: AcceptedConversion,
  ): ConversionResult {
    this.#d.events.onConversion(outcome, conversion);
    return { status, outcome };
  }
}

/** `12`, `12.5`, `0.000001` → micros, exactly (no floating point on the way). */
export function parseMicros(text: string): number | undefined {
  const m = kValue.exec(text);
  if (m === null) return undefined;
  const frac = (m[2] ?? '').padEnd(6, '0');
  return Number(m[1]) * 1_000_000 + Number(frac);
}
