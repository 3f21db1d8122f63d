/** Shared builders for the scoring tests: model files, campaigns, candidates, a service with a temp models dir. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/clock.js';
import { compileCampaignScoring, type ScoringCampaign } from '../../../src/scoring/campaign-scoring.js';
import type { CandidateInput } from '../../../src/scoring/batch.js';
import { hashDomain, kFeatureNames, type FeatureName } from '../../../src/scoring/features.js';
import type { CampaignScoringConfig } from '../../../src/scoring/scoring-config.js';
import { ScoringService, type ScoringOptions } from '../../../src/scoring/service.js';

export interface ModelSpec {
  name?: string;
  version?: number;
  target?: 'ctr' | 'cvr';
  hashBits?: number;
  features?: readonly FeatureName[];
  bias?: number;
  weights?: Record<string, number>;
}

export function modelJson(s: ModelSpec = {}): Record<string, unknown> {
  return {
    name: s.name ?? 'pctr',
    version: s.version ?? 1,
    kind: 'logistic',
    target: s.target ?? 'ctr',
    hashBits: s.hashBits ?? 12,
    features: s.features ?? [...kFeatureNames],
    bias: s.bias ?? -4,
    weights: s.weights ?? {},
  };
}

export function tempDir(prefix = 'pg-scoring-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeModel(dir: string, spec: ModelSpec = {}, file?: string): string {
  const m = modelJson(spec);
  const path = join(dir, file ?? `${String(m.name)}-v${String(m.version)}.json`);
  writeFileSync(path, JSON.stringify(m));
  return path;
}

/** A pCTR model whose only non-bias weight is +w on the given domain. */
export function domainModel(domain: string, w: number, spec: ModelSpec = {}): ModelSpec {
  const bits = spec.hashBits ?? 12;
  return { ...spec, hashBits: bits, weights: { [String(hashDomain(domain) & (2 ** bits - 1))]: w } };
}

export function campaign(id: string, cfg: Partial<CampaignScoringConfig> = {}): ScoringCampaign {
  return compileCampaignScoring(id, { bid: { strategy: 'fixed_cpm', cpm: 2 }, ...cfg });
}

export const creative = { id: 'cr1', format: 'banner', w: 300, h: 250 } as const;

export function candidate(c: ScoringCampaign, more: Partial<CandidateInput> = {}): CandidateInput {
  return {
    impIndex: 0,
    placement: 'tag-1',
    campaign: c,
    creative,
    floorMicros: 100_000,
    firstPrice: false,
    hourOfWeek: 12,
    pacingMultiplier: 1,
    ...more,
  };
}

export const kStart = Date.parse('2026-11-23T12:00:00Z');

export async function service(dir: string, more: Partial<ScoringOptions> = {}) {
  const clock = new VirtualClock(kStart);
  const s = await ScoringService.create({ mode: 'inline', modelsDir: dir, watchModels: false, ...more }, { clock });
  return { s, clock };
}
