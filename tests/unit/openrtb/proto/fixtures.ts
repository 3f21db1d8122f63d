/**
 * Requests for the protobuf decoder tests: the OpenRTB 2.6 spec examples (§6.2, shared with the JSON
 * tests) and a "rich" request that sets every field the internal `BidRequest` carries, so a field number
 * in the hand-written decoder that disagrees with proto/openrtb.proto shows up as a difference from the
 * JSON decoder.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type Json = Record<string, unknown>;

const kExamplesDir = new URL('../../../fixtures/openrtb/spec/', import.meta.url);

export const specExamples: readonly { readonly name: string; readonly json: Json }[] = readdirSync(kExamplesDir)
  .filter((f) => f.startsWith('6-2-') && f.endsWith('.json'))
  .sort()
  .map((name) => ({ name, json: JSON.parse(readFileSync(new URL(name, kExamplesDir), 'utf8')) as Json }));

export function specExample(fragment: string): Json {
  const ex = specExamples.find((e) => e.name.includes(fragment));
  if (ex === undefined) throw new Error(`no spec example matching ${fragment}`);
  return structuredClone(ex.json);
}

/** Every field the bidder reads, on a site request (no `ext`: protobuf has no counterpart for it). */
export function richRequest(): Json {
  return {
    id: 'rich-1',
    at: 1,
    tmax: 150,
    test: 1,
    cur: ['USD', 'EUR'],
    wseat: ['seat-a'],
    bseat: ['seat-z'],
    bcat: ['IAB25', 'IAB26'],
    badv: ['rival.example'],
    bapp: ['com.rival.app'],
    imp: [
      {
        id: '1',
        tagid: 'top',
        bidfloor: 0.42,
        bidfloorcur: 'EUR',
        secure: 1,
        instl: 1,
        banner: {
          w: 300,
          h: 250,
          pos: 1,
          battr: [1, 3],
          format: [
            { w: 300, h: 250 },
            { w: 300, h: 600 },
            { wratio: 16, hratio: 9, wmin: 320 },
          ],
        },
        pmp: {
          private_auction: 1,
          deals: [{ id: 'D1', bidfloor: 2.5, bidfloorcur: 'USD', at: 1, wseat: ['a', 'b'] }, { id: 'D2' }],
        },
      },
      {
        id: '2',
        video: {
          mimes: ['video/mp4', 'video/webm'],
          protocols: [2, 3, 7],
          minduration: 5,
          maxduration: 30,
          w: 640,
          h: 360,
          startdelay: -1,
          plcmt: 1,
          placement: 1,
          linearity: 1,
          battr: [13],
        },
      },
      { id: '3', audio: { mimes: ['audio/mp4'], minduration: 10, maxduration: 60, protocols: [9, 10] } },
      {
        id: '4',
        native: {
          request: '{"ver":"1.2","assets":[{"id":1,"required":1,"title":{"len":90}}]}',
          ver: '1.2',
          battr: [1],
        },
      },
      { id: '5', native: { request: { ver: '1.2', assets: [{ id: 2, img: { type: 3, w: 1200, h: 627 } }] } } },
    ],
    site: {
      id: 's1',
      name: 'Daily News',
      page: 'https://News.Example:443/world/1.html?x=1',
      cat: ['IAB12'],
      publisher: { id: 'p1', name: 'News Corp', domain: 'news.example' },
    },
    device: {
      ua: 'Mozilla/5.0',
      ip: '203.0.113.84',
      ipv6: '2001:db8::1',
      devicetype: 2,
      os: 'Windows',
      osv: '11',
      make: 'Dell',
      model: 'XPS',
      ifa: 'ifa-1',
      lmt: 1,
      dnt: 0,
      language: 'en',
      geo: { country: 'USA', region: 'NY', city: 'New York', lat: 40.71, lon: -74.01, utcoffset: -300 },
    },
    user: {
      id: 'u1',
      buyeruid: 'b1',
      consent: 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA',
      geo: { country: 'USA', lat: 40.7, lon: -74 },
      eids: [
        { source: 'id5-sync.com', uids: [{ id: 'ID5*x', atype: 1 }, { atype: 3 }] },
        { source: 'liveramp.com', uids: [{ id: 'LR-1' }] },
      ],
    },
    regs: { coppa: 1, gdpr: 1, us_privacy: '1YNN', gpp: 'DBABMA~CPXxRfA', gpp_sid: [2, 6] },
    source: {
      fd: 1,
      tid: 'tid-1',
      schain: {
        complete: 1,
        nodes: [
          { asi: 'exchange.example', sid: '88', hp: 1 },
          { asi: 'reseller.example', sid: '9', hp: 0 },
        ],
      },
    },
  };
}
