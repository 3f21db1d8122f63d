/**
 * The ops port: `/metrics`, `/healthz`, `/readyz`, and the admin API (`/admin/*`, bearer token; without a
 * configured token, admin is open to loopback callers only). Never exposed to exchanges.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ConfigHolder } from '../config/config-holder.js';
import type { Channel } from '../config/snapshot.js';
import { errorReply, errors } from '../errors.js';
import type { RequestInfo } from '../http/server.js';
import { jsonReply, textReply, type HttpReply } from '../http/reply.js';
import type { Metrics } from '../metrics/registry.js';

export interface Readiness {
  /** Undefined when ready, else why not. */
  notReadyReason(): Promise<string | undefined>;
}

export interface SpendReport {
  spend(): unknown;
}

export interface OpsDeps {
  readonly config: ConfigHolder;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly report: SpendReport;
}

export function adminAllowed(info: RequestInfo, token: string | undefined): boolean {
  if (token === undefined) return isLoopback(info.remoteAddress);
  const given = info.authorization.startsWith('Bearer ') ? info.authorization.slice(7) : '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isLoopback(addr: string): boolean {
  return (
    addr === '127.0.0.1' ||
    addr === '::1' ||
    addr.startsWith('127.') ||
    addr === '0000:0000:0000:0000:0000:0000:0000:0001' ||
    addr.startsWith('::ffff:127.') ||
    addr.startsWith('0000:0000:0000:0000:0000:ffff:7f')
  );
}

const kUnauthorized: HttpReply = errorReply(errors.unauthorized(), [['www-authenticate', 'Bearer']]);

/** Wraps an admin handler: bearer token when one is configured, else loopback callers only. */
export function requireAdmin<B>(
  config: { readonly current: { readonly adminToken: string | undefined } },
  handler: (info: RequestInfo, body: B) => HttpReply | Promise<HttpReply>,
) {
  return (info: RequestInfo, body: B): HttpReply | Promise<HttpReply> =>
    adminAllowed(info, config.current.adminToken) ? handler(info, body) : kUnauthorized;
}

export function createOpsEndpoints(deps: OpsDeps) {
  const guard = (handler: (info: RequestInfo) => HttpReply | Promise<HttpReply>) => requireAdmin(deps.config, handler);

  return {
    metrics: async (): Promise<HttpReply> => ({
      status: 200,
      body: await deps.metrics.registry.metrics(),
      contentType: deps.metrics.registry.contentType,
    }),
    healthz: (): HttpReply => textReply(200, 'ok'),
    readyz: async (): Promise<HttpReply> => {
      const why = await deps.readiness.notReadyReason();
      return why === undefined ? textReply(200, 'ready') : errorReply(errors.notReady(why));
    },
    reload: guard(async () => {
      const r = await deps.config.reload('admin');
      if (!r.ok && r.outcome === 'error')
        return jsonReply(503, {
          ...errors
            .configLoadFailed(`${r.issues[0]?.message ?? 'config load failed'}; the previous config stays live`)
            .toJSON(),
          issues: r.issues,
        });
      if (!r.ok)
        return jsonReply(422, {
          ...errors.invalidConfig('invalid config; the previous config stays live').toJSON(),
          issues: r.issues,
          totalIssues: r.totalIssues,
        });
      return jsonReply(200, {
        version: r.snapshot.version,
        hash: r.snapshot.hash,
        changed: r.changed,
        campaigns: r.snapshot.campaigns.length,
      });
    }),
    config: guard(() => {
      const s = deps.config.current;
      return jsonReply(200, {
        version: s.version,
        hash: s.hash,
        loadedAt: new Date(s.loadedAtMs).toISOString(),
        channels: [...s.channels.values()].map(channelView),
        campaigns: s.campaigns.map((c) => ({
          id: c.id,
          advertiser: c.advertiser,
          active: c.active,
          dailyBudget: c.dailyBudgetMicros / 1e6,
          channels: Object.fromEntries(c.channelShares),
        })),
        warnings: s.warnings,
      });
    }),
    spend: guard(() => jsonReply(200, deps.report.spend())),
  };
}

/**
 * A channel as `GET /admin/config` shows it: plain JSON (sets as sorted arrays — JSON.stringify turns a Set
 * into `{}`), and the price keys reduced to whether they are set, so the admin API never hands out secrets.
 */
export function channelView(ch: Channel) {
  const { priceKeys, prebid, corsOrigins, ...plain } = ch;
  return {
    ...plain,
    priceKeys: priceKeys === undefined ? 'unset' : 'set',
    prebid: prebid === undefined ? undefined : { ...prebid, bidderCodes: [...prebid.bidderCodes].sort() },
    corsOrigins: corsOrigins === undefined ? undefined : [...corsOrigins].sort(),
  };
}
