import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import type { ConfigSnapshot } from '../../../src/config/snapshot.js';
import {
  ConversionHandler,
  parseMicros,
  type AcceptedConversion,
  type ConversionOutcome,
} from '../../../src/notices/conversion-handler.js';
import { signPostback } from '../../../src/notices/postback-auth.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { ClickRecord, Store } from '../../../src/store/ports.js';
import { conversionSnapshot } from './conversion-config.js';

const now = Date.parse('2026-11-23T17:00:00Z');
const kDay = 86_400_000;
let snap: ConfigSnapshot;
let store: Store;
let clock: VirtualClock;
let handler: ConversionHandler;
let seen: [ConversionOutcome, AcceptedConversion | undefined][];

beforeAll(async () => {
  snap = await conversionSnapshot();
});
beforeEach(async () => {
  store = createMemoryStore();
  clock = new VirtualClock(now);
  seen = [];
  handler = new ConversionHandler({
    clock,
    config: { current: snap },
    clicks: store.clicks,
    dedup: store.dedup,
    events: { onConversion: (o, c) => seen.push([o, c]) },
  });
  await store.clicks.record('clid-acme', click({}), 7 * kDay, now - kDay);
  await store.clicks.record(
    'clid-volt',
    click({ campaignId: 'volt-desktop', channelId: 'ssp-beta', advertiserId: 'volt', personId: 'p-volt' }),
    7 * kDay,
    now - kDay,
  );
});

const click = (over: Partial<ClickRecord>): ClickRecord => ({
  campaignId: 'acme-prospecting',
  channelId: 'ssp-alpha',
  advertiserId: 'acme',
  personId: 'p1',
  auctionId: 'auc-1',
  impId: '1',
  atMs: now - kDay,
  ...over,
});
const params = (o: Record<string, string>) => new Map(Object.entries(o));
const signed = (o: Record<string, string>, secret = 'acme-secret') => {
  const p = params(o);
  p.set('sig', signPostback(p, secret));
  return p;
};

describe('conversion postbacks: attribution', () => {
  it('credits a click id to its campaign and channel, once per conversion id', async () => {
    expect(await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'order-1', value: '49.90' }))).toEqual({
      status: 204,
      outcome: 'attributed',
    });
    expect(seen[0]![1]).toMatchObject({
      advertiserId: 'acme',
      conversionId: 'order-1',
      valueMicros: 49_900_000,
      click: { clickId: 'clid-acme', campaignId: 'acme-prospecting', channelId: 'ssp-alpha', auctionId: 'auc-1' },
    });
    expect(await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'order-1', value: '49.90' }))).toEqual({
      status: 200,
      outcome: 'duplicate',
    });
    // Another order from the same click is another conversion; the same order id from another advertiser too.
    expect((await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'order-2' }))).status).toBe(204);
    expect(
      (await handler.handle(signed({ adv: 'volt', clid: 'clid-volt', id: 'order-1' }, 'volt-secret'))).status,
    ).toBe(204);
    expect(seen.map(([o]) => o)).toEqual(['attributed', 'duplicate', 'attributed', 'attributed']);
  });

  it('credits a person to their last click on the advertiser, else accepts it unattributed', async () => {
    await store.clicks.record(
      'clid-later',
      click({ campaignId: 'acme-retargeting', channelId: 'ssp-beta', atMs: now - 1000 }),
      7 * kDay,
      now - 1000,
    );
    expect((await handler.handle(signed({ adv: 'acme', person: 'p1', id: 'o-p1' }))).outcome).toBe('attributed');
    expect(seen.at(-1)![1]?.click).toMatchObject({
      clickId: 'clid-later',
      campaignId: 'acme-retargeting',
      channelId: 'ssp-beta',
    });
    // p-volt clicked a Volt ad, not an Acme one.
    expect(await handler.handle(signed({ adv: 'acme', person: 'p-volt', id: 'o-pv' }))).toEqual({
      status: 204,
      outcome: 'unattributed',
    });
    expect(seen.at(-1)![1]).toMatchObject({ click: undefined, valueMicros: 0 });
    expect((await handler.handle(signed({ adv: 'acme', person: 'p-volt', id: 'o-pv' }))).outcome).toBe('duplicate');
  });

  it('a click id that is unknown, expired or another advertiser’s is 404, and a corrected retry still counts', async () => {
    expect(await handler.handle(signed({ adv: 'acme', clid: 'nope', id: 'o9' }))).toEqual({
      status: 404,
      outcome: 'unknown_click',
    });
    expect((await handler.handle(signed({ adv: 'acme', clid: 'clid-volt', id: 'o9' }))).status).toBe(404);
    expect((await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'o9' }))).status).toBe(204);
    clock.set(now + 6 * kDay); // recorded a day before `now` with a 7-day window
    expect((await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'o10' }))).status).toBe(404);
    expect((await handler.handle(signed({ adv: 'acme', person: 'p1', id: 'o11' }))).outcome).toBe('unattributed');
  });

  it('a conversion without value is worth the campaign’s configured conversion value (0 unless set)', async () => {
    await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'no-value' }));
    expect(seen.at(-1)![1]?.valueMicros).toBe(0);
    await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'zero', value: '0' }));
    expect(seen.at(-1)![1]?.valueMicros).toBe(0);
    await store.clicks.record('clid-rt', click({ campaignId: 'acme-retargeting' }), 7 * kDay, now);
    await handler.handle(signed({ adv: 'acme', clid: 'clid-rt', id: 'rt-no-value' }));
    expect(seen.at(-1)![1]?.valueMicros).toBe(25_000_000);
    await handler.handle(signed({ adv: 'acme', clid: 'clid-rt', id: 'rt-value', value: '3' }));
    expect(seen.at(-1)![1]?.valueMicros).toBe(3_000_000);
  });

  it('answers 503 when the store fails, without marking the conversion seen', async () => {
    const broken = new ConversionHandler({
      clock,
      config: { current: snap },
      clicks: {
        record: async () => {},
        lookup: () => Promise.reject(new Error('down')),
        lastByPerson: () => Promise.reject(new Error('down')),
      },
      dedup: store.dedup,
      events: { onConversion: (o, c) => seen.push([o, c]) },
    });
    expect(await broken.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'retry-me' }))).toEqual({
      status: 503,
      outcome: 'error',
    });
    expect((await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'retry-me' }))).outcome).toBe(
      'attributed',
    );
  });
});

