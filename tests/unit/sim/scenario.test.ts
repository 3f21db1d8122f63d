import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { learningScenario } from '../../../sim/learning.js';
import {
  loadScenario,
  loadShadingScenario,
  scenarioCampaigns,
  scenarioChanges,
  scenarioKind,
  shadingCampaigns,
} from '../../../sim/scenario.js';

const scenarios = new URL('../../../sim/scenarios/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'peregrine-scenario-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario files', () => {
  it('names what each shipped scenario runs', () => {
    expect(scenarioKind(join(scenarios, 'steady.yaml'))).toBe('pacing');
    expect(scenarioKind(join(scenarios, 'shading.yaml'))).toBe('shading');
    expect(scenarioKind(join(scenarios, 'mystique-default.yaml'))).toBe('mystique');
    expect(scenarioKind(join(scenarios, 'learning.yaml'))).toBe('learning');
  });

  it('mid-day changes: generated ids for added campaigns, the old budgetChange as a factor change, in time order', () => {
    const added = loadScenario(join(scenarios, 'budget-new-campaign.yaml'));
    expect(scenarioCampaigns(added, 'even').map((c) => c.id)).toEqual([...Array(9).keys()].map((i) => `sim-${i}`));
    expect(scenarioChanges(added)).toEqual([{ atMinute: 900, add: ['sim-8'] }]);
    expect(scenarioChanges(loadScenario(join(scenarios, 'budget-raise.yaml')))).toEqual([
      { atMinute: 720, factor: 1.5 },
    ]);
    expect(scenarioChanges(loadScenario(join(scenarios, 'budget-pause.yaml'))).map((c) => c.atMinute)).toEqual([
      600, 780,
    ]);
    expect(scenarioChanges(loadScenario(join(scenarios, 'budget-cut.yaml')))).toEqual([{ atMinute: 720, factor: 0.7 }]);
  });

  it('refuses an unknown kind, naming the file', () => {
    const f = join(dir, 'odd.yaml');
    writeFileSync(f, 'kind: auction\nname: odd\n');
    expect(() => scenarioKind(f)).toThrow(/odd\.yaml: kind: expected one of pacing, shading, mystique, learning/);
  });

  it('runs the shading campaigns as written, with shading set per run', () => {
    const s = loadShadingScenario(join(scenarios, 'shading.yaml'));
    expect(s.seed).toBe(5);
    for (const shading of [false, true]) {
      const cs = shadingCampaigns(s, shading);
      expect(cs.map((c) => [c.id, c.bid.strategy, c.shading])).toEqual([
        ['shade-0', 'max_cpm', shading],
        ['shade-1', 'max_cpm', shading],
        ['shade-2', 'max_cpm', shading],
      ]);
    }
  });

  it('names the campaign and field of a bad shading campaign', () => {
    const f = join(dir, 'bad-shading.yaml');
    writeFileSync(
      f,
      'kind: shading\nname: s\nchannels: [{ id: a, medianClearingCpm: 1, auction: first }]\ncampaigns: [{ id: x }]\n',
    );
    expect(() => loadShadingScenario(f)).toThrow(/bad-shading\.yaml: campaigns\.0: /);
  });

  it('reads the learning scenario from its file, seed and traffic overridable', () => {
    const fromFile = learningScenario(undefined, undefined, '/w', '/m');
    expect(fromFile.seed).toBe(1);
    expect(fromFile.channels.map((c) => [c.id, c.requestsPerMinute, c.auctionType])).toEqual([
      ['fp', 100, 1],
      ['sp', 100, 2],
    ]);
    expect(fromFile.channels[0]!.clearingMu).toBe(Math.log(1.6));
    expect(fromFile.campaigns.map((c) => c.cpc)).toEqual([0.08, 0.12, 0.18]);
    const small = learningScenario(5, 8, '/w', '/m');
    expect(small.seed).toBe(5);
    expect(small.channels.every((c) => c.requestsPerMinute === 8)).toBe(true);
  });
});
