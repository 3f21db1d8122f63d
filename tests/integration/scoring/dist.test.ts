/**
 * The pool as production runs it: compiled JavaScript (no tsx), worker resolved as `worker.js` next to
 * `pool.js`. The scoring sources are transpiled with esbuild into a temporary `dist/` and run by plain `node`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { ScoringService } from '../../../src/scoring/service.js';
import { campaign, candidate, tempDir } from '../../unit/scoring/fixtures.js';
import { request, site } from '../../helpers/requests.js';

const root = resolve(import.meta.dirname, '../../..');
const out = tempDir('pg-scoring-dist-');
afterAll(() => rmSync(out, { recursive: true, force: true }));

const kNow = Date.parse('2026-11-23T12:00:00Z');
const kReq = request({ id: 'dist-1', inventory: site('site3.example') });
const kCampaign = { bid: { strategy: 'target_cpc', cpc: 1.5, maxCpm: 20 } } as const;

const script = `
import { ScoringService, compileCampaignScoring } from './dist/scoring/index.js';
import { resolveWorkerEntry } from './dist/scoring/worker-entry.js';
const entry = resolveWorkerEntry(new URL('./dist/scoring/pool.js', import.meta.url).href);
const clock = { now: () => Date.now() };
const s = await ScoringService.create({ mode: 'pool', modelsDir: process.argv[2], watchModels: false, pool: { threads: 1 } }, { clock });
const req = JSON.parse(process.argv[3]);
const b = s.begin({ req, channelId: 'ssp-alpha', nowMs: ${kNow}, profile: undefined, stage: undefined });
b.add({ impIndex: 0, placement: 'tag-1', campaign: compileCampaignScoring('c1', ${JSON.stringify(kCampaign)}), creative: { id: 'cr1', format: 'banner', w: 300, h: 250 }, floorMicros: 100000, firstPrice: false, hourOfWeek: 12, pacingMultiplier: 1 });
const outcome = await s.run(b, Date.now() + 2000);
console.log(JSON.stringify({ outcome, price: b.priceMicros(0), pctr: b.pctr(0), entry, runs: s.stats().runs }));
await s.close();
`;

describe('compiled scoring (node dist/…)', () => {
  it('runs the pool from compiled JavaScript with worker.js and scores like the sources do', async () => {
    const files = readdirSync(join(root, 'src/scoring'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(root, 'src/scoring', f));
    await build({
      // The scoring module and what it imports outside its folder: the event log's port, the files it reads.
      entryPoints: [
        ...files,
        join(root, 'src/clock.ts'),
        join(root, 'src/store/ports.ts'),
        join(root, 'src/files/dir-watcher.ts'),
        join(root, 'src/files/safe-read.ts'),
      ],
      outdir: join(out, 'dist'),
      outbase: join(root, 'src'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    });
    mkdirSync(join(out, 'dist'), { recursive: true });
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
    writeFileSync(join(out, 'run.mjs'), script);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(out, 'run.mjs'), join(root, 'config/models'), JSON.stringify(kReq)],
      { cwd: out, timeout: 30_000 },
    );
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
      outcome: { ok: boolean };
      price: number;
      pctr: number;
      entry: { filename: string; execArgv?: string[] };
      runs: { pool: number };
    };
    expect(r.entry.filename).toMatch(/\/dist\/scoring\/worker\.js$/);
    expect(r.entry.execArgv).toBeUndefined();
    expect(r.outcome).toEqual({ ok: true });
    expect(r.runs.pool).toBe(1);

    // The same candidate scored inline from the TypeScript sources, with the shipped models.
    const s = await ScoringService.create(
      { mode: 'inline', modelsDir: join(root, 'config/models'), watchModels: false },
      { clock: new VirtualClock(kNow) },
    );
    const b = s.begin({ req: kReq, channelId: 'ssp-alpha', nowMs: kNow, profile: undefined, stage: undefined });
    b.add(candidate(campaign('c1', kCampaign), { hourOfWeek: 12 }));
    s.run(b, kNow + 50);
    expect(r.price).toBe(b.priceMicros(0));
    expect(r.pctr).toBeCloseTo(b.pctr(0), 12);
    expect(r.price).toBeGreaterThan(0);
    await s.close();
  });
});