describe('conversion postbacks: authentication and parameters', () => {
  it('401 without credentials, 403 for a wrong or disallowed one, before anything is looked up', async () => {
    expect(await handler.handle(params({ adv: 'acme', clid: 'clid-acme', id: 'o1' }))).toEqual({
      status: 401,
      outcome: 'no_credentials',
    });
    expect(await handler.handle(signed({ adv: 'acme', clid: 'clid-acme', id: 'o1' }, 'wrong'))).toEqual({
      status: 403,
      outcome: 'bad_credentials',
    });
    expect(await handler.handle(signed({ adv: 'unknown', clid: 'clid-acme', id: 'o1' }))).toEqual({
      status: 403,
      outcome: 'bad_credentials',
    });
    // An advertiser whose env secret is unset refuses everything.
    expect((await handler.handle(params({ adv: 'ghost', token: '', clid: 'x', id: 'o1' }))).status).toBe(403);
    // Token auth: allowed for acme (any) and nimbus (token), not for volt (sig only).
    expect(
      (await handler.handle(params({ adv: 'acme', token: 'acme-secret', clid: 'clid-acme', id: 'o1' }))).status,
    ).toBe(204);
    expect(
      (await handler.handle(params({ adv: 'nimbus', token: 'nimbus-secret', person: 'px', id: 'o1' }))).outcome,
    ).toBe('unattributed');
    expect(
      (await handler.handle(params({ adv: 'volt', token: 'volt-secret', clid: 'clid-volt', id: 'o1' }))).status,
    ).toBe(403);
    expect((await handler.handle(signed({ adv: 'nimbus', person: 'px', id: 'o2' }, 'nimbus-secret'))).status).toBe(403);
    // Tampering with a signed value.
    const p = signed({ adv: 'acme', clid: 'clid-acme', id: 'o3', value: '1' });
    p.set('value', '1000');
    expect((await handler.handle(p)).status).toBe(403);
  });

  it('400 names the bad parameter', async () => {
    const bad = async (o: Record<string, string>) => handler.handle(signed(o));
    expect(await handler.handle(params({ clid: 'x', id: 'o1', token: 'acme-secret' }))).toMatchObject({
      status: 400,
      param: 'adv',
    });
    expect(await bad({ adv: 'acme', clid: 'clid-acme' })).toMatchObject({ status: 400, param: 'id' });
    expect(await bad({ adv: 'acme', clid: 'clid-acme', id: 'has space' })).toMatchObject({ status: 400, param: 'id' });
    expect(await bad({ adv: 'acme', id: 'o1' })).toMatchObject({ status: 400, param: 'clid' });
    expect(await bad({ adv: 'acme', clid: 'bad/clid', id: 'o1' })).toMatchObject({ status: 400, param: 'clid' });
    expect(await bad({ adv: 'acme', person: '', id: 'o1' })).toMatchObject({ status: 400, param: 'person' });
    for (const value of ['-1', '1e3', 'abc', '', '1.1234567', '1234567890', 'NaN', ' 1']) {
      expect(await bad({ adv: 'acme', clid: 'clid-acme', id: 'o1', value }), value).toMatchObject({
        status: 400,
        param: 'value',
      });
    }
    expect(seen.every(([o]) => o === 'bad_request')).toBe(true);
  });

  it('parses decimal values to micros exactly', () => {
    expect(parseMicros('0')).toBe(0);
    expect(parseMicros('12')).toBe(12_000_000);
    expect(parseMicros('12.5')).toBe(12_500_000);
    expect(parseMicros('0.000001')).toBe(1);
    expect(parseMicros('0.29')).toBe(290_000);
    expect(parseMicros('999999999.999999')).toBe(999_999_999_999_999);
    expect(parseMicros('-0')).toBeUndefined();
  });
});
