/**
 * Bid requests for the simulators, as the decoder would hand them to the bid path: one banner imp, a site or
 * an app, a device, optionally a user. Every field the internal request has is set (undefined where the
 * market does not model it), so the drivers only state what their market varies.
 */
import { channelSchema } from '../src/config/schema.js';
import type { BidRequest, Device, Inventory, User } from '../src/openrtb/types.js';

export interface SimSlot {
  readonly w: number;
  readonly h: number;
  readonly floorCpm: number;
  readonly tagid: string | undefined;
  readonly pos?: number;
}

/** A device with the simulators' constants; `geo.country` and whatever else the market varies given. */
export function simDevice(over: {
  readonly country: string | undefined;
  readonly region?: string;
  readonly devicetype: number | undefined;
  readonly os: string | undefined;
}): Device {
  return {
    ua: 'sim',
    ip: '203.0.113.1',
    ipv6: undefined,
    geo: {
      country: over.country,
      region: over.region,
      city: undefined,
      lat: undefined,
      lon: undefined,
      utcoffset: undefined,
    },
    devicetype: over.devicetype,
    os: over.os,
    osv: undefined,
    make: undefined,
    model: undefined,
    ifa: undefined,
    lmt: false,
    dnt: false,
    language: 'en',
  };
}

export function simRequest(
  id: string,
  at: 1 | 2,
  slot: SimSlot,
  inventory: Inventory,
  device: Device,
  user: User | undefined,
): BidRequest {
  const { w, h } = slot;
  return {
    id,
    imp: [
      {
        id: '1',
        banner: { formats: [{ w, h }], w, h, battr: undefined, pos: slot.pos },
        video: undefined,
        audio: undefined,
        native: undefined,
        pmp: undefined,
        tagid: slot.tagid,
        bidfloor: slot.floorCpm,
        bidfloorcur: 'USD',
        secure: true,
        instl: false,
        ext: undefined,
      },
    ],
    inventory,
    device,
    user,
    regs: { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined },
    source: undefined,
    at,
    tmax: 100,
    cur: ['USD'],
    bcat: undefined,
    badv: undefined,
    bapp: undefined,
    battr: undefined,
    wseat: undefined,
    bseat: undefined,
    test: false,
    ext: undefined,
  };
}

/**
 * A simulated exchange's channel config, the same for every simulator. The simulated market draws clearing
 * prices without the imp's floor, so tokens carry no price floor.
 */
export function simulatedChannel(c: { readonly id: string; readonly auctionType: 1 | 2 }) {
  return channelSchema.parse({
    id: c.id,
    name: c.id,
    auctionType: c.auctionType,
    billableEvent: 'bill',
    winsImplied: true,
    notices: { minPrice: 'none' },
  });
}
