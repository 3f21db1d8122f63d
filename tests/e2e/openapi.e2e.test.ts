/**
 * docs/openapi.yaml against the real ops port: the bidder serves the document, every route the ops server
 * registers is documented (and nothing else is), and every documented operation, called for real, answers with
 * a status the document lists and a body its schema accepts (ajv, draft 2020-12).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kOpsOpenApi, openApiYaml } from '../../src/endpoints/openapi.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: unknown };
const doc = kOpsOpenApi as unknown as Doc;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
// Response schemas refer to #/components/schemas/…: register the document so those refs resolve.
ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');
function schemaErrors(schema: unknown, value: unknown): string[] {
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
  const v = ajv.compile(rewritten);
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const kToken = 'openapi-test-token';
let cfg: TempConfig;
let b: TestBidder;
beforeAll(async () => {
  cfg = tempConfig();
  b = await startBidder(cfg.dir, { env: { PEREGRINE_ADMIN_TOKEN: kToken } });
});
afterAll(async () => {
  await b.stop();
  cfg.cleanup();
});

/** The real call for each documented operation (path as documented, method lower case). */
const kCalls: Record<string, { path: string; init?: RequestInit; auth?: boolean }[]> = {
  'get /metrics': [{ path: '/metrics' }],
  'get /healthz': [{ path: '/healthz' }],
  'get /readyz': [{ path: '/readyz' }],
  'get /openapi.json': [{ path: '/openapi.json' }],
  'post /admin/reload': [{ path: '/admin/reload', init: { method: 'POST' } }],
  'get /admin/config': [{ path: '/admin/config' }],
  'get /admin/spend': [{ path: '/admin/spend' }],
  'get /admin/experiments': [{ path: '/admin/experiments?metric=conversions' }, { path: '/admin/experiments?alpha=2' }],
  'get /admin/campaigns/{id}': [{ path: '/admin/campaigns/acme-prospecting' }, { path: '/admin/campaigns/nope' }],
  'put /admin/campaigns/{id}': [
    { path: '/admin/campaigns/acme-prospecting', init: { method: 'PUT', body: '{}' } },
    { path: '/admin/campaigns/acme-prospecting', init: { method: 'PUT', body: '{"budget":{"daily":-1}}' } },
  ],
  'post /admin/campaigns/{id}/pause': [{ path: '/admin/campaigns/acme-prospecting/pause', init: { method: 'POST' } }],
  'post /admin/campaigns/{id}/resume': [{ path: '/admin/campaigns/acme-prospecting/resume', init: { method: 'POST' } }],
  // The console's own API needs its session cookie (tests/e2e/console*.e2e.test.ts sign in); here, the refusals.
  'get /console': [{ path: '/console', init: { redirect: 'manual' } }],
  'get /console/': [{ path: '/console/' }],
  'get /console/assets/{file}': [{ path: '/console/assets/nope.js' }],
  'get /console/api/session': [{ path: '/console/api/session' }],
  'post /console/api/session': [{ path: '/console/api/session', init: { method: 'POST', body: '{"token":"x"}' } }],
  'delete /console/api/session': [{ path: '/console/api/session', init: { method: 'DELETE' } }],
  'get /console/api/overview': [{ path: '/console/api/overview' }],
  'get /console/api/campaigns/{id}': [{ path: '/console/api/campaigns/acme-prospecting' }],
  'put /console/api/campaigns/{id}': [
    { path: '/console/api/campaigns/acme-prospecting', init: { method: 'PUT', body: '{}' } },
  ],
  'get /console/api/campaigns/{id}/history': [{ path: '/console/api/campaigns/acme-prospecting/history' }],
  'post /console/api/campaigns/{id}/pause': [
    { path: '/console/api/campaigns/acme-prospecting/pause', init: { method: 'POST' } },
  ],
  'post /console/api/campaigns/{id}/resume': [
    { path: '/console/api/campaigns/acme-prospecting/resume', init: { method: 'POST' } },
  ],
  'post /admin/replay/{channel}': [
    { path: '/admin/replay/ssp-alpha?debug=1', init: { method: 'POST', body: JSON.stringify(sampleBannerRequest()) } },
    { path: '/admin/replay/ssp-alpha', init: { method: 'POST', body: '{"id":"x","imp":[]}' } },
    { path: '/admin/replay/no-such-channel', init: { method: 'POST', body: JSON.stringify(sampleBannerRequest()) } },
  ],
};

const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops).map((method) => `${method} ${path}`),
);

describe('OpenAPI description of the ops port', () => {
  it('is served on the ops port and written to docs/openapi.yaml (npm run schema)', async () => {
    const res = await fetch(`${b.opsUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(kOpsOpenApi)));
    const file = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8');
    expect(file, 'docs/openapi.yaml is stale: run npm run schema').toBe(openApiYaml());
  });

  it('documents every route the ops server has, and only those', () => {
    const real = b.app.opsRoutes.flatMap((r) =>
      r.methods.map((m) => `${m.toLowerCase()} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`),
    );
    expect(real.length).toBeGreaterThan(5);
    expect([...real].sort()).toEqual([...documented].sort());
  });

  it('every documented operation answers with a documented status and a body its schema accepts', async () => {
    expect(Object.keys(kCalls).sort()).toEqual([...documented].sort());
    const seen = new Set<string>();
    for (const [key, calls] of Object.entries(kCalls)) {
      const [method, path] = key.split(' ') as [string, string];
      const op = doc.paths[path]![method]!;
      for (const call of calls) {
        const admin = path.startsWith('/admin/');
        const headers = admin ? { authorization: `Bearer ${kToken}` } : undefined;
        const res = await fetch(`${b.opsUrl}${call.path}`, { ...call.init, headers });
        const status = String(res.status);
        expect(Object.keys(op.responses), `${key} → ${status}`).toContain(status);
        seen.add(`${key} ${status}`);
        const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
        const content = op.responses[status]!.content;
        expect(Object.keys(content ?? {}), `${key} ${status} content type`).toContain(type);
        if (type === 'application/json')
          expect(schemaErrors(content![type]!.schema, await res.json()), `${key} ${status}`).toEqual([]);
        else await res.text();
        if (admin) {
          // Without the token: the documented 401.
          const denied = await fetch(`${b.opsUrl}${call.path}`, call.init);
          expect(denied.status, `${key} without a token`).toBe(401);
          expect(schemaErrors(op.responses['401']!.content!['application/json']!.schema, await denied.json())).toEqual(
            [],
          );
        }
      }
    }
    // The calls above reach the success case of every operation and the replay's documented errors.
    for (const s of ['post /admin/replay/{channel} 400', 'post /admin/replay/{channel} 404', 'get /admin/spend 200'])
      expect(seen).toContain(s);
  });

  it('the reload refusal matches its documented shape', async () => {
    cfg.write('campaigns/broken.yaml', 'id: broken\nadvertiser: X\n');
    try {
      const res = await fetch(`${b.opsUrl}/admin/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kToken}` },
      });
      expect(res.status).toBe(422);
      const op = doc.paths['/admin/reload']!.post!;
      const body = (await res.json()) as { issues: unknown[] };
      expect(body.issues.length).toBeGreaterThan(0);
      expect(schemaErrors(op.responses['422']!.content!['application/json']!.schema, body)).toEqual([]);
    } finally {
      cfg.remove('campaigns/broken.yaml');
    }
  });
});
