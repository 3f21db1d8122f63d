/**
 * A sample-config snapshot with conversion postbacks configured for three advertisers (one per auth mode, plus
 * one whose env secret is unset), and ROI values on acme-retargeting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigSnapshot } from '../../../src/config/snapshot.js';
import { tempConfig, withoutBlock } from '../../helpers/config-dir.js';
import { sampleSnapshot } from '../../helpers/snapshot.js';

export const kConversionYaml = `
conversions:
  attributionWindow: 7d
  advertisers:
    - { id: acme, name: Acme Shoes, secret: acme-secret }
    - { id: volt, name: Volt Motors, secret: env:VOLT_POSTBACK_SECRET, auth: sig }
    - { id: nimbus, name: Nimbus Bank, secret: nimbus-secret, auth: token }
    - { id: ghost, secret: env:GHOST_POSTBACK_SECRET }
`;

export async function conversionSnapshot(): Promise<ConfigSnapshot> {
  const cfg = tempConfig();
  try {
    cfg.write(
      'bidder.yaml',
      withoutBlock(readFileSync(join(cfg.dir, 'bidder.yaml'), 'utf8'), 'conversions') + kConversionYaml,
    );
    const rt = 'campaigns/acme-retargeting.yaml';
    cfg.write(rt, `${readFileSync(join(cfg.dir, rt), 'utf8')}\nroi: { clickValue: 0.4, conversionValue: 25 }\n`);
    return await sampleSnapshot(cfg.dir, {
      PEREGRINE_NOTICE_KEY_1: 'test-key-1',
      PEREGRINE_NOTICE_KEY_0: 'test-key-0',
      VOLT_POSTBACK_SECRET: 'volt-secret',
    });
  } finally {
    cfg.cleanup();
  }
}
