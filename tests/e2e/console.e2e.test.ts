/**
 * The console in a real browser (Debian's chromium through playwright-core): sign in with the keyboard,
 * read a campaign's figures, submit an invalid budget and see the error beside the field, submit a valid
 * one and see the bidder use it, pause the campaign and see it stop bidding. Every form control has a
 * label. Screenshots of each page go to test-output/. Every request to a non-loopback host is blocked.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { ensureConsoleBuilt } from '../helpers/console.js';

const kChromium = '/usr/bin/chromium';
const kOut = join(process.cwd(), 'test-output');
const kAdmin = 'console-browser-admin-token';

let cfg: TempConfig;
let b: TestBidder;
let browser: Browser;
// The bidder runs in virtual time: half an hour of traffic is played in a second, and the sign-in backoff is
// waited out by moving the clock rather than by sleeping.
const clock = new VirtualClock(Math.floor(Date.now() / 60_000) * 60_000 - 40 * 60_000);

beforeAll(async () => {
  if (!existsSync(kChromium))
    throw new Error(`${kChromium} is missing: install Debian's chromium (apt-get install -y chromium)`);
  mkdirSync(kOut, { recursive: true });
  await ensureConsoleBuilt();
  cfg = tempConfig();
  for (const f of readdirSync(join(cfg.dir, 'campaigns')))
    if (f !== 'acme-prospecting.yaml' && f !== 'volt-desktop.yaml') cfg.remove(`campaigns/${f}`);
  b = await startBidder(cfg.dir, { env: { PEREGRINE_ADMIN_TOKEN: kAdmin }, clock });
  browser = await chromium.launch({
    executablePath: kChromium,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await b?.stop();
  cfg?.cleanup();
});

/** The campaign that won a banner auction on ssp-alpha, or undefined for a no-bid. */
async function winner(): Promise<{ cid: string; price: number; burl: string } | undefined> {
  const r = await b.bid('ssp-alpha', sampleBannerRequest());
  if (r.status !== 200) return undefined;
  return ((await r.json()) as { seatbid: { bid: { cid: string; price: number; burl: string }[] }[] }).seatbid[0]
    ?.bid[0];
}

async function unlabelled(page: Page): Promise<string[]> {
  // Every form control needs a label (or an aria-label): a screen reader must say what it is for.
  return page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML)`);
}

describe('the console in headless Chromium', () => {
  it('signs in, reads figures, refuses a bad budget at its field, applies a good one, and pauses', async () => {
    // Half an hour of traffic first, so the figures have something to show: a few auctions a minute on
    // ssp-alpha, every win billed, the console sampling once a minute.
    let won: Awaited<ReturnType<typeof winner>>;
    let billed = 0;
    for (let m = 0; m < 30; m++) {
      clock.advance(60_000);
      for (let i = 0; i < 4 + (m % 3); i++) {
        const w = await winner();
        if (w === undefined) continue;
        won ??= w;
        const url = w.burl.replace('${AUCTION_PRICE}', String(w.price)).replace(/^https?:\/\/[^/]+/, b.url);
        expect((await fetch(url)).status).toBeLessThan(300);
        if (w.cid === 'acme-prospecting') billed += w.price / 1000;
      }
      await b.app.console.figures.tick();
    }
    expect(won?.cid).toBe('acme-prospecting');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost') return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${b.opsUrl}/console/`);

    // Sign in with the keyboard only: skip link, token, name, Enter.
    await page.getByLabel('Access token (admin or read-only)').waitFor();
    expect(await unlabelled(page)).toEqual([]);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('token');
    await page.keyboard.type('wrong-token');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('wrong token');
    await page.screenshot({ path: join(kOut, 'console-sign-in.png') });
    // The failure slowed this address down: wait out the backoff (virtual time), then sign in properly.
    clock.advance(1_100);
    await page.getByLabel('Access token (admin or read-only)').fill(kAdmin);
    await page.getByLabel('Your name (for the audit log)').fill('Browser Buyer');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'pg_console')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    await page.locator('tr[data-campaign="acme-prospecting"]').waitFor();
    await expect
      .poll(() => page.getByTestId('freshness').textContent(), { timeout: 10_000 })
      .toContain('Figures as of');
    await page.screenshot({ path: join(kOut, 'console-overview.png'), fullPage: true });

    // The campaign page: the fleet's spend on ssp-alpha is the billed price.
    await page.getByRole('link', { name: 'acme-prospecting' }).click();
    await page.getByRole('heading', { name: 'Campaign acme-prospecting' }).waitFor();
    const spent = billed.toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: billed < 1 ? 4 : 2,
    });
    await expect
      .poll(() => page.getByTestId('spent-ssp-alpha').textContent(), { timeout: 10_000 })
      .toBe(`${spent} USD`);
    expect(await unlabelled(page)).toEqual([]);
    await page.screenshot({ path: join(kOut, 'console-campaign.png'), fullPage: true });

    // An invalid budget: the error sits beside the field, the file is untouched.
    const daily = page.getByLabel('Daily budget', { exact: true });
    await daily.fill('-5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const fieldError = page.locator('[data-error-for="budget.daily"]');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/>0|positive|too small/i);
    expect(await daily.getAttribute('aria-invalid')).toBe('true');
    expect(await daily.getAttribute('aria-describedby')).toBe(await fieldError.getAttribute('id'));
    await page.screenshot({ path: join(kOut, 'console-invalid-budget.png'), fullPage: true });
    expect(readFileSync(join(cfg.dir, 'campaigns/acme-prospecting.yaml'), 'utf8')).toContain('daily: 600');

    // A valid budget: written, reloaded, and the bidder's live config says so.
    await daily.fill('725');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.getByTestId('edit-message').textContent(), { timeout: 10_000 })
      .toContain('budget.daily');
    const live = (await (
      await fetch(`${b.opsUrl}/admin/spend`, { headers: { authorization: `Bearer ${kAdmin}` } })
    ).json()) as { rows: { campaign: string; channel: string; dailyBudget: number }[] };
    const alpha = live.rows.find((r) => r.campaign === 'acme-prospecting' && r.channel === 'ssp-alpha')!;
    // ssp-alpha's base share is 0.4 of the new daily budget.
    expect(alpha.dailyBudget).toBeCloseTo(725 * 0.4, 6);
    await expect.poll(() => page.getByTestId('daily-budget').textContent(), { timeout: 10_000 }).toBe('725.00 USD');
    expect(readFileSync(join(cfg.dir, 'campaigns/acme-prospecting.yaml'), 'utf8')).toContain('daily: 725');

    // Pause: the campaign stops bidding. (Right after a reload the first request may find the new config's
    // lease still on its way and not bid: a few requests each way.)
    const winners = async (n: number) => {
      const cids: (string | undefined)[] = [];
      for (let i = 0; i < n; i++) cids.push((await winner())?.cid);
      return cids;
    };
    expect(await winners(5)).toContain('acme-prospecting');
    await page.getByRole('button', { name: 'Pause campaign' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 10_000 }).toBe('paused');
    expect(await winners(5)).not.toContain('acme-prospecting');
    await page.getByRole('button', { name: 'Resume campaign' }).waitFor();
    await page.screenshot({ path: join(kOut, 'console-paused.png'), fullPage: true });

    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await context.close();
  }, 120_000);
});
