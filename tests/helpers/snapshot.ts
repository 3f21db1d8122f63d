/** A config snapshot from the sample config (or a temp copy), for tests below the HTTP layer. */
import { loadConfigDir, formatIssues } from '../../src/config/load.js';
import { buildSnapshot, type ConfigSnapshot } from '../../src/config/snapshot.js';
import { kSampleConfig } from './config-dir.js';

export async function sampleSnapshot(
  dir = kSampleConfig,
  env: NodeJS.ProcessEnv = { PEREGRINE_NOTICE_KEY_1: 'test-key-1', PEREGRINE_NOTICE_KEY_0: 'test-key-0' },
): Promise<ConfigSnapshot> {
  const r = await loadConfigDir(dir);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return buildSnapshot(r.config, 1, Date.now(), env);
}
