/**
 * The bid request and response as the bidder sees them inside: plain typed objects produced by the JSON
 * decoder (`decode-json.ts`) and the protobuf decoder (`proto/`), so everything after decoding is shared.
 *
 * Field names follow OpenRTB 2.6 (§3.2) so that the spec is the documentation. Only fields the bidder
 * reads are kept; unknown fields are skipped by the decoders (OpenRTB 2.6 §2.6: "unknown fields must be
 * ignored"). Every optional scalar is `undefined` when absent, never a sentinel, except the few fields the
 * spec gives a default (`at` = 2, `secure`/`instl` = 0, `bidfloor` = 0, `bidfloorcur` = "USD"), which the
 * decoders fill in so the auction never re-derives them.
 *
 * Privacy signals are normalised by the decoders: `regs.gdpr`, `regs.us_privacy` and `user.consent` are read
 * from their 2.6 location first, then from the pre-2.6 `ext` location (2.5 and earlier).
 */

export interface Format {
  readonly w: number;
  readonly h: number;
}

export interface Banner {
  /** Every acceptable size: `format[]`, plus `w`×`h` when given (OpenRTB 2.6 §3.2.6). */
  readonly formats: readonly Format[];
  readonly w: number | undefined;
  readonly h: number | undefined;
  readonly battr: readonly number[] | undefined;
  readonly pos: number | undefined;
}

export interface Video {
  readonly mimes: readonly string[];
  readonly protocols: readonly number[] | undefined;
  readonly minduration: number | undefined;
  readonly maxduration: number | undefined;
  readonly w: number | undefined;
  readonly h: number | undefined;
  readonly startdelay: number | undefined;
  /** 2.6 `plcmt`; falls back to nothing (the deprecated `placement` is kept separately). */
  readonly plcmt: number | undefined;
  readonly placement: number | undefined;
  readonly linearity: number | undefined;
  readonly battr: readonly number[] | undefined;
}

export interface Audio {
  readonly mimes: readonly string[];
  readonly minduration: number | undefined;
  readonly maxduration: number | undefined;
  readonly protocols: readonly number[] | undefined;
}

export interface Native {
  /** The Native Ad request markup, a JSON string (Native 1.2 §4.1). Kept as text: parsed only when bid on. */
  readonly request: string;
  readonly ver: string | undefined;
  readonly battr: readonly number[] | undefined;
}

export interface Deal {
  readonly id: string;
  readonly bidfloor: number;
  readonly bidfloorcur: string;
  /** Deal-level auction type, when it overrides the request's. */
  readonly at: number | undefined;
  readonly wseat: readonly string[] | undefined;
}

export interface Pmp {
  readonly private_auction: boolean;
  readonly deals: readonly Deal[];
}

export interface Imp {
  readonly id: string;
  readonly banner: Banner | undefined;
  readonly video: Video | undefined;
  readonly audio: Audio | undefined;
  readonly native: Native | undefined;
  readonly pmp: Pmp | undefined;
  readonly tagid: string | undefined;
  readonly bidfloor: number;
  readonly bidfloorcur: string;
  readonly secure: boolean;
  readonly instl: boolean;
  /** `imp.ext`, kept raw for channel dialects (Prebid reads `imp.ext.prebid.bidder`). */
  readonly ext: Readonly<Record<string, unknown>> | undefined;
}

export interface Publisher {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly domain: string | undefined;
}

/** `site`, `app` and `dooh` share what the bidder targets on; `kind` says which one the request carried. */
export interface Inventory {
  readonly kind: 'site' | 'app' | 'dooh';
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly domain: string | undefined;
  readonly page: string | undefined;
  readonly bundle: string | undefined;
  readonly cat: readonly string[] | undefined;
  readonly publisher: Publisher | undefined;
}

export interface Geo {
  readonly country: string | undefined;
  readonly region: string | undefined;
  readonly city: string | undefined;
  readonly lat: number | undefined;
  readonly lon: number | undefined;
  readonly utcoffset: number | undefined;
}

