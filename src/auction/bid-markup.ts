/**
 * Everything a bid carries that points back at us: the signed token, the win/bill/loss notice URLs with
 * the exchange's macros (OpenRTB 2.6 §4.4), and the creative markup with our own macros filled:
 *   {{CLICK_URL}}, {{CLICK_URL_ENC}} — our click redirect; {{BILL_URL}} — the billing pixel (impression).
 * On a channel whose exchange bills server to server (`beaconInMarkup`), the markup the page sees carries a
 * second token marked as a beacon: its {{BILL_URL}} is `/notice/imp`, which counts and never bills, and
 * the billing token never reaches the page (docs/notice-prices.md).
 * `${AUCTION_PRICE}` and friends stay in place for the exchange to substitute.
 *
 * Markup is split at our macros once (cached per markup text) and filled by concatenation, instead of
 * three `replaceAll` scans of the whole markup per bid.
 */
import type { NoticeKey } from '../config/snapshot.js';
import { signToken, type NoticeClaims } from '../notices/token.js';

export interface BidLinks {
  readonly token: string;
  readonly nurl: string;
  readonly burl: string;
  readonly lurl: string;
  readonly adm: string;
  /** `adm` as a JSON string literal, built from the pre-escaped markup (the links need no escaping). */
  readonly admJson: string;
}

const kPrice = '${AUCTION_PRICE}';
const kLoss = '${AUCTION_LOSS}';

const enum Macro {
  Click,
  ClickEnc,
  Bill,
}
const kMacros: readonly (readonly [string, Macro])[] = [
  ['{{CLICK_URL}}', Macro.Click],
  ['{{CLICK_URL_ENC}}', Macro.ClickEnc],
  ['{{BILL_URL}}', Macro.Bill],
];

/** Markup as literal text around our macros: `text[0] macro[0] text[1] … macro[n-1] text[n]`. */
interface Template {
  readonly text: readonly string[];
  readonly macro: readonly Macro[];
}

/** Bounded: markup comes from config, so only reloads with new creatives add entries. */
const kMaxTemplates = 4096;
const gTemplates = new Map<string, Template>();

function template(markup: string): Template {
  let t = gTemplates.get(markup);
  if (t !== undefined) return t;
  const text: string[] = [];
  const macro: Macro[] = [];
  let from = 0;
  for (;;) {
    let at = -1;
    let which: readonly [string, Macro] | undefined;
    for (const m of kMacros) {
      const i = markup.indexOf(m[0], from);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        which = m;
      }
    }
    if (which === undefined) break;
    text.push(markup.slice(from, at));
    macro.push(which[1]);
    from = at + which[0].length;
  }
  text.push(markup.slice(from));
  t = { text, macro };
  if (gTemplates.size >= kMaxTemplates) gTemplates.clear();
  gTemplates.set(markup, t);
  return t;
}

function fill(t: Template, click: string, clickEnc: string, bill: string): string {
  let out = t.text[0]!;
  for (let i = 0; i < t.macro.length; i++) {
    const m = t.macro[i]!;
    out += (m === Macro.Click ? click : m === Macro.ClickEnc ? clickEnc : bill) + t.text[i + 1]!;
  }
  return out;
}

export function buildLinks(
  publicUrl: string,
  claims: NoticeClaims,
  key: NoticeKey,
  markup: string,
  markupJson: string,
  beaconInMarkup = false,
): BidLinks {
  const token = signToken(claims, key);
  const nurl = `${publicUrl}/notice/win?t=${token}&p=${kPrice}`;
  const burl = `${publicUrl}/notice/bill?t=${token}&p=${kPrice}`;
  const lurl = `${publicUrl}/notice/loss?t=${token}&p=${kPrice}&r=${kLoss}`;
  if (!markup.includes('{{')) return { token, nurl, burl, lurl, adm: markup, admJson: `"${markupJson}"` };
  const pageToken = beaconInMarkup ? signToken({ ...claims, beacon: true }, key) : token;
  const pixel = beaconInMarkup ? `${publicUrl}/notice/imp?t=${pageToken}` : burl;
  const click = `${publicUrl}/click?t=${pageToken}`;
  const clickEnc = encodeURIComponent(click);
  if (publicUrl.includes('{{')) {
    // Replacing in turn lets a macro inside the base URL be filled by a later pass; keep that behaviour.
    const replace = (s: string) =>
      s.replaceAll('{{CLICK_URL}}', click).replaceAll('{{CLICK_URL_ENC}}', clickEnc).replaceAll('{{BILL_URL}}', pixel);
    return { token, nurl, burl, lurl, adm: replace(markup), admJson: `"${replace(markupJson)}"` };
  }
  // The links are URL-safe ASCII (config base URL + base64url token): the same text is valid inside JSON.
  return {
    token,
    nurl,
    burl,
    lurl,
    adm: fill(template(markup), click, clickEnc, pixel),
    admJson: `"${fill(template(markupJson), click, clickEnc, pixel)}"`,
  };
}
