/**
 * The JSON Schema files in schema/ (for editors) against the zod schemas they are generated from and the
 * sample config they describe: no drift, every sample file valid and pointing at its schema, and a mistake the
 * bidder refuses (unknown key, wrong enum, bad duration) is one the schema refuses too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configJsonSchemas, schemaText } from '../../../src/config/json-schema.js';
import { bidderSchema } from '../../../src/config/schema.js';

const kRoot = join(import.meta.dirname, '..', '..', '..');
const kConfig = join(kRoot, 'config');

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validators = new Map(configJsonSchemas().map((f) => [f.name, ajv.compile(f.schema)]));

function validate(schemaName: string, value: unknown): string[] {
  const v = validators.get(schemaName)!;
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const kSamples: readonly [string, string][] = [
  ['bidder.yaml', 'bidder.schema.json'],
  ['channels.yaml', 'channels.schema.json'],
  ...readdirSync(join(kConfig, 'campaigns'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, string] => [`campaigns/${f}`, 'campaign.schema.json']),
];

describe('config JSON Schema', () => {
  it('schema/ matches the zod schemas (run npm run schema after changing src/config/schema.ts)', () => {
    for (const f of configJsonSchemas()) {
      expect(readFileSync(join(kRoot, 'schema', f.name), 'utf8'), `schema/${f.name}`).toBe(schemaText(f));
    }
  });

  it('every sample config file names its schema for editors and is valid against it', () => {
    expect(kSamples.length).toBeGreaterThan(10);
    for (const [file, schema] of kSamples) {
      const path = join(kConfig, file);
      const text = readFileSync(path, 'utf8');
      const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      expect(modeline, file).toBeDefined();
      expect(resolve(dirname(path), modeline!), file).toBe(join(kRoot, 'schema', schema));
      expect(validate(schema, parse(text)), file).toEqual([]);
    }
  });

  it('refuses what the bidder refuses: unknown keys, wrong enums, bad durations, a campaign list', () => {
    const bidder = parse(readFileSync(join(kConfig, 'bidder.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validate('bidder.schema.json', { ...bidder, prot: 8080 })).toEqual([' must NOT have additional properties']);
    expect(validate('bidder.schema.json', { notices: { tokenTtl: '24 hours' } })).toContain(
      '/notices/tokenTtl must match pattern "^\\d+(s|m|h|d)$"',
    );
    const keys = [{ id: 'k1', secret: 'env:K1' }];
    expect(validate('bidder.schema.json', { notices: { keys, tokenTtl: '24h' } })).toEqual([]);
    // zod agrees on each of these, both ways.
    const cases: unknown[] = [
      { notices: { tokenTtl: '24h' } },
      { notices: { keys, tokenTtl: 86400 } },
      { notices: { keys, tokenTtl: '1 day' } },
      { port: 70000 },
      { currency: 'usd' },
      { scoring: { mode: 'pool' } },
      { scoring: { mode: 'threads' } },
      {},
    ];
    for (const c of cases)
      expect(validate('bidder.schema.json', c).length === 0, JSON.stringify(c)).toBe(bidderSchema.safeParse(c).success);
    const channels = { channels: [{ id: 'x', name: 'X', billableEvent: 'click' }] };
    expect(validate('channels.schema.json', channels).join('\n')).toMatch(
      /\/channels\/0\/billableEvent must be equal to one of the allowed values/,
    );
    const campaign = parse(readFileSync(join(kConfig, 'campaigns', 'volt-launch.yaml'), 'utf8'));
    expect(validate('campaign.schema.json', { campaigns: [campaign, campaign] })).toEqual([]);
    expect(validate('campaign.schema.json', { campaigns: [{ ...campaign, budget: 'lots' }] })).not.toEqual([]);
  });
});
