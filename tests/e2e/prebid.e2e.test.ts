/**
 * Prebid.js, a client we did not write, in a real browser: the demo page's three ad units run a Prebid
 * auction against the bidder's `prebid` channel, pick our bids, render our creatives with the price macro
 * filled, and the billing pixels our creatives fire move spend exactly once. Needs Chromium (tests/helpers/chromium.ts
 * finds it; `npm test` installs Debian's when it runs as root); every request to a non-loopback host is blocked.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startDemo, type Demo } from '../../examples/prebid/demo-server.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { kTestEnv } from '../helpers/bidder.js';
import { findChromium, kChromiumMissing } from '../helpers/chromium.js';
import { freePort } from '../helpers/redis.js';

const kOut = join(process.cwd(), 'test-output');

let cfg: TempConfig;
let demo: Demo;
let browser: Browser;
let pageOrigin: string;

beforeAll(async () => {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error(kChromiumMissing);
  const [pagePort, bidderPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  pageOrigin = `http://127.0.0.1:${pagePort}`;
  cfg = tempConfig();
  cfg.write(
    'channels.yaml',
    readFileSync(join(cfg.dir, 'channels.yaml'), 'utf8').replace(
      'origins: [http://localhost:5180, http://127.0.0.1:5180]',
      `origins: [${pageOrigin}]`,
    ),
  );
  demo = await startDemo({
    configDir: cfg.dir,
    pagePort,
    bidderPort,
    opsPort,
    env: kTestEnv,
    logger: pino({ level: 'silent' }),
  });
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  cfg?.cleanup();
});

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${demo.app.opsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

describe('Prebid.js in headless Chromium', () => {
  it('picks our bid for every unit, renders the creative with the price filled, and bills once each', async () => {
    const context = await browser.newContext();
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost' || route.request().url().startsWith('data:'))
        return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(demo.pageUrl);
    await page.waitForFunction(
      () => (globalThis as unknown as { peregrineDone?: boolean }).peregrineDone === true,
      undefined,
      { timeout: 20_000 },
    );
    const winners = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            peregrineWinners: Record<string, { bidder: string; cpm: number; width: number; height: number } | null>;
          }
        ).peregrineWinners,
    );
    expect(winners).toEqual({
      'homepage-mrec': expect.objectContaining({ bidder: 'peregrine', cpm: 3.5, width: 300, height: 250 }),
      'homepage-leaderboard': expect.objectContaining({ bidder: 'peregrine', cpm: 3.5, width: 728, height: 90 }),
      'mobile-banner': expect.objectContaining({ bidder: 'peregrine', cpm: 3.5, width: 320, height: 50 }),
    });
    for (const code of ['homepage-mrec', 'homepage-leaderboard', 'mobile-banner']) {
      // Prebid renders the ad markup in an iframe (srcdoc) inside the slot's frame.
      const price = page.frameLocator(`#${code}-frame`).frameLocator('iframe').locator('.peregrine-price');
      await expect
        .poll(async () => price.textContent({ timeout: 2_000 }).catch(() => null), { timeout: 10_000 })
        .toBe('paid 3.5 CPM');
    }
    // Each creative's billing pixel (and Prebid's own burl, if it fires one) must count exactly once.
    await expect
      .poll(() => metric('peregrine_notices_total', { type: 'bill', outcome: 'ok' }), { timeout: 10_000 })
      .toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await metric('peregrine_notices_total', { type: 'bill', outcome: 'ok' })).toBe(3);
    expect(await metric('peregrine_spend_micros_total', { campaign: 'peregrine-demo', channel: 'prebid' })).toBe(
      3 * 3500,
    );
    mkdirSync(kOut, { recursive: true });
    await page.screenshot({ path: join(kOut, 'prebid-demo.png'), fullPage: true });
    await context.close();
  });

  it('answers an unknown bidder code with an empty seatbid, counted', async () => {
    const req = {
      id: 'pb-unknown',
      imp: [
        {
          id: 'homepage-mrec',
          banner: { format: [{ w: 300, h: 250 }] },
          ext: { prebid: { bidder: { somebodyElse: { placementId: 'homepage-mrec' } } } },
        },
      ],
      tmax: 500,
    };
    const res = await fetch(demo.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: pageOrigin },
      body: JSON.stringify(req),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'pb-unknown', seatbid: [] });
    expect(res.headers.get('access-control-allow-origin')).toBe(pageOrigin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(
      await metric('peregrine_no_bids_total', { channel: 'prebid', reason: 'unknown_bidder' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('gives no CORS headers to an origin outside the allow-list, and answers preflights for allowed ones', async () => {
    const req = {
      id: 'pb-cors',
      imp: [
        {
          id: 'homepage-mrec',
          banner: { format: [{ w: 300, h: 250 }] },
          ext: { prebid: { bidder: { peregrine: { placementId: 'homepage-mrec' } } } },
        },
      ],
    };
    const res = await fetch(demo.endpoint, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: JSON.stringify(req),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await metric('peregrine_http_errors_total', { code: 'cors_refused' })).toBeGreaterThanOrEqual(1);
    const pre = await fetch(demo.endpoint, {
      method: 'OPTIONS',
      headers: { origin: pageOrigin, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(pageOrigin);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('rejects malformed Prebid extensions with 400 naming the field', async () => {
    const req = {
      id: 'pb-bad',
      imp: [{ id: 'x', banner: { format: [{ w: 300, h: 250 }] }, ext: { prebid: { bidder: 'peregrine' } } }],
    };
    const res = await fetch(demo.endpoint, { method: 'POST', body: JSON.stringify(req) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ path: 'imp[0].ext.prebid.bidder' });
  });

  it('keeps exchange channels plain OpenRTB: no Prebid shaping, no CORS', async () => {
    const req = {
      id: 'ex-1',
      imp: [{ id: '1', banner: { w: 300, h: 250 }, ext: { prebid: { bidder: { peregrine: {} } } } }],
      site: { domain: 'news.example' },
      device: { devicetype: 2, geo: { country: 'USA' } },
    };
    const res = await fetch(`http://127.0.0.1:${demo.app.port}/bid/ssp-alpha`, {
      method: 'POST',
      headers: { origin: pageOrigin },
      body: JSON.stringify(req),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    if (res.status === 200)
      expect(((await res.json()) as { seatbid: { seat: string }[] }).seatbid[0]!.seat).toBe('peregrine');
  });
});
