/**
 * The compiled targeting index of one config snapshot.
 *
 * Each indexed dimension maps a request value to the bitset of campaigns that accept it; campaigns with no
 * restriction on a dimension are OR'ed into every value's bitset at build time (and form the `any` set
 * used for values no campaign names), so a lookup is one Map get:
 *
 *   request ──▶ channel ∧ country ∧ device type ∧ inventory kind ∧ domain|bundle   (request bits)
 *   imp     ──▶ request bits ∧ (∨ sizes of banner.formats, video, native)          (imp bits)
 *
 * Selection cost is a few hundred word operations at 10,000 campaigns plus the residual checks
 * (`residual.ts`) on the campaigns that survive, so it grows with matches, not with the campaign count.
 */
import type { BidRequest, Imp } from '../openrtb/types.js';
import { andInto, bitsetWords, orInto, setBit, type Bitset } from './bitset.js';
import type { Campaign } from './model.js';

class Dimension<K> {
  readonly any: Bitset;
  readonly #byValue = new Map<K, Bitset>();

  constructor(words: number) {
    this.any = new Uint32Array(words);
  }

  /** Marks campaign `i` as accepting `values`, or every value when `values` is undefined. */
  add(i: number, values: Iterable<K> | undefined): void {
    if (values === undefined) {
      setBit(this.any, i);
      return;
    }
    for (const v of values) {
      let b = this.#byValue.get(v);
      if (b === undefined) {
        b = new Uint32Array(this.any.length);
        this.#byValue.set(v, b);
      }
      setBit(b, i);
    }
  }

  /** Folds the unrestricted campaigns into every value's set; call once after all `add`s. */
  seal(): void {
    for (const b of this.#byValue.values()) orInto(b, this.any);
  }

  lookup(value: K | undefined): Bitset {
    if (value === undefined) return this.any;
    return this.#byValue.get(value) ?? this.any;
  }
}

function sizeKey(w: number, h: number): number {
  return w * 65536 + h;
}

const kVideoKey = -1;
const kNativeKey = -2;

export class TargetingIndex {
  readonly campaigns: readonly Campaign[];
  readonly words: number;
  readonly #channel: Dimension<string>;
  readonly #country: Dimension<string>;
  readonly #deviceType: Dimension<number>;
  readonly #inventory: Dimension<string>;
  readonly #domain: Dimension<string>;
  readonly #bundle: Dimension<string>;
  /** Sizes and media types: campaign i is in a set only when one of its creatives fits. */
  readonly #formats = new Map<number, Bitset>();
  readonly #empty: Bitset;
  /** Scratch space reused by every selection: the bid path is synchronous between awaits. */
  readonly #requestBits: Bitset;
  readonly #impBits: Bitset;
  readonly #formatBits: Bitset;

  constructor(campaigns: readonly Campaign[]) {
    this.campaigns = campaigns;
    const words = bitsetWords(campaigns.length);
    this.words = words;
    this.#channel = new Dimension(words);
    this.#country = new Dimension(words);
    this.#deviceType = new Dimension(words);
    this.#inventory = new Dimension(words);
    this.#domain = new Dimension(words);
    this.#bundle = new Dimension(words);
    this.#empty = new Uint32Array(words);
    this.#requestBits = new Uint32Array(words);
    this.#impBits = new Uint32Array(words);
    this.#formatBits = new Uint32Array(words);
    for (const c of campaigns) {
      if (!c.active) continue;
      const t = c.targeting;
      this.#channel.add(c.index, t.channels ?? c.channelShares.keys());
      this.#country.add(c.index, t.countries);
      this.#deviceType.add(c.index, t.deviceTypes);
      this.#inventory.add(c.index, t.inventory);
      // A domain allow-list puts the campaign only under those domains; app traffic has no domain, so a
      // campaign with a domain allow-list and no bundle allow-list never matches apps, and vice versa.
      this.#domain.add(c.index, t.domainAllow);
      this.#bundle.add(c.index, t.bundleAllow);
      for (const cr of c.creatives) {
        const key = cr.format === 'video' ? kVideoKey : cr.format === 'native' ? kNativeKey : sizeKey(cr.w, cr.h);
        let b = this.#formats.get(key);
        if (b === undefined) {
          b = new Uint32Array(words);
          this.#formats.set(key, b);
        }
        setBit(b, c.index);
      }
    }
    this.#channel.seal();
    this.#country.seal();
    this.#deviceType.seal();
    this.#inventory.seal();
    this.#domain.seal();
    this.#bundle.seal();
  }

  /**
   * The campaigns whose request-level indexed targeting accepts this request, written into the returned
   * scratch bitset (valid until the next call).
   */
  requestBits(req: BidRequest, channelId: string): Bitset {
    const bits = this.#requestBits;
    bits.set(this.#channel.lookup(channelId));
    andInto(bits, this.#country.lookup(req.device?.geo?.country ?? req.user?.geo?.country));
    andInto(bits, this.#deviceType.lookup(req.device?.devicetype));
    const inv = req.inventory;
    andInto(bits, this.#inventory.lookup(inv?.kind));
    if (inv?.kind === 'app') {
      andInto(bits, this.#bundle.lookup(inv.bundle));
      andInto(bits, this.#domain.any);
    } else {
      andInto(bits, this.#domain.lookup(inv?.domain === undefined ? undefined : normaliseDomain(inv.domain)));
      andInto(bits, this.#bundle.any);
    }
    return bits;
  }

  /** The request scratch bitset set to exactly `indices`. */
  bitsOf(indices: readonly number[]): Bitset {
    const bits = this.#requestBits;
    bits.fill(0);
    for (const i of indices) setBit(bits, i);
    return bits;
  }

  /** `request` ∧ the campaigns with a creative that fits one of the imp's formats (scratch, like above). */
  impBits(request: Bitset, imp: Imp): Bitset {
    const fmt = this.#formatBits;
    fmt.fill(0);
    const banner = imp.banner;
    if (banner !== undefined) {
      for (const f of banner.formats) {
        const b = this.#formats.get(sizeKey(f.w, f.h));
        if (b !== undefined) orInto(fmt, b);
      }
    }
    if (imp.video !== undefined) orInto(fmt, this.#formats.get(kVideoKey) ?? this.#empty);
    if (imp.native !== undefined) orInto(fmt, this.#formats.get(kNativeKey) ?? this.#empty);
    const out = this.#impBits;
    out.set(request);
    andInto(out, fmt);
    return out;
  }
}

/** `www.example.com` and `example.com` target the same site; case never matters in host names. */
export function normaliseDomain(domain: string): string {
  const d = domain.toLowerCase();
  return d.startsWith('www.') ? d.slice(4) : d;
}
