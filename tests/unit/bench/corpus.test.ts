/**
 * The benchmark corpus looks like an exchange's traffic to the sample config: mostly no-bid-shaped, several
 * channels, 1–3 imps, site and app, banner, video and native, users with and without ids, deterministic
 * from its seed.
 */
import { describe, expect, it } from 'vitest';
import { describeCorpus, generateCorpus, kShapes, segmentRecords } from '../../../bench/corpus/generate.js';
import { loadConfigDir } from '../../../src/config/load.js';
import { decodeJsonRequest } from '../../../src/openrtb/decode-json.js';

const corpus = generateCorpus({ requests: 2000, seed: 7, knownUsers: 500 });

describe('bench corpus', () => {
  it('is 60–80% no-bid-shaped, with every no-bid shape present', () => {
    const d = describeCorpus(corpus);
    expect(d.noBidShapedShare).toBeGreaterThanOrEqual(0.6);
    expect(d.noBidShapedShare).toBeLessThanOrEqual(0.8);
    for (const s of kShapes) expect(d.shapes[s] ?? 0, s).toBeGreaterThan(20);
  });

  it('is the same corpus for the same seed and another one for another seed', () => {
    expect(generateCorpus({ requests: 2000, seed: 7, knownUsers: 500 })).toEqual(corpus);
    const other = generateCorpus({ requests: 2000, seed: 8, knownUsers: 500 });
    expect(other.map((q) => q.body)).not.toEqual(corpus.map((q) => q.body));
    expect(segmentRecords(7, 10)).toEqual(segmentRecords(7, 10));
  });

  it('sends valid requests to the sample config’s OpenRTB channels, with the variety an exchange sends', async () => {
    const loaded = await loadConfigDir(new URL('../../../config/', import.meta.url).pathname);
    if (!loaded.ok) throw new Error('sample config does not load');
    const channels = new Set(corpus.map((q) => q.channel));
    expect(channels.size).toBeGreaterThanOrEqual(3);
    const configured = new Set(loaded.config.channels.map((c) => c.id));
    for (const ch of channels) expect(configured.has(ch), ch).toBe(true);
    const seen = { site: 0, app: 0, banner: 0, video: 0, native: 0, withIds: 0, withoutIds: 0 };
    const imps = new Set<number>();
    for (const q of corpus) {
      const decoded = decodeJsonRequest(Buffer.from(q.body));
      expect(decoded.ok, q.body).toBe(true);
      if (!decoded.ok) continue;
      const r = decoded.request;
      imps.add(r.imp.length);
      if (r.inventory?.kind === 'site') seen.site++;
      if (r.inventory?.kind === 'app') seen.app++;
      for (const imp of r.imp) {
        if (imp.banner !== undefined) seen.banner++;
        if (imp.video !== undefined) seen.video++;
        if (imp.native !== undefined) seen.native++;
      }
      const hasId = r.user?.id !== undefined || (r.user?.eids.length ?? 0) > 0 || r.device?.ifa !== undefined;
      if (hasId) seen.withIds++;
      else seen.withoutIds++;
    }
    expect([...imps].sort()).toEqual([1, 2, 3]);
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(50);
    const known = corpus.filter((q) => q.knownUser).length / corpus.length;
    expect(known).toBeGreaterThan(0.1);
    expect(known).toBeLessThan(0.4);
  });
});
