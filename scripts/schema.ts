/**
 * `npm run schema`: writes the JSON Schema of each config file to schema/ (src/config/json-schema.ts).
 * `--check` writes nothing and exits 1 naming each file that differs (the test suite does the same).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemas, schemaText } from '../src/config/json-schema.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    'usage: npm run schema [-- --check]\n  writes schema/*.json from the zod config schemas; --check only compares',
  );
  process.exit(0);
}
const check = args.includes('--check');
const dir = join(import.meta.dirname, '..', 'schema');
mkdirSync(dir, { recursive: true });
let stale = 0;
for (const f of configJsonSchemas()) {
  const path = join(dir, f.name);
  const text = schemaText(f);
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    // new file
  }
  if (old === text) continue;
  stale++;
  if (check) console.error(`schema/${f.name} is out of date: run npm run schema`);
  else {
    writeFileSync(path, text);
    console.log(`wrote schema/${f.name}`);
  }
}
if (check && stale > 0) process.exit(1);
if (!check && stale === 0) console.log('schema/ is up to date');
