/**
 * The Prebid demo's page server answers from the moment its port opens: while the bidder is still starting a
 * page gets a 503 that reloads itself (before, the connection was accepted with no handler and hung for good),
 * then the page and the bundle.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoPageState, demoPageHandler } from '../../../examples/prebid/demo-server.js';

const state: DemoPageState = {};
const server = createServer(demoPageHandler(state));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the demo page server', () => {
  it('answers 503 with a reload while the bidder starts, then serves the page and the bundle', async () => {
    const starting = await fetch(`${base}/`, { signal: AbortSignal.timeout(2000) });
    expect(starting.status).toBe(503);
    expect(starting.headers.get('retry-after')).toBe('1');
    expect(await starting.text()).toContain('starting');
    state.ready = { html: '<p>page</p>', bundle: new TextEncoder().encode('/* prebid */') };
    const page = await fetch(`${base}/?x=1`, { signal: AbortSignal.timeout(2000) });
    expect([page.status, await page.text()]).toEqual([200, '<p>page</p>']);
    const js = await fetch(`${base}/prebid.js`, { signal: AbortSignal.timeout(2000) });
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([
      200,
      'application/javascript',
      '/* prebid */',
    ]);
    expect((await fetch(`${base}/nope`, { signal: AbortSignal.timeout(2000) })).status).toBe(404);
  });
});
