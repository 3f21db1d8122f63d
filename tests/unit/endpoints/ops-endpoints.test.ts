import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { ConfigHolder } from '../../../src/config/config-holder.js';
import type { AdminCall } from '../../../src/endpoints/admin-auth.js';
import { createOpsEndpoints } from '../../../src/endpoints/ops-endpoints.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { kSampleConfig } from '../../helpers/config-dir.js';
import { jsonOf, requestInfo } from './request-info.js';

const kKeys = { PEREGRINE_NOTICE_KEY_1: 'k1', PEREGRINE_NOTICE_KEY_0: 'k0' };

const kDev = { ...kKeys, PEREGRINE_ADMIN_OPEN: 'loopback' };

async function ops(env: NodeJS.ProcessEnv, notReady?: string) {
  const config = await ConfigHolder.open(kSampleConfig, new VirtualClock(Date.UTC(2026, 10, 23, 12)), env);
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.request('ssp-alpha', 'bid');
  const audited: AdminCall[] = [];
  return {
    config,
    audited,
    endpoints: createOpsEndpoints({
      config,
      metrics,
      readiness: { notReadyReason: async () => notReady },
      report: { spend: () => ({ currency: 'USD', rows: [] }) },
      experiments: { report: (metric, o) => ({ metric, alpha: o.alpha ?? 0.05 }) },
      audit: (call) => audited.push(call),
    }),
  };
}

describe('ops endpoints', () => {
  it('answer health always, readiness with the reason it is not ready', async () => {
    expect((await ops(kKeys)).endpoints.healthz()).toMatchObject({ status: 200, body: 'ok' });
    expect(await (await ops(kKeys)).endpoints.readyz()).toMatchObject({ status: 200, body: 'ready' });
    const down = await (await ops(kKeys, 'redis unreachable')).endpoints.readyz();
    expect(down.status).toBe(503);
    expect(JSON.stringify(jsonOf(down.body))).toContain('redis unreachable');
  });

  it('expose the metrics registry in the Prometheus text format', async () => {
    const r = await (await ops(kKeys)).endpoints.metrics();
    expect(r.status).toBe(200);
    expect(String(r.body)).toContain('peregrine_bid_requests_total{channel="ssp-alpha",outcome="bid"} 1');
  });

  it('without an admin token, refuse every admin call, loopback included, and audit each', async () => {
    const { endpoints, audited } = await ops(kKeys);
    expect((await endpoints.spend(requestInfo({ remoteAddress: '127.0.0.1' }), undefined)).status).toBe(401);
    expect(audited).toHaveLength(1);
    expect(JSON.stringify(audited[0])).not.toContain('Bearer');
  });

  it('in development mode (PEREGRINE_ADMIN_OPEN=loopback) without a token, answer loopback callers only', async () => {
    const { endpoints } = await ops(kDev);
    const local = await endpoints.spend(requestInfo({ remoteAddress: '127.0.0.1' }), undefined);
    expect(local.status).toBe(200);
    expect(jsonOf(local.body)).toEqual({ currency: 'USD', rows: [] });
    expect((await endpoints.spend(requestInfo({ remoteAddress: '::ffff:127.0.0.1' }), undefined)).status).toBe(200);
    const remote = await endpoints.spend(requestInfo({ remoteAddress: '10.0.0.7' }), undefined);
    expect(remote.status).toBe(401);
    expect(remote.headers).toContainEqual(['www-authenticate', 'Bearer']);
  });

  it('with an admin token, answer only the right bearer token, from anywhere', async () => {
    const { endpoints } = await ops({ ...kKeys, PEREGRINE_ADMIN_TOKEN: 's3cret' });
    const as = (authorization: string, remoteAddress = '10.0.0.7') => requestInfo({ authorization, remoteAddress });
    expect((await endpoints.config(as('Bearer s3cret'), undefined)).status).toBe(200);
    expect((await endpoints.config(as('Bearer s3cre'), undefined)).status).toBe(401);
    expect((await endpoints.config(as('s3cret'), undefined)).status).toBe(401);
    expect((await endpoints.config(as('', '127.0.0.1'), undefined)).status).toBe(401);
  });

  it('report experiments by the metric and α asked for, refusing others with BAD_PARAM', async () => {
    const { endpoints } = await ops(kDev);
    const at = (query: string) => endpoints.experiments(requestInfo({ remoteAddress: '127.0.0.1', query }), undefined);
    expect(jsonOf((await at('')).body)).toEqual({ metric: 'clicks', alpha: 0.05 });
    expect(jsonOf((await at('metric=value&alpha=0.01')).body)).toEqual({ metric: 'value', alpha: 0.01 });
    for (const q of ['metric=ctr', 'alpha=0', 'alpha=0.9', 'alpha=x']) {
      const r = await at(q);
      expect(r.status, q).toBe(400);
      expect(JSON.stringify(jsonOf(r.body))).toContain('BAD_PARAM');
    }
  });

  it('describe the live config and reload it on demand', async () => {
    const { endpoints, config } = await ops(kDev);
    const local = requestInfo({ remoteAddress: '127.0.0.1' });
    const desc = jsonOf((await endpoints.config(local, undefined)).body) as { version: number; campaigns: unknown[] };
    expect(desc.version).toBe(config.current.version);
    expect(desc.campaigns).toHaveLength(config.current.campaigns.length);
    const reload = jsonOf((await endpoints.reload(local, undefined)).body);
    expect(reload).toMatchObject({ changed: false, campaigns: config.current.campaigns.length });
  });
});
