/**
 * Where the browser tests find Chromium: `CHROMIUM_PATH` (or Puppeteer's / Playwright's executable variables)
 * when set, else the usual system locations. `scripts/test-deps.ts`, which `npm test` runs first, uses the
 * same lookup to install Debian's chromium when it is missing, so the two never disagree.
 */
import { existsSync } from 'node:fs';

export const kChromiumEnv = [
  'CHROMIUM_PATH',
  'PUPPETEER_EXECUTABLE_PATH',
  'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH',
] as const;

const kSystemPaths = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** The Chromium executable to launch, or undefined when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of kChromiumEnv) {
    const v = env[name];
    if (v !== undefined && v !== '') return existsSync(v) ? v : undefined;
  }
  return kSystemPaths.find((p) => existsSync(p));
}

export const kChromiumMissing =
  'Chromium not found: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH';
