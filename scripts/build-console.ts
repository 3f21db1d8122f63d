/**
 * Builds the console's browser assets (web/console) into dist/console/ui with esbuild: one minified script,
 * one stylesheet (uPlot's included) and the page. Run by `npm run build`; tests call `buildConsoleAssets`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const kConsoleSources = join(root, 'web', 'console');
export const kConsoleOut = join(root, 'dist', 'console', 'ui');

export async function buildConsoleAssets(outDir = kConsoleOut): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(kConsoleSources, 'main.ts') },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    outdir: outDir,
    logLevel: 'warning',
    legalComments: 'none',
  });
  await build({
    entryPoints: { app: join(kConsoleSources, 'app.css') },
    bundle: true,
    minify: true,
    outdir: outDir,
    logLevel: 'warning',
  });
  copyFileSync(join(kConsoleSources, 'index.html'), join(outDir, 'index.html'));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildConsoleAssets();
  console.log(`console assets built in ${kConsoleOut}`);
}
