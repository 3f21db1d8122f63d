/**
 * A fresh clone must pass on its own: no code, test, script, benchmark or scenario may name a path outside
 * the repository (the sibling reference folder the project grew up next to, or an absolute path of the
 * machine it was written on). The fixtures they need live in tests/fixtures, proto/ and sim/scenarios.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const kRoot = join(import.meta.dirname, '..', '..', '..');
const kTrees = ['src', 'tests', 'scripts', 'sim', 'bench', 'examples', 'config', 'deploy', 'proto', '.ci'];
const kText = /\.(ts|mjs|js|json|ya?ml|sh|csv|tsv|proto)$|^run$/;
const kOutside = /\.\.\/shared\b|\/work\/(shared|main|wt-)/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name === 'reports') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (kText.test(name)) yield path;
  }
}

describe('the repository is self-contained', () => {
  it('no file names the sibling reference folder or an absolute path of the machine it was written on', () => {
    const offenders: string[] = [];
    let scanned = 0;
    for (const tree of kTrees) {
      for (const path of files(join(kRoot, tree))) {
        scanned++;
        const lines = readFileSync(path, 'utf8').split('\n');
        lines.forEach((line, i) => {
          // This file has to spell the pattern out.
          if (kOutside.test(line) && !path.endsWith('self-contained.test.ts'))
            offenders.push(`${relative(kRoot, path)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(scanned).toBeGreaterThan(200);
    expect(offenders).toEqual([]);
  });
});
