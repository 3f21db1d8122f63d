/**
 * uWebSockets.js comes from an npm alias whose loader silently falls back to a slow pure-JS server when its
 * native binary does not load (wrong Node ABI, missing glibc symbols). A bidder on the fallback would be
 * an order of magnitude slower without saying so, so we refuse to start on it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type Uws = typeof import('uWebSockets.js');

export function loadNativeUws(): Uws {
  const uws = require('uWebSockets.js') as Uws;
  const native = Object.keys(require.cache).some((k) => k.includes('uWebSockets.js') && k.endsWith('.node'));
  if (!native || !String(uws.App).includes('[native code]')) {
    throw new Error(
      `uWebSockets.js is running its pure-JS fallback, not the native binary (Node ${process.version}, ABI ${process.versions.modules}, ${process.platform}-${process.arch}). ` +
        'Reinstall with `npm ci` on a supported platform (linux-x64/arm64, darwin, win32; Node 16/18/20) and unset UWS_USE_FALLBACK.',
    );
  }
  return uws;
}
