/**
 * The console's browser assets for tests: built on demand (esbuild, well under a second) into
 * dist/console/ui when missing or older than their sources, as `npm run build` would.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsoleAssets, kConsoleOut, kConsoleSources } from '../../scripts/build-console.js';

export async function ensureConsoleBuilt(): Promise<void> {
  const out = join(kConsoleOut, 'app.js');
  const newest = Math.max(...readdirSync(kConsoleSources).map((f) => statSync(join(kConsoleSources, f)).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest && existsSync(join(kConsoleOut, 'index.html'))) return;
  await buildConsoleAssets();
}
