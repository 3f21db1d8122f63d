/** Throwaway config directories for tests: a copy of the sample config, or files written from scratch. */
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kSampleConfig = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config');

export interface TempConfig {
  readonly dir: string;
  write(rel: string, text: string): void;
  remove(rel: string): void;
  cleanup(): void;
}

export function tempConfig(fromSample = true): TempConfig {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-cfg-'));
  if (fromSample) cpSync(kSampleConfig, dir, { recursive: true });
  return {
    dir,
    write(rel, text) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    },
    remove(rel) {
      rmSync(join(dir, rel), { force: true });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The YAML text without its top-level `key:` block (to replace the sample's block with a test's own). */
export function withoutBlock(yaml: string, key: string): string {
  return yaml.replace(new RegExp(`^${key}:.*\\n(?:(?:[ \\t].*)?\\n)*`, 'm'), '');
}
