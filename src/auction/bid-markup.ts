/**
 * Everything a bid carries that points back at us: the signed token, the win/bill/loss notice URLs with
 * the exchange's macros (OpenRTB 2.6 §4.4), and the creative markup with our own macros filled:
 *   {{CLICK_URL}}, {{CLICK_URL_ENC}} — our click redirect; {{BILL_URL}} — the billing pixel (impression).
 * `${AUCTION_PRICE}` and friends stay in place for the exchange to substitute.
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

export function buildLinks(publicUrl: string, claims: NoticeClaims, key: NoticeKey, markup: string, markupJson: string): BidLinks {
  const token = signToken(claims, key);
  const nurl = `${publicUrl}/notice/win?t=${token}&p=${kPrice}`;
  const burl = `${publicUrl}/notice/bill?t=${token}&p=${kPrice}`;
  const lurl = `${publicUrl}/notice/loss?t=${token}&p=${kPrice}&r=${kLoss}`;
  if (!markup.includes('{{')) return { token, nurl, burl, lurl, adm: markup, admJson: `"${markupJson}"` };
  const click = `${publicUrl}/click?t=${token}`;
  const clickEnc = encodeURIComponent(click);
  // The links are URL-safe ASCII (config base URL + base64url token): the same text is valid inside JSON.
  const fill = (s: string) => s.replaceAll('{{CLICK_URL}}', click).replaceAll('{{CLICK_URL_ENC}}', clickEnc).replaceAll('{{BILL_URL}}', burl);
  return { token, nurl, burl, lurl, adm: fill(markup), admJson: `"${fill(markupJson)}"` };
}
