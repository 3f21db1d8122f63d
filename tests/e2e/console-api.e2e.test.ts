/**
 * The console's server side against the real bidder: pages only on the ops port, sign-in for a cookie
 * session (and slowed down after a failure), CSRF and roles on writes, the figures, and edits that are
 * validated, refused on a stale ETag, written keeping the file's comments, audited and picked up live;
 * the same edits through the bearer-token admin API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { ensureConsoleBuilt } from '../helpers/console.js';

const kAdmin = 'admin-token-for-console-tests';
const kRead = 'read-token-for-console-tests';
let cfg: TempConfig;
let b: TestBidder;
// Virtual time: a loaded machine cannot push a bid past its deadline, and the sign-in backoff is waited out
// by moving the clock.
const clock = new VirtualClock(Date.now());

beforeAll(async () => {
  await ensureConsoleBuilt();
  cfg = tempConfig();
  for (const f of readdirSync(join(cfg.dir, 'campaigns')))
    if (f !== 'acme-prospecting.yaml' && f !== 'volt-desktop.yaml') cfg.remove(`campaigns/${f}`);
  // The sample bidder.yaml reads both console tokens from the environment (admin.token, admin.readToken).
  b = await startBidder(cfg.dir, { env: { PEREGRINE_ADMIN_TOKEN: kAdmin, PEREGRINE_READ_TOKEN: kRead }, clock });
});
afterAll(async () => {
  await b?.stop();
  cfg?.cleanup();
});

interface Signed {
  cookie: string;
  csrf: string;
  role: string;
}

async function signIn(token: string, name = 'tester'): Promise<Signed> {
  const res = await fetch(`${b.opsUrl}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, name }),
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrf: string; role: string };
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrf, role: body.role };
}

const call = (
  s: Signed | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(`${b.opsUrl}${path}`, {
    method,
    headers: {
      ...(s === undefined ? {} : { cookie: s.cookie, 'x-csrf-token': s.csrf }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function campaign(s: Signed, id: string) {
  const res = await call(s, 'GET', `/console/api/campaigns/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    campaign: { dailyBudget: number; active: boolean };
    channels: { id: string; spent: number; cap: number }[];
    file: { etag: string; path: string };
    asOf: { at: string | null };
  };
}

describe('console on the ops port', () => {
  it('serves the page and assets on the ops port only, with security headers', async () => {
    const page = await fetch(`${b.opsUrl}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('/console/assets/app.js');
    const js = await fetch(`${b.opsUrl}/console/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${b.opsUrl}/console/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${b.url}/console/`)).status).toBe(404);
    expect((await fetch(`${b.url}/console/api/overview`)).status).toBe(404);
  });

  it('signs in for an HttpOnly SameSite=Strict cookie, and slows down after a wrong token', async () => {
    const res = await fetch(`${b.opsUrl}/console/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: kAdmin }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^pg_console=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    const okBefore = await b.metric('peregrine_console_sign_ins_total', { outcome: 'ok' });
    const bad = await fetch(`${b.opsUrl}/console/api/session`, { method: 'POST', body: '{"token":"guess"}' });
    expect(bad.status).toBe(401);
    // Even the right token waits out the backoff.
    const slowed = await fetch(`${b.opsUrl}/console/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: kAdmin }),
    });
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await b.metric('peregrine_console_sign_ins_total', { outcome: 'bad_token' })).toBe(1);
    expect(await b.metric('peregrine_console_sign_ins_total', { outcome: 'throttled' })).toBe(1);
    clock.advance(1100);
    await signIn(kAdmin);
    expect(await b.metric('peregrine_console_sign_ins_total', { outcome: 'ok' })).toBe(okBefore + 1);
  });

  it('needs a session for data, and the CSRF header and admin role for writes', async () => {
    expect((await call(undefined, 'GET', '/console/api/overview')).status).toBe(401);
    const admin = await signIn(kAdmin);
    const reader = await signIn(kRead);
    expect(reader.role).toBe('read');
    const overview = await call(reader, 'GET', '/console/api/overview');
    expect(overview.status).toBe(200);
    const o = (await overview.json()) as { campaigns: { id: string }[]; asOf: { at: string } };
    expect(o.campaigns.map((c) => c.id).sort()).toEqual(['acme-prospecting', 'volt-desktop']);
    expect(o.asOf.at).not.toBeNull();
    const { file } = await campaign(admin, 'acme-prospecting');
    const patch = { budget: { daily: 650 } };
    const noCsrf = await fetch(`${b.opsUrl}/console/api/campaigns/acme-prospecting`, {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'if-match': file.etag },
      body: JSON.stringify(patch),
    });
    expect(noCsrf.status).toBe(403);
    const asReader = await call(reader, 'PUT', '/console/api/campaigns/acme-prospecting', patch, {
      'if-match': file.etag,
    });
    expect(asReader.status).toBe(403);
    expect((await call(admin, 'PUT', '/console/api/campaigns/acme-prospecting', patch)).status).toBe(428);
    expect(readFileSync(join(cfg.dir, file.path), 'utf8')).toContain('daily: 600');
  });

  it('reads the fleet spend from the store', async () => {
    const res = await b.bid('ssp-alpha', sampleBannerRequest());
    expect(res.status).toBe(200);
    const bid = ((await res.json()) as { seatbid: { bid: { burl: string; price: number; cid: string }[] }[] })
      .seatbid[0]!.bid[0]!;
    expect(bid.cid).toBe('acme-prospecting');
    const bill = await fetch(
      bid.burl.replace('${AUCTION_PRICE}', String(bid.price)).replace(/^https?:\/\/[^/]+/, b.url),
    );
    expect(bill.status).toBeLessThan(300);
    const admin = await signIn(kAdmin);
    // The next sample (a page asks when the last one is a minute old; force one here).
    await b.app.console.figures.tick();
    const view = await campaign(admin, 'acme-prospecting');
    const alpha = view.channels.find((c) => c.id === 'ssp-alpha')!;
    expect(alpha.spent).toBeCloseTo(bid.price / 1000, 6);
  });

  it('refuses an invalid budget at its field, writes a valid one keeping comments, audits it, and bids with it', async () => {
    const admin = await signIn(kAdmin, 'Ann Buyer');
    const { file } = await campaign(admin, 'acme-prospecting');
    const bad = await call(
      admin,
      'PUT',
      '/console/api/campaigns/acme-prospecting',
      { budget: { daily: -5 } },
      {
        'if-match': file.etag,
      },
    );
    expect(bad.status).toBe(422);
    const badBody = (await bad.json()) as { issues: { path: string; message: string }[] };
    expect(new Set(badBody.issues.map((i) => i.path))).toEqual(new Set(['budget.daily']));
    const ok = await call(
      admin,
      'PUT',
      '/console/api/campaigns/acme-prospecting',
      { budget: { daily: 750 } },
      {
        'if-match': file.etag,
      },
    );
    expect(ok.status).toBe(200);
    const okBody = (await ok.json()) as { etag: string; reload: { ok: boolean } };
    expect(okBody.reload.ok).toBe(true);
    const text = readFileSync(join(cfg.dir, file.path), 'utf8');
    expect(text).toContain('# Acme Shoes: prospecting on display');
    expect(text).toContain('daily: 750');
    expect(text).toContain('channels: { ssp-alpha: 0.4, ssp-beta: 0.4, ssp-gamma: 0.2 }');
    const cfgNow = (await (
      await fetch(`${b.opsUrl}/admin/config`, { headers: { authorization: `Bearer ${kAdmin}` } })
    ).json()) as { campaigns: { id: string; dailyBudget: number }[] };
    expect(cfgNow.campaigns.find((c) => c.id === 'acme-prospecting')!.dailyBudget).toBe(750);
    const stale = await call(
      admin,
      'PUT',
      '/console/api/campaigns/acme-prospecting',
      { budget: { daily: 800 } },
      {
        'if-match': file.etag,
      },
    );
    expect(stale.status).toBe(412);
    const audit = readFileSync(join(cfg.dir, 'audit/changes.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(audit.at(-1)!) as { who: string; diff: unknown[]; etagAfter: string };
    expect(last.who).toContain('Ann Buyer');
    expect(last.diff).toEqual([{ path: 'budget.daily', before: 600, after: 750 }]);
    expect(last.etagAfter).toBe(okBody.etag);
  });

  it('pauses a campaign so it stops bidding, and resumes it', async () => {
    const admin = await signIn(kAdmin);
    const { file } = await campaign(admin, 'acme-prospecting');
    const cidOf = async () => {
      const r = await b.bid('ssp-alpha', sampleBannerRequest());
      if (r.status !== 200) return undefined;
      return ((await r.json()) as { seatbid: { bid: { cid: string }[] }[] }).seatbid[0]?.bid[0]?.cid;
    };
    // Right after a reload the first request may find the new config's lease still on its way: a few each way.
    const cids = async (n = 5) => {
      const out: (string | undefined)[] = [];
      for (let i = 0; i < n; i++) out.push(await cidOf());
      return out;
    };
    expect(await cids()).toContain('acme-prospecting');
    const paused = await call(admin, 'POST', '/console/api/campaigns/acme-prospecting/pause', undefined, {
      'if-match': file.etag,
    });
    expect(paused.status).toBe(200);
    expect(await cids()).not.toContain('acme-prospecting');
    expect((await campaign(admin, 'acme-prospecting')).campaign.active).toBe(false);
    const resumed = await call(admin, 'POST', '/console/api/campaigns/acme-prospecting/resume');
    expect(resumed.status).toBe(200);
    expect(await cids()).toContain('acme-prospecting');
  });

  it('offers the same edits in the bearer-token admin API, described in the ops OpenAPI document', async () => {
    const auth = { authorization: `Bearer ${kAdmin}` };
    expect((await fetch(`${b.opsUrl}/admin/campaigns/volt-desktop`)).status).toBe(401);
    const got = await fetch(`${b.opsUrl}/admin/campaigns/volt-desktop`, { headers: auth });
    expect(got.status).toBe(200);
    const etag = got.headers.get('etag')!;
    const put = await fetch(`${b.opsUrl}/admin/campaigns/volt-desktop`, {
      method: 'PUT',
      headers: { ...auth, 'if-match': etag },
      body: JSON.stringify({ frequencyCaps: [{ count: 0, window: '1h' }] }),
    });
    expect(put.status).toBe(422);
    expect(((await put.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe('frequencyCaps[0].count');
    const paused = await fetch(`${b.opsUrl}/admin/campaigns/volt-desktop/pause`, { method: 'POST', headers: auth });
    expect(paused.status).toBe(200);
    const spec = (await (await fetch(`${b.opsUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/admin/campaigns/{id}', '/admin/campaigns/{id}/pause', '/console/api/session']),
    );
  });
});
