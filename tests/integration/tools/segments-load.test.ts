/**
 * The segment loader end to end against real Redis: good lines load, bad lines are reported by number
 * (and never stop the load), and the loaded users are then found by the store's lookup and by the bid
 * path's ProfileLookup. Once in-process, once through the npm script's CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSegments } from '../../../tools/segments-load.js';
import { systemClock } from '../../../src/clock.js';
import { ProfileLookup } from '../../../src/segments/profile-lookup.js';
import { createRedisStore } from '../../../src/store/redis/index.js';
import { testRedis, type TestRedis } from '../../helpers/redis.js';

const run = promisify(execFile);

const jsonl = [
  JSON.stringify({
    ids: { uid: 'u1', ifa: 'IFA-1' },
    segments: ['auto', { id: 'sports', source: 1, ttl: 86400 }],
    ttl: 2592000,
  }),
  JSON.stringify({ ids: { eids: [{ source: 'id5', id: 'e2' }], buid: { xch: 'b2' } }, segments: ['travel'] }),
  '{"ids": {"uid": "broken"',
  '',
  JSON.stringify({ ids: { ifa: '00000000-0000-0000-0000-000000000000' }, segments: ['x'] }),
  JSON.stringify({ ids: { uid: 'u3' }, segments: ['auto'], ttl: 'forever' }),
  JSON.stringify({ ids: { uid: 'u4' }, segments: ['finance'] }),
].join('\n');

const csv = [
  'uid,ifa,eid:id5,segments,ttl',
  'c1,,,auto|news,',
  'c2,IFA-C2,,sports,3600',
  'c3,too,many,columns,here,!',
  ',,,orphan,',
].join('\n');

describe('segments:load', () => {
  let redis: TestRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await testRedis();
    dir = mkdtempSync(join(tmpdir(), 'pgtest-load-'));
    writeFileSync(join(dir, 'users.jsonl'), jsonl);
    writeFileSync(join(dir, 'users.csv'), csv);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await redis.stop();
  });

  it('loads good JSONL lines, reports bad ones by number, and the users are found by lookup', async () => {
    const log = new PassThrough();
    let logged = '';
    log.on('data', (d: Buffer) => (logged += d.toString()));
    const summary = await loadSegments({
      file: join(dir, 'users.jsonl'),
      redisUrl: redis.url,
      prefix: `${redis.prefix}j:`,
      batch: 2,
      log,
    });
    expect(summary.records).toBe(3);
    expect(summary.failed).toBe(0);
    expect(summary.bad.map((b) => b.line)).toEqual([3, 5, 6]);
    expect(summary.badLines).toBe(3);
    expect(logged).toContain('line 3: invalid JSON');
    expect(logged).toContain('line 5: no usable id');
    expect(logged).toContain('line 6: ttl');

    const store = await createRedisStore({ url: redis.url, keyPrefix: `${redis.prefix}j:`, instanceId: 'check' });
    try {
      const now = Date.now();
      const u1 = await store.profiles.lookup(['ifa:ifa-1'], now);
      expect([...u1!.segments].sort()).toEqual(['auto', 'sports']);
      expect((await store.profiles.lookup(['uid:u1'], now))?.personId).toBe(u1!.personId);
      const lookup = new ProfileLookup(store.profiles, systemClock, {
        timeoutMs: 50,
        cacheSize: 10,
        cacheTtlMs: 1_000,
      });
      const b2 = await lookup.lookup(['buid:xch:b2'], now + 1_000);
      expect(b2.outcome).toBe('hit');
      expect([...b2.profile!.segments]).toEqual(['travel']);
      expect((await lookup.lookup(['eid:id5:e2'], now + 1_000)).profile?.personId).toBe(b2.profile!.personId);
      expect((await store.profiles.lookup(['uid:u4'], now))?.segments.has('finance')).toBe(true);
      expect(await store.profiles.lookup(['uid:u3'], now)).toMatchObject({ linked: false }); // its line was bad: never linked
    } finally {
      await store.close();
    }
  });

  it('the npm script loads CSV through the CLI, printing a summary and the bad line numbers', async () => {
    const prefix = `${redis.prefix}c:`;
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const res = await run(tsx, [
      'tools/segments-load.ts',
      join(dir, 'users.csv'),
      '--redis',
      redis.url,
      '--prefix',
      prefix,
      '--batch',
      '1',
    ]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(res.code).toBe(2); // some lines were bad
    expect(res.stdout).toMatch(/records: 2\nbad lines: 2 \(lines 4, 5\)/);
    expect(res.stdout).toMatch(/records\/s: \d+/);
    expect(res.stderr).toContain('line 4: expected 5 columns, got 6');
    expect(res.stderr).toContain('line 5: no usable id');
    const store = await createRedisStore({ url: redis.url, keyPrefix: prefix, instanceId: 'check' });
    try {
      const c2 = await store.profiles.lookup(['uid:c2'], Date.now());
      expect([...c2!.segments]).toEqual(['sports']);
      expect((await store.profiles.lookup(['ifa:ifa-c2'], Date.now()))?.personId).toBe(c2!.personId);
      expect([...(await store.profiles.lookup(['uid:c1'], Date.now()))!.segments].sort()).toEqual(['auto', 'news']);
    } finally {
      await store.close();
    }
  });
});
