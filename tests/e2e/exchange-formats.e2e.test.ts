/**
 * Exchanges that don't speak plain JSON: protobuf requests answered in protobuf, gzip bodies (and gzip
 * bombs), gzip responses, and encrypted `${AUCTION_PRICE}` on a channel configured for it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openrtb } from '../../src/openrtb/proto/generated/openrtb.js';
import { createPriceCrypter, decodeWebSafeBase64 } from '../../src/notices/price-crypto.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { jsonToProtoRequest } from '../helpers/proto.js';

const pb = openrtb;
const vectors = JSON.parse(readFileSync(new URL('../fixtures/price-crypto-vectors.json', import.meta.url), 'utf8')) as {
  encryption_key_websafe_b64: string;
  integrity_key_websafe_b64: string;
};

let cfg: TempConfig;
let b: TestBidder;
beforeAll(async () => {
  cfg = tempConfig();
  // ssp-beta sends encrypted prices with the published test keys.
  const channels = readFileSync(join(cfg.dir, 'channels.yaml'), 'utf8').replace(
    '  - id: ssp-beta\n',
    `  - id: ssp-beta\n    priceMacro: { style: encrypted, encryptionKey: "${vectors.encryption_key_websafe_b64}", integrityKey: "${vectors.integrity_key_websafe_b64}" }\n`,
  );
  cfg.write('channels.yaml', channels);
  b = await startBidder(cfg.dir);
});
afterAll(async () => {
  await b.stop();
  cfg.cleanup();
});

describe('protobuf', () => {
  it('answers a protobuf request (application/octet-stream) with a protobuf response', async () => {
    const body = pb.BidRequest.encode(jsonToProtoRequest(sampleBannerRequest('proto-1'))).finish();
    const res = await b.bid('ssp-alpha', body, { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const decoded = pb.BidResponse.decode(new Uint8Array(await res.arrayBuffer()));
    expect(decoded.id).toBe('proto-1');
    expect(decoded.seatbid?.[0]?.bid?.[0]).toMatchObject({ impid: '1', w: 300, h: 250 });
    expect(decoded.seatbid?.[0]?.bid?.[0]?.price).toBeGreaterThan(0.5);
  });
  it('answers truncated protobuf with 400, counted', async () => {
    const body = pb.BidRequest.encode(jsonToProtoRequest(sampleBannerRequest('proto-2'))).finish();
    const res = await b.bid('ssp-alpha', body.subarray(0, body.length - 5), {
      'content-type': 'application/octet-stream',
    });
    expect(res.status).toBe(400);
    expect(
      await b.metric('peregrine_bid_requests_total', { channel: 'ssp-alpha', outcome: 'bad_request' }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('gzip', () => {
  it('inflates gzip bodies and gzips large responses when accepted', async () => {
    const res = await b.bid('ssp-alpha', gzipSync(JSON.stringify(sampleBannerRequest('gz-1'))), {
      'content-encoding': 'gzip',
      'accept-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    // fetch inflates transparently when content-encoding says gzip.
    expect(((await res.json()) as { id: string }).id).toBe('gz-1');
  });
  it('refuses a gzip bomb with 413 and corrupt gzip with 400', async () => {
    // That the inflate stops at the limit instead of inflating all 20 MB is tests/unit/http/inflate.test.ts's.
    const bomb = gzipSync(Buffer.alloc(20_000_000));
    expect(bomb.length).toBeLessThan(65_536);
    expect((await b.bid('ssp-alpha', bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await b.bid('ssp-alpha', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await b.bid('ssp-alpha', Buffer.from('{}'), { 'content-encoding': 'br' })).status).toBe(415);
  });
  it('gzipped responses are real gzip', async () => {
    const raw = await fetch(`${b.url}/bid/ssp-alpha`, {
      method: 'POST',
      body: JSON.stringify(sampleBannerRequest('gz-2')),
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(raw.headers.get('vary')).toContain('Accept-Encoding');
    expect(((await raw.json()) as { id: string }).id).toBe('gz-2');
  });
});

describe('encrypted prices', () => {
  it('settles an encrypted clearing price on a channel configured for it, and refuses tampering', async () => {
    const res = await b.bid('ssp-beta', sampleBannerRequest('enc-1'));
    expect(res.status).toBe(200);
    const bid = ((await res.json()) as { seatbid: { bid: { cid: string; nurl: string; price: number }[] }[] })
      .seatbid[0]!.bid[0]!;
    const crypter = createPriceCrypter({
      encryptionKey: decodeWebSafeBase64(vectors.encryption_key_websafe_b64),
      integrityKey: decodeWebSafeBase64(vectors.integrity_key_websafe_b64),
    });
    const clearing = Math.round(bid.price * 0.8 * 1e6);
    const enc = crypter.encrypt(clearing, Buffer.alloc(16, 7));
    const spend = () => b.metric('peregrine_spend_micros_total', { campaign: bid.cid, channel: 'ssp-beta' });
    const before = await spend();
    const url = (p: string) => bid.nurl.replace('http://localhost:8080', b.url).replace('${AUCTION_PRICE}', p);
    const tampered = enc.slice(0, 20) + (enc[20] === 'A' ? 'B' : 'A') + enc.slice(21);
    expect((await fetch(url(tampered))).status).toBe(400);
    expect((await fetch(url(enc))).status).toBe(200);
    expect(await spend()).toBeCloseTo(before + clearing / 1e3, 3);
  });
});
