/**
 * `npm run schema`: writes the JSON Schema of each config file to schema/ (src/config/json-schema.ts) and the
 * ops API's OpenAPI description to docs/openapi.yaml (src/endpoints/openapi.ts). `--check` writes nothing and
 * exits 1 naming each file that differs (the test suite does the same).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemas, schemaText } from '../src/config/json-schema.js';
import { openApiYaml } from '../src/endpoints/openapi.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    'usage: npm run schema [-- --check]\n  writes schema/*.json and docs/openapi.yaml; --check only compares',
  );
  process.exit(0);
}
const check = args.includes('--check');
const root = join(import.meta.dirname, '..');
mkdirSync(join(root, 'schema'), { recursive: true });
const outputs: [string, string][] = [
  ...configJsonSchemas().map((f): [string, string] => [`schema/${f.name}`, schemaText(f)]),
  ['docs/openapi.yaml', openApiYaml()],
];
let stale = 0;
for (const [rel, text] of outputs) {
  const path = join(root, rel);
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    // new file
  }
  if (old === text) continue;
  stale++;
  if (check) console.error(`${rel} is out of date: run npm run schema`);
  else {
    writeFileSync(path, text);
    console.log(`wrote ${rel}`);
  }
}
if (check && stale > 0) process.exit(1);
if (!check && stale === 0) console.log('schema/ and docs/openapi.yaml are up to date');
