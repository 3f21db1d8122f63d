/**
 * `promtool check metrics` on a real scrape (after a bid and its billing notice, so labelled series exist) and
 * `promtool check rules` on the alert rules. promtool ships in Debian's `prometheus` package; where it is not
 * installed these two checks do not run (vitest reports them skipped) and tests/unit/metrics/deploy.test.ts
 * still applies the same naming rules in JavaScript.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';

const promtool = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'promtool'))
  .find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

describe.runIf(promtool !== undefined)('promtool', () => {
  let cfg: TempConfig;
  let b: TestBidder;
  beforeAll(async () => {
    cfg = tempConfig();
    b = await startBidder(cfg.dir);
  });
  afterAll(async () => {
    await b.stop();
    cfg.cleanup();
  });

  it('accepts a real /metrics scrape', async () => {
    // The first request after start can miss its deadline while the code is cold (a no-bid, reason
    // "deadline"): that is not what this test is about, so it bids until one answers 200.
    // Second price (floor 0.50), so the notice's 1.50 is a price the exchange could charge: a first-price
    // notice below our bid is refused (docs/notice-prices.md).
    const req = () => ({ ...sampleBannerRequest(), at: 2 });
    let res = await b.bid('ssp-alpha', req());
    for (let i = 0; i < 5 && res.status === 204; i++) res = await b.bid('ssp-alpha', req());
    expect(res.status).toBe(200);
    const bid = ((await res.json()) as { seatbid: { bid: { burl: string }[] }[] }).seatbid[0]!.bid[0]!;
    const burl = bid.burl.replace('http://localhost:8080', b.url).replace('${AUCTION_PRICE}', '1.5');
    expect((await fetch(burl)).status).toBe(200);
    const scrape = await (await fetch(`${b.opsUrl}/metrics`)).text();
    expect(scrape).toMatch(/^peregrine_spend_micros_total\{[^}]+\} 1500$/m);
    const r = spawnSync(promtool!, ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('accepts the alert rules', () => {
    const rules = join(import.meta.dirname, '..', '..', 'deploy', 'prometheus', 'alerts.yaml');
    const r = spawnSync(promtool!, ['check', 'rules', rules], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});