export interface Device {
  readonly ua: string | undefined;
  readonly ip: string | undefined;
  readonly ipv6: string | undefined;
  readonly geo: Geo | undefined;
  readonly devicetype: number | undefined;
  readonly os: string | undefined;
  readonly osv: string | undefined;
  readonly make: string | undefined;
  readonly model: string | undefined;
  readonly ifa: string | undefined;
  readonly lmt: boolean;
  readonly dnt: boolean;
  readonly language: string | undefined;
}

export interface Uid {
  readonly id: string;
  readonly atype: number | undefined;
}

export interface Eid {
  readonly source: string;
  readonly uids: readonly Uid[];
}

export interface User {
  readonly id: string | undefined;
  readonly buyeruid: string | undefined;
  /** TCF consent string: `user.consent` (2.6), else `user.ext.consent`. */
  readonly consent: string | undefined;
  readonly eids: readonly Eid[];
  readonly geo: Geo | undefined;
}

export interface Regs {
  readonly coppa: boolean;
  /** `regs.gdpr` (2.6), else `regs.ext.gdpr`; `undefined` when the exchange does not know. */
  readonly gdpr: boolean | undefined;
  readonly us_privacy: string | undefined;
  readonly gpp: string | undefined;
  readonly gpp_sid: readonly number[] | undefined;
}

export interface SupplyChainNode {
  readonly asi: string;
  readonly sid: string;
  readonly hp: boolean;
}

export interface Source {
  readonly tid: string | undefined;
  readonly fd: boolean | undefined;
  readonly schain: { readonly complete: boolean; readonly nodes: readonly SupplyChainNode[] } | undefined;
}

export interface BidRequest {
  readonly id: string;
  readonly imp: readonly Imp[];
  readonly inventory: Inventory | undefined;
  readonly device: Device | undefined;
  readonly user: User | undefined;
  readonly regs: Regs;
  readonly source: Source | undefined;
  /** 1 = first price, 2 = second price plus (default 2, OpenRTB 2.6 §3.2.1). */
  readonly at: number;
  readonly tmax: number | undefined;
  readonly cur: readonly string[] | undefined;
  readonly bcat: readonly string[] | undefined;
  readonly badv: readonly string[] | undefined;
  readonly bapp: readonly string[] | undefined;
  readonly battr: readonly number[] | undefined;
  readonly wseat: readonly string[] | undefined;
  readonly bseat: readonly string[] | undefined;
  readonly test: boolean;
  /** `ext` of the request, kept raw for channel dialects. */
  readonly ext: Readonly<Record<string, unknown>> | undefined;
}

/** OpenRTB 2.6 §5.6 / AdCOM creative types, as `bid.mtype`. */
export const enum MarkupType {
  Banner = 1,
  Video = 2,
  Audio = 3,
  Native = 4,
}

export interface Bid {
  readonly id: string;
  readonly impid: string;
  /** CPM in the response currency (an edge value: inside, money is micros). */
  readonly price: number;
  readonly adm: string | undefined;
  readonly nurl: string | undefined;
  readonly burl: string | undefined;
  readonly lurl: string | undefined;
  readonly adomain: readonly string[];
  readonly cid: string;
  readonly crid: string;
  readonly cat: readonly string[] | undefined;
  readonly dealid: string | undefined;
  readonly w: number | undefined;
  readonly h: number | undefined;
  readonly mtype: MarkupType;
  readonly exp: number | undefined;
  /**
   * Encoding shortcuts for bids the bidder built itself: `adm` already as a JSON string literal, and
   * whether nurl/burl/lurl are known to need no JSON escaping. Optional: decoded or hand-built bids omit them.
   */
  readonly admJson?: string;
  readonly urlsSafe?: boolean;
}

export interface SeatBid {
  readonly seat: string | undefined;
  readonly bid: readonly Bid[];
}

export interface BidResponse {
  readonly id: string;
  readonly bidid: string | undefined;
  readonly cur: string;
  readonly seatbid: readonly SeatBid[];
  /** No-bid reason (OpenRTB 2.6 §5.24), only on an empty response. */
  readonly nbr: number | undefined;
}
